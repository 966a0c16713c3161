// The real binary, Telegram side: webhook in, Bot API calls out.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"
#include "tests/support/process.h"

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

// A centre's own bot, served beside the region's by the same process.
constexpr const char* kCentreBotToken = "777001:CENTRE-bot_token";
constexpr const char* kCentreBotId = "777001";

// Adds the centre's bot to the fake and the service, and CPI Molfetta
// (centre 2) as its owner.
void AddCentreBot(Bot& bot) {
  bot.telegram.AddBot(kCentreBotToken);
  bot.extra["TELEGRAM_CENTRE_BOT_TOKENS"] = kCentreBotToken;
  const auto added = support::RunSportello(
      {"centres", "add", "--name", "CPI Molfetta", "--address",
       "Via Martiri di Via Fani, Molfetta", "--telegram-bot-id", kCentreBotId},
      bot.Environment());
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
}

support::HttpResponse PostToCentreBot(
    support::HttpClient& http, const nlohmann::json& update,
    const std::string& path = std::string("/webhook/telegram/") +
                              kCentreBotId) {
  return http.Post(path, update.dump(), {{tg::kSecretHeader, kTelegramSecret}});
}

// The tokens the fake's calls of `method` were made with, in order.
std::vector<std::string> TokensOf(const Bot& bot, std::string_view method) {
  std::vector<std::string> tokens;
  for (const auto& call : bot.telegram.Calls(method))
    tokens.push_back(fakes::FakeTelegram::TokenOf(call));
  return tokens;
}

std::string CentreOf(int64_t person) {
  return "SELECT c.centre_id FROM conversations c JOIN users u ON u.id = "
         "c.user_id WHERE u.channel = 'telegram' AND u.external_id = '" +
         std::to_string(person) + "'";
}

TEST_CASE(
    "a centre's own Telegram bot: its people belong to that centre and every "
    "answer, button answers too, comes from that bot") {
  Bot bot;
  AddCentreBot(bot);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  const tg::Person paola{66'000'111, "Paola", "it"};

  REQUIRE(PostToCentreBot(http, tg::TextMessage(10, paola, "ciao")).status ==
          200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(2, 10s, "sendMessage"), bot.Log());
  CHECK(bot.Count(CentreOf(paola.id)) == 2);

  REQUIRE(
      PostToCentreBot(http, tg::CallbackQuery(11, paola, "menu:info")).status ==
      200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(1, 10s, "answerCallbackQuery"),
                  bot.Log());
  REQUIRE(bot.telegram.WaitForCalls(3, 10s, "sendMessage"));
  CHECK(bot.telegram.Calls("answerCallbackQuery")[0].status == 200);
  // What it tells of the centre is Molfetta's.
  CHECK(bot.telegram.SentTexts(paola.id).back().find("Molfetta") !=
        std::string::npos);
  for (const auto& token : TokensOf(bot, "sendMessage"))
    CHECK(token == kCentreBotToken);
  CHECK(TokensOf(bot, "answerCallbackQuery") ==
        std::vector<std::string>{kCentreBotToken});

  // The region's bot numbers its updates on its own: its update 10 is
  // another update, answered by the region's bot.
  const tg::Person luca{66'000'222, "Luca", "it"};
  REQUIRE(http.PostTelegramUpdate(tg::TextMessage(10, luca, "ciao"),
                                  kTelegramSecret)
              .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(5, 10s, "sendMessage"), bot.Log());
  for (const auto& call : bot.telegram.Calls("sendMessage")) {
    if (call.body["chat_id"] == luca.id)
      CHECK(fakes::FakeTelegram::TokenOf(call) == bot.telegram.token());
  }
  CHECK(bot.Count(CentreOf(luca.id)) == 1);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE channel = 'telegram'") ==
        3);
}

TEST_CASE(
    "a centre bot's webhook checks the secret, and a bot that is not "
    "configured has no webhook") {
  Bot bot;
  AddCentreBot(bot);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  const auto update = tg::TextMessage(1, 99, "ciao").dump();
  const std::string path = std::string("/webhook/telegram/") + kCentreBotId;
  CHECK(http.Post(path, update).status == 401);
  CHECK(http.Post(path, update, {{tg::kSecretHeader, "wrong"}}).status == 401);
  CHECK(PostToCentreBot(http, tg::TextMessage(1, 99, "ciao"),
                        "/webhook/telegram/123")
            .status == 404);
  CHECK(PostToCentreBot(http, tg::TextMessage(1, 99, "ciao"),
                        "/webhook/telegram/")
            .status == 404);
  CHECK(http.Get(path).status == 405);
  CHECK(bot.Count("SELECT count(*) FROM inbox") == 0);
  CHECK(bot.Log().find("CENTRE-bot_token") == std::string::npos);
}

TEST_CASE(
    "a configured bot that is no centre's is acknowledged and not answered") {
  Bot bot;
  bot.telegram.AddBot(kCentreBotToken);
  bot.extra["TELEGRAM_CENTRE_BOT_TOKENS"] = kCentreBotToken;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  REQUIRE(PostToCentreBot(http, tg::TextMessage(1, 4711, "ciao")).status ==
          200);
  for (int i = 0;
       i < 100 &&
       bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NOT "
                 "NULL") != 1;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NOT "
                  "NULL") == 1);
  std::this_thread::sleep_for(300ms);
  CHECK(bot.telegram.CallCount("sendMessage") == 0);
  CHECK(bot.Count("SELECT count(*) FROM users") == 0);
}

TEST_CASE(
    "polling: each bot is polled on its own, and each answers its own people") {
  Bot bot;
  AddCentreBot(bot);
  bot.extra["TELEGRAM_MODE"] = "polling";
  bot.telegram.SetMaxPollWait(200ms);
  const tg::Person paola{66'000'333, "Paola", "it"};
  const tg::Person luca{66'000'444, "Luca", "it"};
  bot.telegram.QueueUpdate(tg::TextMessage(1, luca, "ciao"));
  bot.telegram.QueueUpdate(tg::TextMessage(1, paola, "ciao"), kCentreBotToken);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(4, 10s, "sendMessage"), bot.Log());
  for (const auto& call : bot.telegram.Calls("sendMessage")) {
    CHECK(fakes::FakeTelegram::TokenOf(call) ==
          (call.body["chat_id"] == paola.id ? std::string(kCentreBotToken)
                                            : bot.telegram.token()));
  }
  CHECK(bot.Count(CentreOf(paola.id)) == 2);
  CHECK(bot.Count(CentreOf(luca.id)) == 1);
  // Both confirmed, each with its own offset.
  REQUIRE(bot.telegram.WaitForPoller(10s));
  REQUIRE(bot.telegram.WaitForPoller(10s, kCentreBotToken));
  for (int i = 0; i < 100 && (bot.telegram.PendingUpdates() +
                              bot.telegram.PendingUpdates(kCentreBotToken)) > 0;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(bot.telegram.PendingUpdates() == 0);
  CHECK(bot.telegram.PendingUpdates(kCentreBotToken) == 0);
  CHECK(bot.Count("SELECT count(*) FROM settings WHERE key LIKE "
                  "'telegram.poll_offset%'") == 2);
}

}  // namespace
}  // namespace sportello::e2e
