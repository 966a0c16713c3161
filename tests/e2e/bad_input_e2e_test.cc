// Hostile and broken deliveries: a 4xx or a logged ignore, never a crash or
// a 5xx, and the server keeps serving.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"
#include "tests/fakes/whatsapp_webhooks.h"

namespace sportello::e2e {
namespace {

namespace tg = fakes::tg;
namespace wa = fakes::wa;

TEST_CASE("malformed Telegram bodies get a 4xx and the server keeps serving") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  struct Case {
    const char* name;
    std::string body;
    int status;
  };
  const std::string deep = std::string(10'000, '[') + std::string(10'000, ']');
  const std::string deep_object = "{\"a\":" + deep + "}";
  const Case cases[] = {
      {"not JSON", "{not json", 400},
      {"empty", "", 400},
      {"an array", "[1,2,3]", 400},
      {"10,000-deep nesting", deep_object, 400},
      {"invalid UTF-8", "{\"update_id\":1,\"message\":{\"text\":\"\xff\xfe\"}}",
       400},
      {"trailing junk", "{\"update_id\":1} x", 400},
      {"NaN", "{\"update_id\":NaN}", 400},
      {"no update_id", "{\"message\":{}}", 200},
      {"wrong types", "{\"update_id\":\"one\",\"message\":[]}", 200},
      {"unknown kind", "{\"update_id\":77,\"poll\":{\"id\":\"1\"}}", 200},
      {"channel post", tg::ChannelPost(78, -1001234, "news").dump(), 200},
      {"group message",
       tg::GroupMessage(79, tg::Person{}, -4000, "ciao").dump(), 200},
      {"edited message", tg::EditedMessage(80, tg::Person{}, "ciao", 5).dump(),
       200},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(http.PostTelegramBody(c.body, kTelegramSecret).status == c.status);
  }
  // A 1 MB text: authenticated but unusable, kept as a dead letter.
  const std::string huge =
      tg::TextMessage(81, 1, std::string(1'000'000, 'a')).dump();
  CHECK(http.PostTelegramBody(huge, kTelegramSecret).status == 200);
  CHECK(
      http.PostTelegramBody(std::string(3 * 1024 * 1024, ' '), kTelegramSecret)
          .status == 413);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE kind = 'dead_letter'") >=
        2);
  // Still alive and answering.
  CHECK(http.PostTelegramUpdate(tg::TextMessage(82, 1, "ciao"), kTelegramSecret)
            .status == 200);
  CHECK(http.Get("/healthz").status == 200);
  CHECK(bot.service->Running());
}

TEST_CASE(
    "WhatsApp payloads of other fields and unknown message types are "
    "acknowledged and ignored") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  wa::Business biz;
  biz.phone_number_id = bot.whatsapp.phone_number_id();
  auto http = bot.Http();
  CHECK(http.PostWhatsApp(wa::OtherFieldPayload(biz, "account_update").dump(),
                          kAppSecret)
            .status == 200);
  CHECK(http.PostWhatsApp(
                wa::Payload(biz, {wa::OtherMessage("393331112222", "wamid.O",
                                                   "hologram",
                                                   nlohmann::json::object())})
                    .dump(),
                kAppSecret)
            .status == 200);
  CHECK(http.PostWhatsApp("[]", kAppSecret).status == 400);
  CHECK(http.PostWhatsApp(
                "{\"object\":\"whatsapp_business_account\",\"entry\":\"x\"}",
                kAppSecret)
            .status == 200);
  CHECK(http.Get("/healthz").status == 200);
}

TEST_CASE("unknown paths and methods get 404 and 405") {
  Bot bot;
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  CHECK(http.Get("/nope").status == 404);
  CHECK(http.Get("/webhook/telegram").status == 405);
  auto metrics = http.Get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("sportello_updates_received_total") !=
        std::string::npos);
  CHECK(metrics.body.find("sportello_outbox_depth") != std::string::npos);
}

}  // namespace
}  // namespace sportello::e2e
