// The real binary, Telegram side: webhook in, Bot API calls out.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;

TEST_CASE(
    "a young person's first Telegram message gets the welcome and the menu as "
    "inline buttons") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const tg::Person giulia{7'123'456'789'012, "Giulia",
                          "it"};  // an id beyond 32 bits
  auto res = bot.Http().PostTelegramUpdate(
      tg::TextMessage(5001, giulia, "ciao"), kTelegramSecret);
  REQUIRE(res.status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(2, 10s, "sendMessage"), bot.Log());
  const auto calls = bot.telegram.Calls("sendMessage");
  CHECK(calls[0].status == 200);
  CHECK(calls[0].body["chat_id"] == giulia.id);
  CHECK(calls[0].body["text"].get<std::string>().find("Ciao") !=
        std::string::npos);
  const auto& keyboard = calls[1].body["reply_markup"]["inline_keyboard"];
  REQUIRE(keyboard.is_array());
  CHECK(keyboard.size() >= 3);
  CHECK(keyboard[0][0]["callback_data"].get<std::string>().rfind("menu:", 0) ==
        0);
}

TEST_CASE(
    "a pressed button is answered with answerCallbackQuery and its flow") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const tg::Person marco{88'000'111, "Marco", "it"};
  auto http = bot.Http();
  REQUIRE(http.PostTelegramUpdate(tg::TextMessage(100, marco, "ciao"),
                                  kTelegramSecret)
              .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(2, 10s, "sendMessage"));
  REQUIRE(http.PostTelegramUpdate(tg::CallbackQuery(101, marco, "menu:info"),
                                  kTelegramSecret)
              .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(1, 10s, "answerCallbackQuery"),
                  bot.Log());
  REQUIRE(bot.telegram.WaitForCalls(3, 10s, "sendMessage"));
  CHECK(bot.telegram.Calls("answerCallbackQuery")[0].status == 200);
  CHECK(bot.telegram.SentTexts(marco.id).back().find("📍") != std::string::npos);
}

TEST_CASE(
    "a redelivered Telegram update is acknowledged and answered only once") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const auto update = tg::TextMessage(7000, 4242, "ciao");
  auto http = bot.Http();
  for (int i = 0; i < 3; ++i)
    CHECK(http.PostTelegramUpdate(update, kTelegramSecret).status == 200);
  // A lower update_id arriving late is new, not "already seen".
  CHECK(http.PostTelegramUpdate(tg::TextMessage(6999, 4343, "ciao"),
                                kTelegramSecret)
            .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(4, 10s, "sendMessage"));
  std::this_thread::sleep_for(
      300ms);  // give a wrong second reply the time to show up
  CHECK(bot.telegram.SentTexts(4242).size() == 2);
  CHECK(bot.telegram.SentTexts(4343).size() == 2);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE channel = 'telegram'") ==
        2);
}

TEST_CASE(
    "the Telegram webhook refuses a missing or wrong secret before reading the "
    "body") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  const auto update = tg::TextMessage(1, 99, "ciao").dump();
  CHECK(http.PostTelegramBody(update, "").status == 401);
  CHECK(http.PostTelegramBody(update, "wrong").status == 401);
  CHECK(http.PostTelegramBody("{not json", "wrong").status == 401);
  CHECK(bot.Count("SELECT count(*) FROM inbox") == 0);
  CHECK(bot.Log().find(kTelegramSecret) == std::string::npos);
}

TEST_CASE(
    "a person who blocks the bot is marked blocked and gets nothing more") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const tg::Person anna{31337, "Anna", "it"};
  auto http = bot.Http();
  REQUIRE(
      http.PostTelegramUpdate(tg::TextMessage(1, anna, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(2, 10s, "sendMessage"));
  REQUIRE(http.PostTelegramUpdate(tg::MyChatMember(2, anna, "kicked"),
                                  kTelegramSecret)
              .status == 200);
  for (int i = 0;
       i < 100 &&
       bot.Count("SELECT blocked FROM users WHERE external_id = '31337'") != 1;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.Count("SELECT blocked FROM users WHERE external_id = '31337'") ==
        1);
  REQUIRE(http.PostTelegramUpdate(tg::MyChatMember(3, anna, "member"),
                                  kTelegramSecret)
              .status == 200);
  for (int i = 0;
       i < 100 &&
       bot.Count("SELECT blocked FROM users WHERE external_id = '31337'") != 0;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.Count("SELECT blocked FROM users WHERE external_id = '31337'") ==
        0);
}

TEST_CASE(
    "Telegram 403 blocked marks the person unreachable and the reply failed") {
  Bot bot;
  bot.telegram.BlockChat(5150);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  REQUIRE(
      bot.Http()
          .PostTelegramUpdate(tg::TextMessage(1, 5150, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(1, 10s, "sendMessage"));
  for (int i = 0;
       i < 100 &&
       bot.Count("SELECT unreachable FROM users WHERE external_id = '5150'") !=
           1;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.Count("SELECT unreachable FROM users WHERE external_id = '5150'") ==
        1);
  // The second part of the answer is not even attempted.
  for (int i = 0;
       i < 100 &&
       bot.Count("SELECT count(*) FROM outbox WHERE state = 'failed'") < 2;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.telegram.CallCount("sendMessage") == 1);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'out' AND "
                  "status = 'failed'") == 2);
}

TEST_CASE("a 429 with retry_after delays the reply and then delivers it") {
  Bot bot;
  bot.telegram.FailWithRetryAfter("sendMessage", 1, 1);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(
      bot.Http()
          .PostTelegramUpdate(tg::TextMessage(1, 777, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(3, 15s, "sendMessage"), bot.Log());
  const auto calls = bot.telegram.Calls("sendMessage");
  CHECK(calls[0].status == 429);
  CHECK(calls[1].status == 200);
  CHECK(calls[1].body["text"] ==
        calls[0].body["text"]);  // the same message, retried
  CHECK(calls[1].at - started >= 900ms);
}

TEST_CASE("a 500 from Telegram is retried until the message goes through") {
  Bot bot;
  bot.telegram.FailWithServerError("sendMessage", 2);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  REQUIRE(
      bot.Http()
          .PostTelegramUpdate(tg::TextMessage(1, 778, "ciao"), kTelegramSecret)
          .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(4, 20s, "sendMessage"), bot.Log());
  CHECK(bot.telegram.SentTexts(778).size() == 2);
}

}  // namespace
}  // namespace sportello::e2e
