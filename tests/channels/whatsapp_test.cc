#include "bot/channels/whatsapp.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

using sportello::channels::ParseWhatsAppWebhook;
namespace core = sportello::core;
using Json = nlohmann::json;

namespace {

constexpr char kOurs[] = "106540352242922";

// A change of field "messages" wrapped in entry and payload, as Meta sends it
// (PROTOCOLS.md §2). `value_items` goes after metadata and contacts.
std::string Payload(std::string_view value_items,
                    std::string_view phone_number_id = kOurs) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[
    {"field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"display_phone_number":"390801234567","phone_number_id":")" +
         std::string(phone_number_id) + R"("},
      "contacts":[{"profile":{"name":"Giulia Rossi"},"wa_id":"393331234567"}],)" +
         std::string(value_items) + "}}]}]}";
}

std::string OneMessage(
    std::string_view type_and_payload,
    std::string_view id = "wamid.HBgMMzkzMzMxMjM0NTY3FQIAEhggQTE=") {
  return Payload(R"("messages":[{"from":"393331234567","id":")" +
                 std::string(id) + R"(","timestamp":"1795000000",)" +
                 std::string(type_and_payload) + "}]");
}

std::vector<core::Update> Parse(std::string_view body,
                                std::string_view ours = kOurs) {
  auto updates = ParseWhatsAppWebhook(body, ours);
  REQUIRE(updates.ok());
  return std::move(updates).value();
}

core::Update Single(std::string_view body) {
  std::vector<core::Update> updates = Parse(body);
  REQUIRE(updates.size() == 1);
  return std::move(updates.front());
}

core::InboundMessage Inbound(std::string_view body) {
  const core::Update update = Single(body);
  if (const auto* dead = std::get_if<core::DeadLetter>(&update))
    FAIL_CHECK(dead->reason);
  if (const auto* ignored = std::get_if<core::Ignored>(&update))
    FAIL_CHECK(ignored->reason);
  REQUIRE(std::holds_alternative<core::InboundMessage>(update));
  return std::get<core::InboundMessage>(update);
}

core::DeadLetter Dead(std::string_view body) {
  const core::Update update = Single(body);
  REQUIRE(std::holds_alternative<core::DeadLetter>(update));
  return std::get<core::DeadLetter>(update);
}

std::string IgnoredReason(const core::Update& update) {
  REQUIRE(std::holds_alternative<core::Ignored>(update));
  return std::get<core::Ignored>(update).reason;
}

}  // namespace

TEST_CASE("a whatsapp text becomes an inbound text keyed by its wamid") {
  const core::InboundMessage msg = Inbound(
      OneMessage(R"("type":"text","text":{"body":"ciao cerco lavoro"})"));
  CHECK(msg.channel == core::Channel::kWhatsApp);
  CHECK(msg.dedupe_key == "wamid.HBgMMzkzMzMxMjM0NTY3FQIAEhggQTE=");
  CHECK(msg.message_id == msg.dedupe_key);
  CHECK(msg.user_id == "393331234567");
  CHECK(msg.chat_id == "393331234567");
  CHECK(msg.user_name == "Giulia Rossi");
  CHECK(msg.kind == core::InboundKind::kText);
  CHECK(msg.text == "ciao cerco lavoro");
  CHECK(msg.sent_at == 1795000000);
}

TEST_CASE("raw holds only the one message not the whole batch") {
  const core::InboundMessage msg =
      Inbound(OneMessage(R"("type":"text","text":{"body":"x"})"));
  const Json raw = Json::parse(msg.raw);
  CHECK(raw["id"] == "wamid.HBgMMzkzMzMxMjM0NTY3FQIAEhggQTE=");
  CHECK(raw["text"]["body"] == "x");
  CHECK_FALSE(raw.contains("entry"));
}

TEST_CASE("reply buttons list rows and template buttons become buttons") {
  SUBCASE("reply button") {
    const core::InboundMessage msg = Inbound(OneMessage(R"("type":"interactive",
      "context":{"from":"390801234567","id":"wamid.ORIG"},
      "interactive":{"type":"button_reply","button_reply":{"id":"menu:jobs","title":"Lavoro"}})"));
    CHECK(msg.kind == core::InboundKind::kButton);
    CHECK(msg.button_id == "menu:jobs");
    CHECK(msg.text == "Lavoro");
  }
  SUBCASE("list row") {
    const core::InboundMessage msg = Inbound(OneMessage(R"("type":"interactive",
      "interactive":{"type":"list_reply","list_reply":{"id":"vac:17","title":"Cameriere - Bari",
                     "description":"Ristorante"}})"));
    CHECK(msg.kind == core::InboundKind::kButton);
    CHECK(msg.button_id == "vac:17");
    CHECK(msg.text == "Cameriere - Bari");
  }
  SUBCASE("template quick reply") {
    const core::InboundMessage msg = Inbound(OneMessage(R"("type":"button",
      "button":{"payload":"confirm:booking:9","text":"Confermo"})"));
    CHECK(msg.kind == core::InboundKind::kButton);
    CHECK(msg.button_id == "confirm:booking:9");
    CHECK(msg.text == "Confermo");
  }
}

TEST_CASE("other interactive replies become kind other") {
  CHECK(Inbound(OneMessage(
                    R"("type":"interactive","interactive":{"type":"nfm_reply",
      "nfm_reply":{"response_json":"{}"}})"))
            .kind == core::InboundKind::kOther);
}

TEST_CASE("a whatsapp location becomes latitude and longitude") {
  const core::InboundMessage msg = Inbound(OneMessage(R"("type":"location",
    "location":{"latitude":41.1171,"longitude":16.8719,"name":"Centro per l'impiego","address":"Via X"})"));
  CHECK(msg.kind == core::InboundKind::kLocation);
  CHECK(*msg.latitude == doctest::Approx(41.1171));
  CHECK(*msg.longitude == doctest::Approx(16.8719));
}

TEST_CASE("whatsapp media become media with the caption as text") {
  for (const char* type : {"image", "document", "audio", "video", "sticker"}) {
    CAPTURE(type);
    const core::InboundMessage msg = Inbound(OneMessage(
        R"("type":")" + std::string(type) + R"(",")" + type +
        R"(":{"caption":"curriculum","mime_type":"image/jpeg","sha256":"abc","id":"1234"})"));
    CHECK(msg.kind == core::InboundKind::kMedia);
    CHECK(msg.text == "curriculum");
  }
  const core::InboundMessage voice = Inbound(OneMessage(R"("type":"audio",
    "audio":{"mime_type":"audio/ogg; codecs=opus","sha256":"x","id":"55","voice":true})"));
  CHECK(voice.kind == core::InboundKind::kMedia);
  CHECK(voice.text.empty());
}

TEST_CASE("a shared contact card is a contact without the sender's phone") {
  const core::InboundMessage msg = Inbound(OneMessage(R"("type":"contacts",
    "contacts":[{"name":{"formatted_name":"Anna"},"phones":[{"phone":"+39 080 1234567","wa_id":"390801234567"}]}])"));
  CHECK(msg.kind == core::InboundKind::kContact);
  CHECK(msg.contact_phone.empty());
}

TEST_CASE("reactions are ignored") {
  CHECK(IgnoredReason(Single(OneMessage(R"("type":"reaction",
    "reaction":{"message_id":"wamid.OURS","emoji":"👍"})"))) ==
        "whatsapp: message type reaction");
}

TEST_CASE("unsupported and unknown types become kind other") {
  CHECK(Inbound(OneMessage(R"("type":"unsupported","errors":[{"code":131051,
    "title":"Message type unknown"}])"))
            .kind == core::InboundKind::kOther);
  CHECK(Inbound(OneMessage(R"("type":"hologram","hologram":{})")).kind ==
        core::InboundKind::kOther);
  CHECK(Inbound(
            OneMessage(R"("type":"system","system":{"body":"changed number"})"))
            .kind == core::InboundKind::kOther);
}

TEST_CASE("delivery receipts become status updates keyed by wamid and status") {
  const std::vector<core::Update> updates = Parse(Payload(R"("statuses":[
    {"id":"wamid.OUT1","status":"sent","timestamp":"1795000001","recipient_id":"393331234567",
     "conversation":{"id":"c1","origin":{"type":"service"}},"pricing":{"billable":false}},
    {"id":"wamid.OUT1","status":"delivered","timestamp":"1795000002","recipient_id":"393331234567"},
    {"id":"wamid.OUT1","status":"read","timestamp":"1795000003","recipient_id":"393331234567"},
    {"id":"wamid.OUT2","status":"played","timestamp":"1795000004","recipient_id":"393331234567"},
    {"id":"wamid.OUT3","status":"failed","timestamp":"1795000005","recipient_id":"393331234567",
     "errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable",
                "error_data":{"details":"x"}}]}])"));
  REQUIRE(updates.size() == 5);
  const core::DeliveryState states[] = {
      core::DeliveryState::kSent, core::DeliveryState::kDelivered,
      core::DeliveryState::kRead, core::DeliveryState::kPlayed,
      core::DeliveryState::kFailed};
  const char* keys[] = {"wamid.OUT1:sent", "wamid.OUT1:delivered",
                        "wamid.OUT1:read", "wamid.OUT2:played",
                        "wamid.OUT3:failed"};
  for (size_t i = 0; i < updates.size(); ++i) {
    CAPTURE(i);
    REQUIRE(std::holds_alternative<core::StatusUpdate>(updates[i]));
    const auto& status = std::get<core::StatusUpdate>(updates[i]);
    CHECK(status.state == states[i]);
    CHECK(status.dedupe_key == keys[i]);
    CHECK(status.recipient == "393331234567");
    CHECK(status.at == 1795000001 + static_cast<int64_t>(i));
    CHECK(Json::parse(status.raw)["id"] == status.provider_message_id);
  }
  const auto& failed = std::get<core::StatusUpdate>(updates[4]);
  CHECK(failed.provider_message_id == "wamid.OUT3");
  CHECK(failed.error_code == 131026);
  CHECK(failed.error_title == "Message undeliverable");
  CHECK(std::get<core::StatusUpdate>(updates[0]).error_code == 0);
}

TEST_CASE("unknown statuses are ignored") {
  CHECK(IgnoredReason(
            Single(Payload(R"("statuses":[{"id":"wamid.X","status":"deleted",
    "timestamp":"1","recipient_id":"39"}])"))) == "whatsapp: status deleted");
}

TEST_CASE(
    "a batch yields every message and status of every entry and change in "
    "order") {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[
    {"id":"1","changes":[
      {"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},
        "contacts":[{"profile":{"name":"A"},"wa_id":"391"},{"profile":{"name":"B"},"wa_id":"392"}],
        "messages":[
          {"from":"391","id":"wamid.A1","timestamp":"10","type":"text","text":{"body":"uno"}},
          {"from":"392","id":"wamid.B1","timestamp":"11","type":"text","text":{"body":"due"}}]}},
      {"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},
        "statuses":[{"id":"wamid.OUT","status":"read","timestamp":"12","recipient_id":"391"}]}}]},
    {"id":"2","changes":[
      {"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},
        "messages":[{"from":"393","id":"wamid.C1","timestamp":"13","type":"text","text":{"body":"tre"}}]}}]}]})";
  const std::vector<core::Update> updates = Parse(body);
  REQUIRE(updates.size() == 4);
  CHECK(std::get<core::InboundMessage>(updates[0]).text == "uno");
  CHECK(std::get<core::InboundMessage>(updates[0]).user_name == "A");
  CHECK(std::get<core::InboundMessage>(updates[1]).text == "due");
  CHECK(std::get<core::InboundMessage>(updates[1]).user_name == "B");
  CHECK(std::get<core::StatusUpdate>(updates[2]).dedupe_key ==
        "wamid.OUT:read");
  CHECK(std::get<core::InboundMessage>(updates[3]).text == "tre");
  CHECK(std::get<core::InboundMessage>(updates[3]).user_name.empty());
}

TEST_CASE(
    "one bad message in a batch is a dead letter and the others still parse") {
  const std::vector<core::Update> updates = Parse(Payload(R"("messages":[
    {"from":"391","id":"wamid.OK1","timestamp":"10","type":"text","text":{"body":"uno"}},
    {"from":"391","id":"wamid.BAD","timestamp":"11","type":"text","text":{"bodi":"typo"}},
    {"from":"391","id":"wamid.OK2","timestamp":"12","type":"text","text":{"body":"tre"}}])"));
  REQUIRE(updates.size() == 3);
  CHECK(std::get<core::InboundMessage>(updates[0]).dedupe_key == "wamid.OK1");
  REQUIRE(std::holds_alternative<core::DeadLetter>(updates[1]));
  const auto& dead = std::get<core::DeadLetter>(updates[1]);
  CHECK(dead.reason == "whatsapp: message.text.body missing");
  CHECK(dead.dedupe_key == "wamid.BAD");
  CHECK(Json::parse(dead.raw)["id"] == "wamid.BAD");
  CHECK(std::get<core::InboundMessage>(updates[2]).dedupe_key == "wamid.OK2");
}

TEST_CASE(
    "missing or wrong-typed message fields become dead letters naming the "
    "field") {
  struct Case {
    std::string message;
    std::string reason;
    std::string key;
  };
  const Case cases[] = {
      {R"("x")", "whatsapp: message is not an object", ""},
      {R"({"from":"391","timestamp":"1","type":"text","text":{"body":"x"}})",
       "whatsapp: message.id missing", ""},
      {R"({"id":7,"from":"391","timestamp":"1","type":"text","text":{"body":"x"}})",
       "whatsapp: message.id is not a string", ""},
      {R"({"id":"","from":"391","timestamp":"1","type":"text","text":{"body":"x"}})",
       "whatsapp: message.id is empty", ""},
      {R"({"id":"w","timestamp":"1","type":"text","text":{"body":"x"}})",
       "whatsapp: message.from missing", "w"},
      {R"({"id":"w","from":391,"timestamp":"1","type":"text","text":{"body":"x"}})",
       "whatsapp: message.from is not a string", "w"},
      {R"({"id":"w","from":"391","type":"text","text":{"body":"x"}})",
       "whatsapp: message.timestamp missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"yesterday","type":"text","text":{"body":"x"}})",
       "whatsapp: message.timestamp is not a number", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","text":{"body":"x"}})",
       "whatsapp: message.type missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"text"})",
       "whatsapp: message.text missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"text","text":{"body":5}})",
       "whatsapp: message.text.body is not a string", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"interactive","interactive":{"type":"button_reply"}})",
       "whatsapp: message.interactive.button_reply missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"interactive",
          "interactive":{"type":"list_reply","list_reply":{"title":"x"}}})",
       "whatsapp: message.interactive.list_reply.id missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"button","button":{"text":"x"}})",
       "whatsapp: message.button.payload missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"location","location":{"latitude":1}})",
       "whatsapp: message.location.longitude missing", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"location","location":{"latitude":1,"longitude":200}})",
       "whatsapp: message.location out of range", "w"},
      {R"({"id":"w","from":"391","timestamp":"1","type":"image","image":{"caption":3}})",
       "whatsapp: message.image.caption is not a string", "w"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    const core::DeadLetter dead =
        Dead(Payload(R"("messages":[)" + c.message + "]"));
    CHECK(dead.reason == c.reason);
    CHECK(dead.dedupe_key == c.key);
    CHECK(dead.channel == core::Channel::kWhatsApp);
    CHECK(Json::parse(dead.raw) == Json::parse(c.message));
  }
}

TEST_CASE("bad statuses become dead letters") {
  CHECK(
      Dead(
          Payload(
              R"("statuses":[{"status":"read","timestamp":"1","recipient_id":"39"}])"))
          .reason == "whatsapp: status.id missing");
  const core::DeadLetter dead = Dead(Payload(
      R"("statuses":[{"id":"wamid.X","status":"read","recipient_id":"39"}])"));
  CHECK(dead.reason == "whatsapp: status.timestamp missing");
  CHECK(dead.dedupe_key == "wamid.X:read");
  CHECK(Dead(Payload(R"("statuses":{"id":"x"})")).reason ==
        "whatsapp: value.statuses is not an array");
}

TEST_CASE(
    "a text longer than 256 KiB is a dead letter and a long text below it is "
    "kept") {
  const std::string long_text(70000, 'a');
  CHECK(Inbound(
            OneMessage(R"("type":"text","text":{"body":")" + long_text + "\"}"))
            .text.size() == 70000);
  const std::string huge(1 << 20, 'a');
  CHECK(Dead(OneMessage(R"("type":"text","text":{"body":")" + huge + "\"}"))
            .reason == "whatsapp: message.text.body longer than 262144 bytes");
}

TEST_CASE("changes without a phone number or for another field are ignored") {
  CHECK(IgnoredReason(
            Single(R"({"object":"whatsapp_business_account","entry":[{"id":"1",
    "changes":[{"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}]})")) ==
        "whatsapp: field account_update");
  CHECK(IgnoredReason(
            Single(R"({"object":"whatsapp_business_account","entry":[{"id":"1",
    "changes":[{"field":"messages","value":{"messages":[]}}]}]})")) ==
        "whatsapp: change for phone_number_id ''");
}

TEST_CASE("a message to another number of the app names that number") {
  const auto other =
      Parse(Payload(R"("messages":[{"from":"391","id":"w","timestamp":"1",
    "type":"text","text":{"body":"x"}}])",
                    "999"));
  REQUIRE(other.size() == 1);
  REQUIRE(std::holds_alternative<core::InboundMessage>(other[0]));
  CHECK(std::get<core::InboundMessage>(other[0]).account == "999");
  const auto ours =
      Parse(Payload(R"("messages":[{"from":"391","id":"w","timestamp":"1",
    "type":"text","text":{"body":"x"}}])"));
  REQUIRE(ours.size() == 1);
  REQUIRE(std::holds_alternative<core::InboundMessage>(ours[0]));
  CHECK(std::get<core::InboundMessage>(ours[0]).account.empty());
}

TEST_CASE("any phone number is accepted when ours is not configured") {
  const auto updates =
      Parse(Payload(R"("messages":[{"from":"391","id":"w","timestamp":"1",
    "type":"text","text":{"body":"x"}}])",
                    "999"),
            "");
  REQUIRE(updates.size() == 1);
  CHECK(std::holds_alternative<core::InboundMessage>(updates[0]));
}

TEST_CASE("out of band errors are ignored with the code in the reason") {
  CHECK(IgnoredReason(
            Single(Payload(R"("errors":[{"code":130429,"title":"Rate limit hit",
    "message":"(#130429) Rate limit hit","error_data":{"details":"x"}}])"))) ==
        "whatsapp: error 130429 Rate limit hit");
}

TEST_CASE("payloads of another object or without entries are not messages") {
  CHECK(IgnoredReason(Single(R"({"object":"page","entry":[]})")) ==
        "whatsapp: object \"page\"");
  const core::DeadLetter dead =
      Dead(R"({"object":"whatsapp_business_account"})");
  CHECK(dead.reason == "whatsapp: entry missing or not an array");
  CHECK(Dead(R"({"object":"whatsapp_business_account","entry":[{"id":"1"}]})")
            .reason == "whatsapp: entry.changes missing or not an array");
  CHECK(
      Dead(
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{}}]}]})")
          .reason == "whatsapp: change.field missing");
  CHECK(
      Dead(
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]})")
          .reason == "whatsapp: change.value missing");
  CHECK(Parse(R"({"object":"whatsapp_business_account","entry":[]})").empty());
}

TEST_CASE("an empty messages change is ignored") {
  CHECK(IgnoredReason(Single(Payload(R"("messages":[])"))) ==
        "whatsapp: messages change with nothing in it");
}

TEST_CASE("whatsapp bodies that are not json objects are invalid arguments") {
  for (const std::string& body :
       {std::string(""), std::string("[]"), std::string("{\"entry\":"),
        std::string("{\"a\":\"\xc3\x28\"}"),
        "{\"entry\":" + std::string(10000, '[') + std::string(10000, ']') +
            "}"}) {
    CAPTURE(body.substr(0, 40));
    const auto updates = ParseWhatsAppWebhook(body, kOurs);
    REQUIRE_FALSE(updates.ok());
    CHECK(updates.status().code() == core::Status::Code::kInvalidArgument);
  }
}
