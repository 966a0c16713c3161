// `sportello migrate` on either engine and `sportello db copy --to URI`:
// how a centre creates its schema, and moves from SQLite to PostgreSQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"
#include "tests/support/have_postgres.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::e2e {
namespace {

// The password in a URI "postgresql://user:password@host...".
std::string PasswordOf(const std::string& uri) {
  const size_t colon = uri.find(':', uri.find("//") + 2);
  const size_t at = uri.find('@');
  return colon < at ? uri.substr(colon + 1, at - colon - 1) : "";
}

int64_t Count(const std::string& db_target, const std::string& table) {
  auto db = storage::Database::Open(db_target);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  storage::Statement st = (*db)->Prepare("SELECT count(*) FROM " + table);
  REQUIRE(st.Step());
  return st.Int(0);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

const std::string kLatest = std::to_string(storage::LatestSchemaVersion());

TEST_CASE(
    "sportello db copy moves a demo centre into PostgreSQL, and a second "
    "copy into it is refused") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  const std::string source = dir.File("demo.db");
  // A demo centre: offers, events and slots, a conversation, a counsellor.
  const support::Env demo{{"SPORTELLO_DB", source}, {"SPORTELLO_DEMO", "1"}};
  auto chat = support::RunSportello({"chat"}, demo,
                                    "ciao\ncerco lavoro come cameriere\n");
  REQUIRE_MESSAGE(chat.exit_code == 0, chat.err);
  // The demo is a network of centres: a counsellor names theirs.
  auto staff = support::RunSportello(
      {"users", "add", "anna", "--role", "counsellor", "--centre", "1"},
      {{"SPORTELLO_DB", source}}, "una-password-lunga\n");
  REQUIRE_MESSAGE(staff.exit_code == 0, staff.err);

  const std::string target = support::FreshPostgresSchema();
  const std::string password = PasswordOf(target);
  REQUIRE_FALSE(password.empty());
  const support::Env env{{"SPORTELLO_DB", source}};
  auto copy = support::RunSportello({"db", "copy", "--to", target}, env);
  REQUIRE_MESSAGE(copy.exit_code == 0, copy.err);
  CHECK(copy.out.find(password) == std::string::npos);

  // One "table N = N" line per table, then the summary.
  const auto lines = Lines(copy.out);
  REQUIRE(lines.size() > 20);
  std::map<std::string, int64_t> copied;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    std::istringstream line(lines[i]);
    std::string table, equals;
    int64_t left = -1, right = -2;
    line >> table >> left >> equals >> right;
    CAPTURE(lines[i]);
    CHECK(equals == "=");
    CHECK(left == right);
    copied[table] = right;
  }
  CHECK(lines.back().find("rows/s") != std::string::npos);
  CHECK(lines.back().find(":***@") != std::string::npos);
  CHECK(copied["users"] >= 1);
  CHECK(copied["staff"] >= 1);
  CHECK(copied["messages"] >= 2);
  CHECK(copied["vacancies"] > 0);
  CHECK(copied["events"] > 0);
  CHECK(copied["slots"] > 0);
  for (const char* table : {"users", "conversations", "messages", "vacancies",
                            "events", "slots", "staff", "outbox"}) {
    CAPTURE(table);
    CHECK(Count(target, table) == Count(source, table));
  }

  // Again into the same database: refused in one line, nothing changed.
  const int64_t messages = Count(target, "messages");
  auto again = support::RunSportello({"db", "copy", "--to", target}, env);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("not empty") != std::string::npos);
  CHECK(Lines(again.err).size() == 1);
  CHECK(again.out.empty());
  CHECK(Count(target, "messages") == messages);

  // The target has the build's schema: migrate has nothing to do.
  auto migrate = support::RunSportello({"migrate"}, {{"SPORTELLO_DB", target}});
  CHECK(migrate.exit_code == 0);
  CHECK(migrate.out.find("schema version " + kLatest + " -> " + kLatest) !=
        std::string::npos);
}

TEST_CASE(
    "sportello db copy refuses a wrong target at once, in one line, without "
    "its password") {
  support::TempDir dir;
  const std::string source = dir.File("centre.db");
  REQUIRE(support::RunSportello({"migrate"}, {{"SPORTELLO_DB", source}})
              .exit_code == 0);
  const support::Env env{{"SPORTELLO_DB", source}};
  const std::string secret = "Segreto-Non-Mostrare-77";

  SUBCASE("nobody listening") {
    const auto started = std::chrono::steady_clock::now();
    auto copy = support::RunSportello(
        {"db", "copy", "--to",
         "postgresql://sportello:" + secret + "@127.0.0.1:" +
             std::to_string(support::FreePort()) + "/sportello"},
        env);
    CHECK(std::chrono::steady_clock::now() - started <
          std::chrono::seconds(10));
    CHECK(copy.exit_code == 1);
    CHECK(Lines(copy.err).size() == 1);
    CHECK(copy.err.find(secret) == std::string::npos);
    CHECK(copy.err.find("sportello:***@127.0.0.1") != std::string::npos);
  }
  SUBCASE("a wrong password for a real server") {
    if (!support::HavePostgresCluster()) return;
    std::string uri = support::FreshPostgresSchema();
    uri.replace(uri.find(PasswordOf(uri)), PasswordOf(uri).size(), secret);
    auto copy = support::RunSportello({"db", "copy", "--to", uri}, env);
    CHECK(copy.exit_code == 1);
    CHECK(Lines(copy.err).size() == 1);
    CHECK(copy.err.find(secret) == std::string::npos);
  }
  SUBCASE("a target that is not PostgreSQL") {
    auto copy = support::RunSportello(
        {"db", "copy", "--to", dir.File("other.db")}, env);
    CHECK(copy.exit_code == 1);
    CHECK(copy.err.find("PostgreSQL URI") != std::string::npos);
  }
  SUBCASE("no --to") {
    auto copy = support::RunSportello({"db", "copy"}, env);
    CHECK(copy.exit_code == 2);
    CHECK(copy.err.find("--to") != std::string::npos);
  }
}

TEST_CASE(
    "sportello migrate creates a PostgreSQL schema, says from which version "
    "to which, and several at once agree") {
  if (!support::HavePostgresCluster()) return;
  const std::string target = support::FreshPostgresSchema();
  const support::Env env{{"SPORTELLO_DB", target}};
  auto fresh = support::RunSportello({"migrate"}, env);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.find("schema version 0 -> " + kLatest) != std::string::npos);

  const std::string shared = support::FreshPostgresSchema();
  const support::Env together{{"SPORTELLO_DB", shared}};
  std::vector<support::CommandResult> runs(3);
  {
    std::vector<std::thread> threads;
    for (auto& run : runs)
      threads.emplace_back([&run, &together] {
        run = support::RunSportello({"migrate"}, together);
      });
    for (auto& t : threads) t.join();
  }
  for (const auto& run : runs) {
    CAPTURE(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find(PasswordOf(shared)) == std::string::npos);
    CHECK(run.out.find(":***@") != std::string::npos);
    CHECK(run.out.find(" -> " + kLatest) != std::string::npos);
  }
  // They took turns: one schema, one version row.
  CHECK(Count(shared, "schema_version") == 1);
  CHECK(Count(shared, "services") == Count(target, "services"));
  auto again = support::RunSportello({"migrate"}, env);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find(kLatest + " -> " + kLatest + " (up to date)") !=
        std::string::npos);
}

TEST_CASE("sportello migrate refuses a database newer than itself") {
  support::TempDir dir;
  const std::string path = dir.File("future.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto run = support::RunSportello({"migrate"}, {{"SPORTELLO_DB", path}});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("newer") != std::string::npos);
  CHECK(Lines(run.err).size() == 1);
}

}  // namespace
}  // namespace sportello::e2e
