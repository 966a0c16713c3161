// The sportello binary's command line: the interface other tools rely on.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "storage/migrations.h"
#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

TEST_CASE("sportello --version and --help answer without a database") {
  auto version = support::RunSportello({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("sportello ", 0) == 0);
  auto help = support::RunSportello({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* command : {"serve", "chat", "classify", "migrate", "db"}) {
    CAPTURE(command);
    CHECK(help.out.find(command) != std::string::npos);
    auto sub = support::RunSportello({command, "--help"});
    CHECK(sub.exit_code == 0);
    CHECK(sub.out.find("usage") != std::string::npos);
  }
  CHECK(support::RunSportello({"frobnicate"}).exit_code == 2);
}

TEST_CASE(
    "sportello migrate creates the database and reports its schema version") {
  support::TempDir dir;
  const support::Env env{{"SPORTELLO_DB", dir.File("m.db")}};
  const std::string latest = std::to_string(storage::LatestSchemaVersion());
  auto first = support::RunSportello({"migrate"}, env);
  CHECK(first.exit_code == 0);
  CHECK(first.out ==
        dir.File("m.db") + ": schema version 0 -> " + latest + "\n");
  auto again = support::RunSportello({"migrate"}, env);
  CHECK(again.exit_code == 0);
  CHECK(again.out == dir.File("m.db") + ": schema version " + latest + " -> " +
                         latest + " (up to date)\n");
}

TEST_CASE("sportello chat talks through the same engine in the terminal") {
  support::TempDir dir;
  auto chat = support::RunSportello(
      {"chat"}, {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("c.db"))}},
      "ciao\n4\n");
  CHECK(chat.exit_code == 0);
  CHECK(chat.out.find("Porta Futuro") != std::string::npos);  // the welcome
  CHECK(chat.out.find("1) ") != std::string::npos);  // numbered choices
  CHECK(chat.out.find("📍") != std::string::npos);    // choice 4: info
}

TEST_CASE("sportello serve refuses a configuration that cannot work") {
  support::TempDir dir;
  auto bad_mode = support::RunSportello(
      {"serve"}, {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("s.db"))},
                  {"TELEGRAM_MODE", "carrier-pigeon"}});
  CHECK(bad_mode.exit_code == 2);
  CHECK(bad_mode.err.find("TELEGRAM_MODE") != std::string::npos);
  auto bad_listen = support::RunSportello(
      {"serve"}, {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("s.db"))},
                  {"SPORTELLO_LISTEN", "nowhere"}});
  CHECK(bad_listen.exit_code == 2);
  auto bad_quiet = support::RunSportello(
      {"serve"}, {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("s.db"))},
                  {"SPORTELLO_QUIET_HOURS", "dalle 21 alle 8"}});
  CHECK(bad_quiet.exit_code == 2);
  CHECK(bad_quiet.err.find("SPORTELLO_QUIET_HOURS") != std::string::npos);
  CHECK(bad_quiet.err.find("HH:MM-HH:MM") != std::string::npos);
}

TEST_CASE(
    "a second service on a port already taken fails instead of sharing it") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  support::TempDir other;
  auto second = support::RunSportello(
      {"serve"},
      {{"SPORTELLO_DB", support::TestDatabaseAt(other.File("o.db"))},
       {"SPORTELLO_LISTEN", support::LoopbackAddress(bot.port)}},
      "", std::chrono::seconds(20));
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("cannot listen") != std::string::npos);
}

TEST_CASE(
    "serve logs which channels are on without printing secrets and stops "
    "cleanly on SIGTERM") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const std::string log = bot.Log();
  CHECK(log.find("telegram on") != std::string::npos);
  CHECK(log.find("whatsapp on") != std::string::npos);
  for (const std::string& secret :
       {std::string(kTelegramSecret), std::string(kAppSecret),
        bot.telegram.token(), bot.whatsapp.access_token()}) {
    CHECK(log.find(secret) == std::string::npos);
  }
  CHECK(bot.service->Terminate() == 0);
}

TEST_CASE("sportello classify prints one JSON object per input line") {
  auto out = support::RunSportello({"classify", "--now", "2026-11-22"}, {},
                                   "ciao\n\ncerco lavoro a Bari\n");
  REQUIRE(out.exit_code == 0);
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < out.out.size()) {
    const size_t end = out.out.find('\n', start);
    lines.push_back(nlohmann::json::parse(out.out.substr(start, end - start),
                                          nullptr, false));
    start = end == std::string::npos ? out.out.size() : end + 1;
  }
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["intent"] == "greet");
  CHECK(lines[1].contains("intent"));
  CHECK(lines[2]["intent"] == "vacancy_search");
}

}  // namespace
}  // namespace sportello::e2e
