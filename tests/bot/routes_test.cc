// The HTTP contract, called as a function: status codes and bodies.
#include <doctest/doctest.h>

#include "bot/channels/webhook_auth.h"
#include "storage/messages.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

const char* kUpdate =
    R"({"update_id":10,"message":{"message_id":1,"date":1700000000,"chat":{"id":42,"type":"private"},)"
    R"("from":{"id":42,"is_bot":false,"first_name":"Lia"},"text":"ciao"}})";

TEST_CASE(
    "the Telegram webhook answers 401 without the secret and 200 with it") {
  TestBot bot;
  CHECK(bot.Request("POST", "/webhook/telegram", kUpdate).status == 401);
  CHECK(bot.Request("POST", "/webhook/telegram", kUpdate,
                    {{"x-telegram-bot-api-secret-token", "nope"}})
            .status == 401);
  CHECK(bot.Request("POST", "/webhook/telegram", kUpdate,
                    {{"x-telegram-bot-api-secret-token", kSecret}})
            .status == 200);
  CHECK(bot.metrics.Get(
            "sportello_updates_rejected_total",
            {{"channel", "telegram"}, {"reason", "unauthorized"}}) == 2);
}

TEST_CASE(
    "a Telegram body that is not a JSON object is a 400 with the reason") {
  TestBot bot;
  auto r = bot.Request("POST", "/webhook/telegram", "[1]",
                       {{"x-telegram-bot-api-secret-token", kSecret}});
  CHECK(r.status == 400);
  CHECK(r.body.find("error") != std::string::npos);
}

TEST_CASE("the WhatsApp webhook checks the signature over the exact bytes") {
  TestBot bot;
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[]})";
  const std::string good =
      "sha256=" + channels::HmacSha256Hex("wa-secret", body);
  CHECK(bot.Request("POST", "/webhook/whatsapp", body,
                    {{"x-hub-signature-256", good}})
            .status == 200);
  CHECK(bot.Request("POST", "/webhook/whatsapp", body + " ",
                    {{"x-hub-signature-256", good}})
            .status == 401);
  CHECK(bot.Request("POST", "/webhook/whatsapp", body).status == 401);
}

TEST_CASE("the WhatsApp verification answers the challenge as plain text") {
  TestBot bot;
  auto ok = bot.Request("GET", "/webhook/whatsapp", "", {},
                        {{"hub.mode", "subscribe"},
                         {"hub.verify_token", "wa-verify"},
                         {"hub.challenge", "abc"}});
  CHECK(ok.status == 200);
  CHECK(ok.body == "abc");
  CHECK(ok.content_type == "text/plain");
  auto wrong = bot.Request("GET", "/webhook/whatsapp", "", {},
                           {{"hub.mode", "subscribe"},
                            {"hub.verify_token", "x"},
                            {"hub.challenge", "abc"}});
  CHECK(wrong.status == 403);
}

TEST_CASE("the web chat rejects bad requests with a clear 400") {
  TestBot bot;
  struct Case {
    const char* name;
    std::string body;
  };
  const Case cases[] = {
      {"not JSON", "hello"},
      {"no user", R"({"text":"ciao"})"},
      {"user with spaces", R"({"user":"a b","text":"ciao"})"},
      {"neither text nor button", R"({"user":"u1"})"},
      {"text not a string", R"({"user":"u1","text":5})"},
      {"button too long",
       R"({"user":"u1","button":")" + std::string(65, 'x') + R"("})"},
      {"text too long",
       R"({"user":"u1","text":")" + std::string(20000, 'x') + R"("})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto r = bot.Request("POST", "/api/chat", c.body);
    CHECK(r.status == 400);
    CHECK(nlohmann::json::parse(r.body, nullptr, false).contains("error"));
  }
}

TEST_CASE("a channel that is off answers 404 on its webhook") {
  TestBot bot;
  bot.config.telegram.token.clear();
  bot.Restart();  // the configuration is read at start
  CHECK(bot.Request("POST", "/webhook/telegram", kUpdate,
                    {{"x-telegram-bot-api-secret-token", kSecret}})
            .status == 404);
}

TEST_CASE("the health check answers 200 while the database answers") {
  TestBot bot;
  auto r = bot.Request("GET", "/healthz");
  CHECK(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["status"] == "ok");
}

}  // namespace
}  // namespace sportello::testing

namespace sportello::testing {
namespace {

TEST_CASE("a web chat button title is cut to 256 bytes between characters") {
  TestBot bot;
  // 255 ASCII bytes, then a two-byte "è" that would straddle byte 256.
  const std::string title = std::string(255, 'x') + "\xC3\xA8" + "tail";
  auto r = bot.Request(
      "POST", "/api/chat",
      nlohmann::json{{"user", "u-title"}, {"button", "menu"}, {"title", title}}
          .dump());
  REQUIRE(r.status == 200);
  auto reader = bot.store->OpenReader();
  REQUIRE(reader.ok());
  auto history = storage::ConversationMessages(**reader, 1, 10);
  REQUIRE(history.ok());
  REQUIRE_FALSE(history->empty());
  CHECK(history->front().direction == "in");
  CHECK(history->front().text == std::string(255, 'x'));
}

}  // namespace
}  // namespace sportello::testing
