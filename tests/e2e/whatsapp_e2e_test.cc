// The real binary, WhatsApp side: signed webhooks in, Cloud API calls out.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/fakes/whatsapp_webhooks.h"
#include "tests/support/process.h"

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

// Where each call to the fake went from: the phone number id in its path.
std::vector<std::string> SentFrom(const Bot& bot) {
  std::vector<std::string> numbers;
  for (const auto& call : bot.whatsapp.Calls()) {
    const std::string& path = call.path;  // "/v21.0/<number>/messages"
    const size_t start = path.find('/', 1) + 1;
    numbers.push_back(path.substr(start, path.find('/', start) - start));
  }
  return numbers;
}

TEST_CASE(
    "a centre's own WhatsApp number: its people belong to that centre and "
    "are answered from it") {
  Bot bot;
  const auto added =
      support::RunSportello({"centres", "add", "--name", "CPI Molfetta",
                             "--whatsapp-phone-number-id", kCentreNumber},
                            bot.Environment());
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  const std::string person = "393331112223";
  const std::string centre_of =
      "SELECT c.centre_id FROM conversations c JOIN users u ON u.id = "
      "c.user_id WHERE u.external_id = '" +
      person + "'";

  wa::Business molfetta;
  molfetta.phone_number_id = kCentreNumber;
  REQUIRE(http.PostWhatsApp(
                  wa::Payload(molfetta, {wa::Text(person, "wamid.M1", "ciao")})
                      .dump(),
                  kAppSecret)
              .status == 200);
  REQUIRE_MESSAGE(bot.whatsapp.WaitForCalls(2, 10s), bot.Log());
  CHECK(SentFrom(bot) ==
        std::vector<std::string>{kCentreNumber, kCentreNumber});
  CHECK(bot.whatsapp.Accepted(person).size() == 2);
  CHECK(bot.Count(centre_of) == 2);

  // Writing to the regional number: answered from there, still Molfetta's.
  REQUIRE(http.PostWhatsApp(Body(bot, {wa::Text(person, "wamid.M2", "menu")}),
                            kAppSecret)
              .status == 200);
  REQUIRE_MESSAGE(bot.whatsapp.WaitForCalls(3, 10s), bot.Log());
  std::this_thread::sleep_for(300ms);
  const auto from = SentFrom(bot);
  REQUIRE(from.size() >= 3);
  for (size_t i = 2; i < from.size(); ++i)
    CHECK(from[i] == bot.whatsapp.phone_number_id());
  CHECK(bot.Count(centre_of) == 2);
}

TEST_CASE("a message to a number that is no centre's is not answered") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  wa::Business stranger;
  stranger.phone_number_id = "555000111";
  REQUIRE(bot.Http()
              .PostWhatsApp(
                  wa::Payload(stranger,
                              {wa::Text("393339990001", "wamid.S1", "ciao")})
                      .dump(),
                  kAppSecret)
              .status == 200);
  // Stored (it was acknowledged), then set aside without a reply.
  REQUIRE(Eventually([&] {
    return bot.Count(
               "SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL") ==
           1;
  }));
  std::this_thread::sleep_for(300ms);
  CHECK(bot.whatsapp.CallCount() == 0);
  CHECK(bot.Count("SELECT count(*) FROM users") == 0);
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
