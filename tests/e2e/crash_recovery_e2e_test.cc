// kill -9 right after updates were acknowledged, then a restart: every
// acknowledged update is processed exactly once and answered; only messages
// in flight to the API at the crash may be sent twice (at-least-once), and
// the service says how many those were.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;

int64_t RequeuedAtStart(const std::string& log) {
  static const std::regex kLine(R"((\d+) message\(s\) were in flight)");
  int64_t total = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine);
       it != std::sregex_iterator(); ++it) {
    total += std::stoll((*it)[1]);
  }
  return total;
}

TEST_CASE(
    "a kill -9 after acknowledging loses no update and processes none twice") {
  constexpr int kChats = 240;
  constexpr int kThreads = 8;
  Bot bot;
  // Slow API answers keep replies in flight at the moment of the kill.
  bot.telegram.DelayNext("sendMessage", 20ms, 5000);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  std::atomic<int> acknowledged{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      auto http = bot.Http();
      for (int i = t; i < kChats; i += kThreads) {
        const int64_t chat = 9'000'000'000 + i;
        if (http.PostTelegramUpdate(tg::TextMessage(100'000 + i, chat, "ciao"),
                                    kTelegramSecret)
                .status == 200) {
          ++acknowledged;
        }
      }
    });
  }
  for (auto& s : senders) s.join();
  bot.service->Kill9();
  REQUIRE(acknowledged == kChats);
  const int64_t pending_at_crash =
      bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL");
  MESSAGE("updates still unprocessed at the kill: " << pending_at_crash);

  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline &&
         (bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL") !=
              0 ||
          bot.Count("SELECT count(*) FROM outbox WHERE state IN "
                    "('pending','sending')") != 0)) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.Count("SELECT count(*) FROM inbox") == kChats);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL") ==
        0);
  // Exactly once: one history row per update, one welcome + one menu per
  // person.
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") ==
        kChats);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'out'") ==
        2 * kChats);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE state = 'sent'") ==
        2 * kChats);

  // Every person got their answer; duplicates only within what was in flight.
  std::set<int64_t> answered;
  size_t ok_calls = 0;
  for (const auto& call : bot.telegram.Calls("sendMessage")) {
    if (call.status != 200) continue;
    ++ok_calls;
    answered.insert(call.body["chat_id"].get<int64_t>());
  }
  CHECK(answered.size() == static_cast<size_t>(kChats));
  const int64_t in_flight = RequeuedAtStart(bot.Log());
  MESSAGE("replies in flight at the kill, sent again: " << in_flight);
  CHECK(ok_calls >= static_cast<size_t>(2 * kChats));
  CHECK(ok_calls <= static_cast<size_t>(2 * kChats + in_flight));
}

TEST_CASE("outbound messages survive a restart and are delivered afterwards") {
  Bot bot;
  bot.telegram.FailWithServerError("sendMessage", 1000);  // the API is down
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  REQUIRE(
      bot.Http()
          .PostTelegramUpdate(tg::TextMessage(1, 123, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(1, 10s, "sendMessage"));
  REQUIRE(bot.service->Terminate() == 0);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE state = 'pending'") == 2);

  fakes::FakeTelegram healthy(bot.telegram.token());
  // Point the restarted service at an API that works.
  support::Env env = bot.Environment();
  env["TELEGRAM_API_BASE"] = healthy.base_url();
  bot.service = std::make_unique<support::ServiceProcess>(
      std::vector<std::string>{"serve"}, env, bot.dir.File("service2.log"));
  REQUIRE_MESSAGE(bot.service->WaitHealthy(), bot.Log());
  REQUIRE_MESSAGE(healthy.WaitForCalls(2, 30s, "sendMessage"), bot.Log());
  CHECK(healthy.SentTexts(123).size() == 2);
}

}  // namespace
}  // namespace sportello::e2e
