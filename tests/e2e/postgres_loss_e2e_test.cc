// The service on PostgreSQL when the database goes away and comes back, and
// when it was never there: the platforms are told to retry, never told
// "done" for an update that was not stored, and no password reaches a log.
// Each case runs a cluster of its own (support::PgCluster), so stopping it
// disturbs no other test.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"
#include "tests/support/pg_cluster.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;

// The password inside "postgresql://user:password@host...".
std::string PasswordOf(const std::string& uri) {
  const size_t colon = uri.find(':', std::string("postgresql://").size());
  const size_t at = uri.find('@');
  return uri.substr(colon + 1, at - colon - 1);
}

TEST_CASE(
    "losing PostgreSQL while serving: webhooks get 503 and health turns 503, "
    "and the service recovers by itself when it returns") {
  support::PgCluster pg;
  REQUIRE_MESSAGE(pg.ok(), pg.error());
  Bot bot;
  bot.extra["SPORTELLO_DB"] = pg.uri();
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  const tg::Person anna{4'242'001, "Anna", "it"};
  REQUIRE(
      http.PostTelegramUpdate(tg::TextMessage(1, anna, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(1, 15s, "sendMessage"), bot.Log());
  std::this_thread::sleep_for(1s);  // the welcome may come in parts
  const size_t before = bot.telegram.Calls("sendMessage").size();

  REQUIRE(pg.Down());
  const auto second = tg::TextMessage(2, anna, "cerco lavoro a Bari");
  CHECK(http.PostTelegramUpdate(second, kTelegramSecret).status == 503);
  CHECK(http.Get("/healthz").status == 503);

  REQUIRE(pg.Up());
  // Telegram redelivers until it gets a 200: the update is stored then.
  int status = 0;
  for (int i = 0; i < 150 && status != 200; ++i) {
    status = http.PostTelegramUpdate(second, kTelegramSecret).status;
    if (status != 200) std::this_thread::sleep_for(200ms);
  }
  CHECK(status == 200);
  CHECK(http.Get("/healthz").status == 200);
  // ...processed once, and answered.
  CHECK_MESSAGE(bot.telegram.WaitForCalls(before + 1, 15s, "sendMessage"),
                bot.Log());
  for (int i = 0; i < 100 && bot.Count("SELECT count(*) FROM inbox WHERE"
                                       " processed_at IS NULL") != 0;
       ++i) {
    std::this_thread::sleep_for(100ms);
  }
  CHECK(bot.Count("SELECT count(*) FROM inbox") == 2);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") == 2);
  CHECK(bot.Log().find(PasswordOf(pg.uri())) == std::string::npos);
}

TEST_CASE(
    "serve with an unreachable or refused PostgreSQL URI stops at once with "
    "one line and no password") {
  support::PgCluster pg;
  REQUIRE_MESSAGE(pg.ok(), pg.error());
  const std::string wrong_password =
      "postgresql://sportello:not-the-Pa55word@" +
      pg.uri().substr(pg.uri().find('@') + 1);
  const std::string nobody_there =
      "postgresql://sportello:hunter2-Secret@" +
      support::LoopbackAddress(support::FreePort()) + "/sportello";
  for (const std::string& uri : {wrong_password, nobody_there}) {
    CAPTURE(uri.substr(0, uri.find(':', 14)));
    const auto started = std::chrono::steady_clock::now();
    const auto run = support::RunSportello(
        {"serve"},
        {{"SPORTELLO_DB", uri},
         {"SPORTELLO_LISTEN", support::LoopbackAddress(0)}},
        "", 30s);
    CHECK(run.exit_code != 0);
    CHECK(run.exit_code != -1);  // it ended by itself
    CHECK(std::chrono::steady_clock::now() - started < 10s);
    const std::string said = run.out + run.err;
    CHECK(said.find("postgresql://sportello:***@") != std::string::npos);
    CHECK(said.find(PasswordOf(uri)) == std::string::npos);
  }
}

}  // namespace
}  // namespace sportello::e2e
