// `sportello contacts import`: front-desk contacts through the real binary
// on a temp database: line-numbered errors, consent required, idempotent.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "storage/broadcasts.h"
#include "storage/database.h"
#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

constexpr const char* kCsv =
    "channel,address,name,comune,birth_year,consent_at,topics\n"
    "whatsapp,393331234567,Anna,Bari,2003,2026-10-01,lavoro;formazione\n"
    "telegram,123456789,Luca,Molfetta,,01/10/2026,\n"
    "telegram,987,Ida,Bari,2000,,\n"
    "fax,555,Eva,Bari,2000,2026-10-01,\n";

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST_CASE(
    "contacts import reports bad rows by line, imports the others once, and "
    "only with consent") {
  support::TempDir dir;
  const support::Env env{
      {"SPORTELLO_DB", support::TestDatabaseAt(dir.File("c.db"))}};
  Write(dir.File("contacts.csv"), kCsv);

  auto first = support::RunSportello(
      {"contacts", "import", dir.File("contacts.csv")}, env);
  CHECK(first.exit_code == 1);
  CHECK(first.out == "imported 2, already known 0, rejected 2\n");
  CHECK(first.err.find("line 4: consent_at: missing") != std::string::npos);
  CHECK(first.err.find("line 5: channel: 'fax'") != std::string::npos);

  auto again = support::RunSportello(
      {"contacts", "import", dir.File("contacts.csv")}, env);
  CHECK(again.exit_code == 1);
  CHECK(again.out == "imported 0, already known 2, rejected 2\n");

  auto db = storage::Database::Open(support::TestDatabaseAt(dir.File("c.db")));
  REQUIRE(db.ok());
  auto subscribers = storage::CountAudience(**db, {}, 1'795'000'000'000);
  REQUIRE(subscribers.ok());
  CHECK(*subscribers == 2);

  Write(dir.File("bad.csv"), "channel,address,phone\n");
  auto bad =
      support::RunSportello({"contacts", "import", dir.File("bad.csv")}, env);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown column 'phone'") != std::string::npos);
  auto help = support::RunSportello({"contacts", "--help"}, env);
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("usage: sportello contacts import") != std::string::npos);
}

}  // namespace
}  // namespace sportello::e2e
