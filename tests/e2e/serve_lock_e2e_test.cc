// One service per SQLite file: a second `serve` on a database that is being
// served refuses to start, names the holder, and leaves the first one
// serving; once the first is gone (even by kill -9) the database is free.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a second serve on the same SQLite file refuses to start") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  support::Env env = bot.Environment();
  env["SPORTELLO_LISTEN"] = support::LoopbackAddress(support::FreePort());
  support::ServiceProcess second({"serve"}, env);
  const auto status = second.Wait(10s);
  REQUIRE(status.has_value());
  CHECK(*status != 0);
  const std::string log = second.LogText();
  CHECK_MESSAGE(
      log.find("another sportello is already serving") != std::string::npos,
      log);
  CHECK_MESSAGE(log.find("pid " + std::to_string(bot.service->pid())) !=
                    std::string::npos,
                log);

  SUBCASE("the first keeps serving") {
    auto http = bot.Http();
    CHECK(http.Get("/healthz").status == 200);
    CHECK(http.PostTelegramUpdate(fakes::tg::TextMessage(1, 77, "ciao"),
                                  kTelegramSecret)
              .status == 200);
  }
  SUBCASE("after a kill -9 of the first, a new serve starts") {
    bot.service->Kill9();
    REQUIRE_MESSAGE(bot.Start(), bot.Log());
  }
  SUBCASE("maintenance commands still run beside the service") {
    support::ServiceProcess list({"users", "list"}, bot.Environment());
    const auto listed = list.Wait(10s);
    REQUIRE(listed.has_value());
    CHECK_MESSAGE(*listed == 0, list.LogText());
  }
}

}  // namespace
}  // namespace sportello::e2e
