// The stored JSON forms of updates and outbound messages: what goes in comes
// back out, and a damaged row gives a Status, never an exception.
#include "storage/codec.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sportello {
namespace {

using core::Status;

const std::string kEmojiText =
    "Ciao 👋 cerco lavoro a Forlì — «cameriere» \"subito\"\n\\ 中文";

core::InboundMessage FullInbound() {
  core::InboundMessage m;
  m.channel = core::Channel::kTelegram;
  m.dedupe_key = "tg:9007199254740993";
  m.user_id = "9007199254740993";  // 2^53 + 1: a double would round it
  m.chat_id = "-1009223372036854775";
  m.message_id = "18446744073709551615";
  m.user_name = "Giulia D'Amico";
  m.language = "it";
  m.kind = core::InboundKind::kLocation;
  m.text = kEmojiText;
  m.button_id = "menu:jobs";
  m.callback_query_id = "4382bfdwdsb323b2d9";
  m.latitude = 41.1171432;
  m.longitude = 16.8718715;
  m.contact_phone = "+393331234567";
  m.sent_at = 1'795'000'123;
  m.raw = R"({"update_id":1})";
  return m;
}

TEST_CASE("an inbound message survives encoding and decoding") {
  const core::InboundMessage m = FullInbound();
  auto back = DecodeInbound(EncodeInbound(m));
  REQUIRE(back.ok());
  CHECK(back->channel == m.channel);
  CHECK(back->dedupe_key == m.dedupe_key);
  CHECK(back->user_id == "9007199254740993");
  CHECK(back->chat_id == "-1009223372036854775");
  CHECK(back->message_id == "18446744073709551615");
  CHECK(back->user_name == m.user_name);
  CHECK(back->language == "it");
  CHECK(back->kind == core::InboundKind::kLocation);
  CHECK(back->text == kEmojiText);
  CHECK(back->button_id == "menu:jobs");
  CHECK(back->callback_query_id == m.callback_query_id);
  CHECK(back->latitude == m.latitude);
  CHECK(back->longitude == m.longitude);
  CHECK(back->contact_phone == "+393331234567");
  CHECK(back->sent_at == 1'795'000'123);
}

TEST_CASE("an encoded inbound message leaves out the raw update") {
  const std::string payload = EncodeInbound(FullInbound());
  CHECK(payload.find("update_id") == std::string::npos);
  auto back = DecodeInbound(payload);
  REQUIRE(back.ok());
  CHECK(back->raw.empty());
}

TEST_CASE("every inbound kind and channel survives a round trip") {
  for (auto kind : {core::InboundKind::kText, core::InboundKind::kButton,
                    core::InboundKind::kLocation, core::InboundKind::kContact,
                    core::InboundKind::kMedia, core::InboundKind::kOther}) {
    for (auto channel : {core::Channel::kTelegram, core::Channel::kWhatsApp,
                         core::Channel::kWeb, core::Channel::kTerminal}) {
      CAPTURE(core::InboundKindName(kind));
      CAPTURE(core::ChannelName(channel));
      core::InboundMessage m;
      m.channel = channel;
      m.kind = kind;
      m.user_id = "u";
      m.chat_id = "c";
      auto back = DecodeInbound(EncodeInbound(m));
      REQUIRE(back.ok());
      CHECK(back->kind == kind);
      CHECK(back->channel == channel);
      CHECK_FALSE(back->latitude.has_value());
      CHECK_FALSE(back->longitude.has_value());
    }
  }
}

TEST_CASE("a status update survives encoding and decoding") {
  for (auto state :
       {core::DeliveryState::kQueued, core::DeliveryState::kSent,
        core::DeliveryState::kDelivered, core::DeliveryState::kRead,
        core::DeliveryState::kPlayed, core::DeliveryState::kFailed}) {
    CAPTURE(core::DeliveryStateName(state));
    core::StatusUpdate s;
    s.channel = core::Channel::kWhatsApp;
    s.dedupe_key = "wamid.HBgM:failed";
    s.provider_message_id = "wamid.HBgMMzkzMzMxMjM0NTY3FQIAERgSQjE=";
    s.state = state;
    s.at = 1'795'000'000;
    s.recipient = "393331234567";
    s.error_code = 131026;
    s.error_title = "Message undeliverable ✗";
    auto back = DecodeStatusUpdate(EncodeStatusUpdate(s));
    REQUIRE(back.ok());
    CHECK(back->channel == s.channel);
    CHECK(back->dedupe_key == s.dedupe_key);
    CHECK(back->provider_message_id == s.provider_message_id);
    CHECK(back->state == state);
    CHECK(back->at == s.at);
    CHECK(back->recipient == s.recipient);
    CHECK(back->error_code == 131026);
    CHECK(back->error_title == s.error_title);
  }
}

TEST_CASE("a membership change survives encoding and decoding") {
  for (bool blocked : {true, false}) {
    CAPTURE(blocked);
    core::MembershipChange m;
    m.channel = core::Channel::kTelegram;
    m.dedupe_key = "tg:12";
    m.user_id = "9007199254740993";
    m.chat_id = "9007199254740993";
    m.blocked = blocked;
    m.at = 1'795'000'000;
    auto back = DecodeMembership(EncodeMembership(m));
    REQUIRE(back.ok());
    CHECK(back->channel == core::Channel::kTelegram);
    CHECK(back->dedupe_key == "tg:12");
    CHECK(back->user_id == "9007199254740993");
    CHECK(back->chat_id == "9007199254740993");
    CHECK(back->blocked == blocked);
    CHECK(back->at == 1'795'000'000);
  }
}

TEST_CASE("an outbound message with buttons survives encoding and decoding") {
  core::OutboundMessage m;
  m.channel = core::Channel::kWhatsApp;
  m.chat_id = "393331234567";
  m.kind = core::OutboundKind::kText;
  m.text = kEmojiText;
  m.buttons = {{"menu:jobs", "Cerco lavoro 💼"},
               {"menu:booking", "Appuntamento"},
               {"x\"y", "tit\\le"}};

  auto back = DecodeOutbound(EncodeOutbound(m));

  REQUIRE(back.ok());
  CHECK(back->channel == core::Channel::kWhatsApp);
  CHECK(back->chat_id == "393331234567");
  CHECK(back->kind == core::OutboundKind::kText);
  CHECK(back->text == kEmojiText);
  REQUIRE(back->buttons.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(back->buttons[i].id == m.buttons[i].id);
    CHECK(back->buttons[i].title == m.buttons[i].title);
  }
}

TEST_CASE("a callback answer and a template survive encoding and decoding") {
  SUBCASE("callback answer") {
    core::OutboundMessage m;
    m.channel = core::Channel::kTelegram;
    m.chat_id = "9007199254740993";
    m.kind = core::OutboundKind::kCallbackAnswer;
    m.callback_query_id = "4382bfdwdsb323b2d9";
    auto back = DecodeOutbound(EncodeOutbound(m));
    REQUIRE(back.ok());
    CHECK(back->kind == core::OutboundKind::kCallbackAnswer);
    CHECK(back->callback_query_id == m.callback_query_id);
    CHECK(back->chat_id == "9007199254740993");
    CHECK(back->buttons.empty());
  }
  SUBCASE("template") {
    core::OutboundMessage m;
    m.channel = core::Channel::kWhatsApp;
    m.chat_id = "393331234567";
    m.kind = core::OutboundKind::kTemplate;
    m.template_name = "promemoria_appuntamento";
    m.template_language = "it";
    m.template_params = {"Giulia", "martedì 10:30", ""};
    auto back = DecodeOutbound(EncodeOutbound(m));
    REQUIRE(back.ok());
    CHECK(back->kind == core::OutboundKind::kTemplate);
    CHECK(back->template_name == m.template_name);
    CHECK(back->template_language == "it");
    CHECK(back->template_params == m.template_params);
  }
}

TEST_CASE("buttons survive encoding and decoding on their own") {
  const std::vector<core::Button> buttons = {{"a", "Sì ✅"}, {"b", ""}};
  const auto back = DecodeButtons(EncodeButtons(buttons));
  REQUIRE(back.size() == 2);
  CHECK(back[0].id == "a");
  CHECK(back[0].title == "Sì ✅");
  CHECK(back[1].id == "b");
  CHECK(DecodeButtons(EncodeButtons({})).empty());
}

TEST_CASE("odd button JSON decodes to no buttons") {
  for (const char* text :
       {"", "not json", "{}", "42", "null", "[1, \"x\", null]", "[[", "\xff"}) {
    CAPTURE(text);
    CHECK(DecodeButtons(text).empty());
  }
}

TEST_CASE(
    "quotes, backslashes, control characters and emoji survive encoding "
    "exactly") {
  core::InboundMessage m = FullInbound();
  m.text = std::string("a \"quote\" \\ back\nline\ttab\x01\x1f\x7f ") +
           "caff\xc3\xa8 \xf0\x9f\x91\x8b \xe2\x82\xac" + std::string(1, '\0') +
           "end";
  m.user_name = "</script>\u2028";
  const std::string payload = EncodeInbound(m);
  CHECK(nlohmann::json::accept(payload));
  auto back = DecodeInbound(payload);
  REQUIRE(back.ok());
  CHECK(back->text == m.text);
  CHECK(back->user_name == m.user_name);
}

TEST_CASE("text that is not valid UTF-8 still encodes to valid JSON") {
  core::InboundMessage m = FullInbound();
  m.text = "caff\xe8 \xff\xfe";  // Latin-1, as an old client might send
  std::string payload;
  CHECK_NOTHROW(payload = EncodeInbound(m));
  auto back = DecodeInbound(payload);
  REQUIRE(back.ok());
  CHECK(back->text ==
        "caff\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");  // U+FFFD each
  core::OutboundMessage out;
  out.chat_id = "1";
  out.text = "\xc3";
  out.buttons = {{"\xff", "\xfe"}};
  CHECK_NOTHROW(payload = EncodeOutbound(out));
  CHECK(DecodeOutbound(payload).ok());
}

TEST_CASE("garbage payloads are InvalidArgument") {
  const std::string deep = std::string(10'000, '[') + std::string(10'000, ']');
  const std::string payloads[] = {
      "",
      "not json",
      "{",
      "[]",
      "42",
      "\"text\"",
      "null",
      "{\"channel\":",
      deep,
      std::string("{\"channel\":\"telegram\"\0}", 23),
      "{\"text\":\"\xff\"}",
  };
  for (const std::string& p : payloads) {
    CAPTURE(p.substr(0, 40));
    CHECK(DecodeInbound(p).status().code() == Status::Code::kInvalidArgument);
    CHECK(DecodeStatusUpdate(p).status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(DecodeMembership(p).status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(DecodeOutbound(p).status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("wrong-typed or missing fields are InvalidArgument and never throw") {
  SUBCASE("inbound") {
    for (
        const char* p : {
            R"({"channel":"telegram","kind":"text","chat_id":"1"})",  // no user
            R"({"channel":"telegram","kind":"text","user_id":"1"})",  // no chat
            R"({"channel":"telegram","kind":"text","user_id":1,"chat_id":1})",  // numbers
            R"({"channel":"fax","kind":"text","user_id":"1","chat_id":"1"})",  // channel
            R"({"channel":3,"kind":"text","user_id":"1","chat_id":"1"})",
            R"({"channel":"telegram","kind":"sticker","user_id":"1","chat_id":"1"})",
            R"({"channel":"telegram","kind":["text"],"user_id":"1","chat_id":"1"})",
        }) {
      CAPTURE(p);
      core::Result<core::InboundMessage> r = Status::Internal("not run");
      CHECK_NOTHROW(r = DecodeInbound(p));
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
    }
  }
  SUBCASE("status") {
    for (
        const char* p : {
            R"({"channel":"whatsapp","state":"read"})",
            R"({"channel":"whatsapp","state":"seen","provider_message_id":"w"})",
            R"({"channel":"whatsapp","state":1,"provider_message_id":"w"})",
            R"({"channel":"whatsapp","state":"read","provider_message_id":{"id":"w"}})",
            R"({"state":"read","provider_message_id":"w"})",
        }) {
      CAPTURE(p);
      core::Result<core::StatusUpdate> r = Status::Internal("not run");
      CHECK_NOTHROW(r = DecodeStatusUpdate(p));
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
    }
  }
  SUBCASE("membership and outbound") {
    CHECK(DecodeMembership(R"({"channel":null})").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(DecodeOutbound(R"({"channel":"web","kind":"fax"})").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(DecodeOutbound(R"({"channel":"web"})").status().code() ==
          Status::Code::kInvalidArgument);
  }
}

TEST_CASE("wrong-typed optional fields decode to their defaults") {
  auto in = DecodeInbound(
      R"({"channel":"web","kind":"text","user_id":"u","chat_id":"c","text":42,)"
      R"("sent_at":"yesterday","latitude":"north","longitude":null,"button_id":[]})");
  REQUIRE(in.ok());
  CHECK(in->text.empty());
  CHECK(in->sent_at == 0);
  CHECK_FALSE(in->latitude.has_value());
  CHECK_FALSE(in->longitude.has_value());
  CHECK(in->button_id.empty());

  auto out = DecodeOutbound(
      R"({"channel":"web","kind":"text","chat_id":"c","buttons":{"id":"x"},)"
      R"("template":{"name":7,"params":["a",1,null,"b"]}})");
  REQUIRE(out.ok());
  CHECK(out->buttons.empty());
  CHECK(out->template_name.empty());
  CHECK(out->template_params == std::vector<std::string>{"a", "b"});

  auto membership =
      DecodeMembership(R"({"channel":"telegram","blocked":"yes","at":1.5})");
  REQUIRE(membership.ok());
  CHECK_FALSE(membership->blocked);
  CHECK(membership->at == 0);
}

}  // namespace
}  // namespace sportello
