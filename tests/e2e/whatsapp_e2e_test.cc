// The real binary, WhatsApp side: signed webhooks in, Cloud API calls out.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/fakes/whatsapp_webhooks.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace wa = fakes::wa;

std::string Body(const Bot& bot, std::vector<nlohmann::json> messages,
                 std::vector<nlohmann::json> statuses = {}) {
  wa::Business biz;
  biz.phone_number_id = bot.whatsapp.phone_number_id();
  return wa::Payload(biz, messages, statuses).dump();
}

template <typename F>
bool Eventually(F&& condition, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

TEST_CASE(
    "Meta's verification handshake echoes the challenge only for our verify "
    "token") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  auto ok = http.Get(std::string("/webhook/"
                                 "whatsapp?hub.mode=subscribe&hub.challenge="
                                 "1158201444&hub.verify_token=") +
                     kVerifyToken);
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");
  CHECK(http.Get("/webhook/"
                 "whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token="
                 "nope")
            .status == 403);
  CHECK(http.Get("/webhook/whatsapp?hub.mode=subscribe").status == 400);
}

TEST_CASE("a WhatsApp message gets the welcome and a list of menu choices") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const std::string body =
      Body(bot, {wa::Text("393331234567", "wamid.IN1", "ciao")});
  REQUIRE(bot.Http().PostWhatsApp(body, kAppSecret).status == 200);
  REQUIRE_MESSAGE(bot.whatsapp.WaitForCalls(2, 10s), bot.Log());
  const auto sent = bot.whatsapp.Accepted("393331234567");
  REQUIRE(sent.size() == 2);
  CHECK(sent[0]["type"] == "text");
  CHECK(sent[1]["type"] == "interactive");
  CHECK(sent[1]["interactive"]["type"] ==
        "list");  // five menu entries: more than 3 buttons
}

TEST_CASE(
    "a WhatsApp delivery with a bad signature is refused and stores nothing") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const std::string body =
      Body(bot, {wa::Text("393330000001", "wamid.X", "ciao")});
  auto http = bot.Http();
  CHECK(http.PostWhatsApp(body, "not-the-secret").status == 401);
  CHECK(http.Post("/webhook/whatsapp", body).status == 401);
  CHECK(
      http.Post("/webhook/whatsapp", body, {{wa::kSignatureHeader, "sha1=abc"}})
          .status == 401);
  CHECK(bot.Count("SELECT count(*) FROM inbox") == 0);
}

TEST_CASE(
    "a batch of WhatsApp messages from several people is stored and answered "
    "per person") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const std::string body =
      Body(bot, {wa::Text("393330000011", "wamid.B1", "ciao"),
                 wa::Text("393330000022", "wamid.B2", "ciao"),
                 wa::Text("393330000033", "wamid.B3", "ciao")});
  auto http = bot.Http();
  REQUIRE(http.PostWhatsApp(body, kAppSecret).status == 200);
  REQUIRE(http.PostWhatsApp(body, kAppSecret).status ==
          200);  // Meta's duplicate delivery
  REQUIRE_MESSAGE(bot.whatsapp.WaitForCalls(6, 10s), bot.Log());
  std::this_thread::sleep_for(300ms);
  CHECK(bot.whatsapp.CallCount() == 6);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE channel = 'whatsapp'") ==
        3);
}

TEST_CASE("delivery statuses move a sent message forward and never back") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  REQUIRE(http.PostWhatsApp(
                  Body(bot, {wa::Text("393339999999", "wamid.S1", "ciao")}),
                  kAppSecret)
              .status == 200);
  REQUIRE(bot.whatsapp.WaitForCalls(2, 10s));
  const auto first =
      bot.whatsapp.Calls()[0].response["messages"][0]["id"].get<std::string>();
  REQUIRE(Eventually([&] {
    return bot.Count(
               "SELECT count(*) FROM messages WHERE provider_message_id = '" +
               first + "'") == 1;
  }));
  // read arrives before delivered; then a late sent.
  REQUIRE(http.PostWhatsApp(
                  Body(bot, {}, {wa::Status(first, "393339999999", "read")}),
                  kAppSecret)
              .status == 200);
  REQUIRE(
      http.PostWhatsApp(
              Body(bot, {}, {wa::Status(first, "393339999999", "delivered")}),
              kAppSecret)
          .status == 200);
  REQUIRE(http.PostWhatsApp(
                  Body(bot, {}, {wa::Status(first, "393339999999", "sent")}),
                  kAppSecret)
              .status == 200);
  const std::string status_sql =
      "SELECT status = 'read' FROM messages WHERE provider_message_id = '" +
      first + "'";
  REQUIRE(Eventually([&] {
    return bot.Count(
               "SELECT count(*) FROM inbox WHERE kind = 'status' AND "
               "processed_at IS NOT NULL") == 3;
  }));
  CHECK(bot.Count(status_sql) == 1);
}

TEST_CASE("an undeliverable WhatsApp number (131026) is marked unreachable") {
  Bot bot;
  bot.whatsapp.FailNext(131026, 1);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  REQUIRE(bot.Http()
              .PostWhatsApp(
                  Body(bot, {wa::Text("393330000404", "wamid.U1", "ciao")}),
                  kAppSecret)
              .status == 200);
  REQUIRE(bot.whatsapp.WaitForCalls(1, 10s));
  CHECK(Eventually([&] {
    return bot.Count(
               "SELECT unreachable FROM users WHERE external_id = "
               "'393330000404'") == 1;
  }));
}

}  // namespace
}  // namespace sportello::e2e
