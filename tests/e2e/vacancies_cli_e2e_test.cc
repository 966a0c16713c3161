// `sportello vacancies`: importing feeds, listing, the demo and a search,
// through the real binary on a temp database.
#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <string>

#include "storage/database.h"
#include "storage/vacancies.h"
#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

constexpr const char* kCsv =
    "external_id,title,employer,comune,province,contract,description,how_to_"
    "apply,partner,"
    "expires_at\n"
    "c1,\"Cameriere, sala\",Trattoria,Bari,BA,part_time,\"Turni "
    "serali,\nweekend\",cv@t.example,"
    "sì,2099-12-31\n"
    "c2,Barista caffè,Caffè Levante,molfetta,,full_time,,in "
    "negozio,no,2099-12-31\n"
    "c3,Cuoco,Osteria,Bari,BA,fisso,,cv,no,2099-12-31\n"
    "c4,Pizzaiolo,Pizzeria,Barii,,part_time,,cv,no,2099-12-31\n"
    "c5,Magazziniere,Logistica,Modugno,BA,full_time,,cv,no,2001-01-31\n";

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST_CASE(
    "vacancies import reports bad rows by line and still imports the good "
    "ones") {
  support::TempDir dir;
  const support::Env env{
      {"SPORTELLO_DB", support::TestDatabaseAt(dir.File("v.db"))}};
  Write(dir.File("feed.csv"), kCsv);

  auto first =
      support::RunSportello({"vacancies", "import", dir.File("feed.csv")}, env);
  CHECK(first.exit_code == 1);
  CHECK(first.out == "imported 2, updated 0, rejected 3 (unchanged 0)\n");
  CHECK(first.err.find("line 5: contract: 'fisso'") != std::string::npos);
  CHECK(first.err.find("line 6: comune: 'Barii'") != std::string::npos);
  CHECK(first.err.find("line 7: expires_at: already expired") !=
        std::string::npos);

  auto again =
      support::RunSportello({"vacancies", "import", dir.File("feed.csv")}, env);
  CHECK(again.exit_code == 1);
  CHECK(again.out == "imported 0, updated 0, rejected 3 (unchanged 2)\n");

  auto list = support::RunSportello({"vacancies", "list"}, env);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find(
            "c1 | Cameriere, sala | Trattoria | Bari (BA) | part_time") !=
        std::string::npos);
  CHECK(list.out.find("| partner") != std::string::npos);
  CHECK(list.out.find("Molfetta (BA)") !=
        std::string::npos);  // official name, province
  CHECK(list.out.find("2 active offers") != std::string::npos);
}

TEST_CASE(
    "vacancies import takes a json array and refuses a file that is no feed") {
  support::TempDir dir;
  const support::Env env{
      {"SPORTELLO_DB", support::TestDatabaseAt(dir.File("v.db"))}};
  Write(
      dir.File("feed.json"),
      R"([{"external_id": "j1", "title": "Commesso", "employer": "Negozio", "comune": "Bari",
             "contract": "part_time", "how_to_apply": "in negozio", "expires_at": "2099-01-31"}])");
  Write(dir.File("bad.csv"), "external_id,title,salary\nx,y,z\n");

  auto json = support::RunSportello(
      {"vacancies", "import", dir.File("feed.json")}, env);
  CHECK(json.exit_code == 0);
  CHECK(json.out == "imported 1, updated 0, rejected 0 (unchanged 0)\n");
  auto bad =
      support::RunSportello({"vacancies", "import", dir.File("bad.csv")}, env);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown column 'salary'") != std::string::npos);
  auto missing =
      support::RunSportello({"vacancies", "import", dir.File("nope.csv")}, env);
  CHECK(missing.exit_code == 2);
  auto help = support::RunSportello({"vacancies", "--help"}, env);
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("usage: sportello vacancies import FILE") !=
        std::string::npos);
  CHECK(support::RunSportello({"vacancies", "frobnicate"}, env).exit_code == 2);
}

TEST_CASE("vacancies demo loads offers that a search ranks with reasons") {
  support::TempDir dir;
  const support::Env env{
      {"SPORTELLO_DB", support::TestDatabaseAt(dir.File("v.db"))}};

  auto demo = support::RunSportello({"vacancies", "demo"}, env);
  REQUIRE(demo.exit_code == 0);
  CHECK(demo.out.rfind("imported ", 0) == 0);
  auto again = support::RunSportello({"vacancies", "demo"}, env);
  CHECK(again.out.find("imported 0, updated 0, rejected 0") !=
        std::string::npos);

  auto search = support::RunSportello(
      {"vacancies", "search", "--role", "cameriere", "--city", "Bari"}, env);
  REQUIRE(search.exit_code == 0);
  const auto first_line_end = search.out.find('\n');
  const std::string best = search.out.substr(first_line_end + 1);
  CHECK(best.find("Bari (BA)") < best.find('\n'));
  CHECK(best.find("role=cameriere(40) comune=Bari(30)") < best.find('\n'));

  auto hostile = support::RunSportello(
      {"vacancies", "search", "--text", "\" AND OR NEAR("}, env);
  CHECK(hostile.exit_code == 0);
}

TEST_CASE(
    "vacancies import --centre makes a feed's offers a centre's or "
    "regional") {
  support::TempDir dir;
  const std::string target = support::TestDatabaseAt(dir.File("v.db"));
  const support::Env env{{"SPORTELLO_DB", target}};
  Write(
      dir.File("feed.json"),
      R"([{"external_id": "m1", "title": "Barista", "employer": "Bar", "comune": "Molfetta",
             "contract": "part_time", "how_to_apply": "al bar", "expires_at": "2099-01-31"}])");
  REQUIRE(
      support::RunSportello({"centres", "add", "--name", "CPI Molfetta"}, env)
          .exit_code == 0);
  auto centre_of = [&]() -> std::optional<int64_t> {
    auto db = storage::Database::Open(target);
    REQUIRE(db.ok());
    auto v = storage::FindVacancyByExternalId(**db, "m1");
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    return (*v)->centre_id;
  };

  auto to_molfetta = support::RunSportello(
      {"vacancies", "import", dir.File("feed.json"), "--centre", "2"}, env);
  CHECK(to_molfetta.exit_code == 0);
  CHECK(centre_of() == std::optional<int64_t>(2));
  auto regional = support::RunSportello(
      {"vacancies", "import", dir.File("feed.json"), "--centre", "regional"},
      env);
  CHECK(regional.out == "imported 0, updated 1, rejected 0 (unchanged 0)\n");
  CHECK(centre_of() == std::nullopt);
  auto listed = support::RunSportello({"vacancies", "list"}, env);
  CHECK(listed.out.find("m1 | Barista") != std::string::npos);
  CHECK(listed.out.find(" | regional") != std::string::npos);
  auto unflagged = support::RunSportello(
      {"vacancies", "import", dir.File("feed.json")}, env);
  CHECK(unflagged.exit_code == 0);
  CHECK(centre_of() == std::optional<int64_t>(1));
  listed = support::RunSportello({"vacancies", "list"}, env);
  CHECK(listed.out.find(" | centre 1") != std::string::npos);
  CHECK(listed.out.find(" | regional") == std::string::npos);

  for (const char* bad : {"9", "molfetta", "-1"}) {
    CAPTURE(bad);
    auto refused = support::RunSportello(
        {"vacancies", "import", dir.File("feed.json"), "--centre", bad}, env);
    CHECK(refused.exit_code == 2);
    const bool said =
        refused.err.find("--centre") != std::string::npos ||
        refused.err.find("no active centre 9") != std::string::npos;
    CHECK(said);
  }
  CHECK(centre_of() == std::optional<int64_t>(1));
}

}  // namespace
}  // namespace sportello::e2e
