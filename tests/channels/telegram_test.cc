#include "bot/channels/telegram.h"

#include <doctest/doctest.h>

#include <string>

using sportello::channels::ParseTelegramUpdate;
using sportello::channels::ParseTelegramUpdateJson;
namespace core = sportello::core;

namespace {

// Shapes as Telegram sends them (PROTOCOLS.md §1).
constexpr char kText[] = R"({
  "update_id": 912345678,
  "message": {
    "message_id": 4242,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Giulia", "last_name": "Rossi",
             "username": "giuliar", "language_code": "it"},
    "chat": {"id": 123456789, "first_name": "Giulia", "last_name": "Rossi", "type": "private"},
    "date": 1795000000,
    "text": "ciao cerco lavoro come cameriere a Bari",
    "entities": [{"offset": 0, "length": 4, "type": "bold"}]
  }
})";

std::string Message(std::string_view content,
                    std::string_view chat_type = "private") {
  return R"({"update_id": 10, "message": {"message_id": 5, "date": 1795000000,
    "from": {"id": 77, "is_bot": false, "first_name": "Luca"},
    "chat": {"id": 77, "type": ")" +
         std::string(chat_type) + R"("}, )" + std::string(content) + "}}";
}

core::Update Parse(std::string_view body) {
  auto update = ParseTelegramUpdate(body);
  REQUIRE(update.ok());
  return std::move(update).value();
}

core::InboundMessage Inbound(std::string_view body) {
  const core::Update update = Parse(body);
  if (const auto* dead = std::get_if<core::DeadLetter>(&update))
    FAIL_CHECK(dead->reason);
  if (const auto* ignored = std::get_if<core::Ignored>(&update))
    FAIL_CHECK(ignored->reason);
  REQUIRE(std::holds_alternative<core::InboundMessage>(update));
  return std::get<core::InboundMessage>(update);
}

core::DeadLetter Dead(std::string_view body) {
  const core::Update update = Parse(body);
  REQUIRE(std::holds_alternative<core::DeadLetter>(update));
  return std::get<core::DeadLetter>(update);
}

std::string IgnoredReason(std::string_view body) {
  const core::Update update = Parse(body);
  REQUIRE(std::holds_alternative<core::Ignored>(update));
  return std::get<core::Ignored>(update).reason;
}

}  // namespace

TEST_CASE("a private text message becomes an inbound text") {
  const core::InboundMessage msg = Inbound(kText);
  CHECK(msg.channel == core::Channel::kTelegram);
  CHECK(msg.dedupe_key == "tg:912345678");
  CHECK(msg.kind == core::InboundKind::kText);
  CHECK(msg.text == "ciao cerco lavoro come cameriere a Bari");
  CHECK(msg.user_id == "123456789");
  CHECK(msg.chat_id == "123456789");
  CHECK(msg.message_id == "4242");
  CHECK(msg.user_name == "Giulia Rossi");
  CHECK(msg.language == "it");
  CHECK(msg.sent_at == 1795000000);
  CHECK(msg.raw == kText);
}

TEST_CASE("the same update delivered twice has the same dedupe key") {
  CHECK(Inbound(kText).dedupe_key == Inbound(std::string(kText)).dedupe_key);
  CHECK(Inbound(Message(R"("text":"a")")).dedupe_key == "tg:10");
}

TEST_CASE("ids beyond 32 bits are kept exactly") {
  const core::InboundMessage msg = Inbound(R"({"update_id": 9007199254740991,
    "message": {"message_id": 4294967297, "date": 1795000000,
      "from": {"id": 4503599627370495, "first_name": "A"},
      "chat": {"id": 4503599627370495, "type": "private"}, "text": "x"}})");
  CHECK(msg.dedupe_key == "tg:9007199254740991");
  CHECK(msg.user_id == "4503599627370495");
  CHECK(msg.chat_id == "4503599627370495");
  CHECK(msg.message_id == "4294967297");
}

TEST_CASE(
    "a name without a last name and a sender without a language are fine") {
  const core::InboundMessage msg = Inbound(Message(R"("text":"ciao")"));
  CHECK(msg.user_name == "Luca");
  CHECK(msg.language.empty());
}

TEST_CASE(
    "photos documents voices and other files become media with the caption as "
    "text") {
  for (const char* field : {"photo", "document", "voice", "video", "audio",
                            "sticker", "animation", "video_note"}) {
    CAPTURE(field);
    const core::InboundMessage msg =
        Inbound(Message("\"" + std::string(field) +
                        R"(":{"file_id":"AgAC"},"caption":"il mio CV")"));
    CHECK(msg.kind == core::InboundKind::kMedia);
    CHECK(msg.text == "il mio CV");
  }
  const core::InboundMessage photo = Inbound(Message(
      R"("photo":[{"file_id":"a","file_unique_id":"b","width":90,"height":90}])"));
  CHECK(photo.kind == core::InboundKind::kMedia);
  CHECK(photo.text.empty());
}

TEST_CASE("a location becomes latitude and longitude") {
  const core::InboundMessage msg = Inbound(Message(
      R"("location":{"latitude":41.1171,"longitude":16.8719,"horizontal_accuracy":20})"));
  CHECK(msg.kind == core::InboundKind::kLocation);
  REQUIRE(msg.latitude.has_value());
  REQUIRE(msg.longitude.has_value());
  CHECK(*msg.latitude == doctest::Approx(41.1171));
  CHECK(*msg.longitude == doctest::Approx(16.8719));
}

TEST_CASE("a location out of range is a dead letter") {
  CHECK(Dead(Message(R"("location":{"latitude":91,"longitude":16})")).reason ==
        "telegram: message.location out of range");
}

TEST_CASE("the sender's own contact gives the phone number") {
  const core::InboundMessage msg = Inbound(Message(
      R"("contact":{"phone_number":"+393331234567","first_name":"Luca","user_id":77})"));
  CHECK(msg.kind == core::InboundKind::kContact);
  CHECK(msg.contact_phone == "+393331234567");
}

TEST_CASE("someone else's contact does not give a phone number") {
  SUBCASE("another user") {
    const core::InboundMessage msg = Inbound(Message(
        R"("contact":{"phone_number":"+390801234567","first_name":"Anna","user_id":78})"));
    CHECK(msg.kind == core::InboundKind::kContact);
    CHECK(msg.contact_phone.empty());
  }
  SUBCASE("no user id") {
    const core::InboundMessage msg = Inbound(Message(
        R"("contact":{"phone_number":"+390801234567","first_name":"Anna"})"));
    CHECK(msg.contact_phone.empty());
  }
}

TEST_CASE("other message content becomes kind other") {
  for (const char* content : {R"("poll":{"id":"1","question":"?"})",
                              R"("dice":{"emoji":"🎲","value":3})",
                              R"("new_chat_title":"x")", R"("venue_id":1)"}) {
    CAPTURE(content);
    CHECK(Inbound(Message(content)).kind == core::InboundKind::kOther);
  }
}

TEST_CASE(
    "a pressed inline button becomes a button with the title of the pressed "
    "button") {
  const core::InboundMessage msg = Inbound(R"({"update_id": 11,
    "callback_query": {"id": "4382bfdwdsb323b2d9", "chat_instance": "-123",
      "from": {"id": 77, "first_name": "Luca", "language_code": "en"},
      "message": {"message_id": 900, "date": 1795000000, "chat": {"id": 77, "type": "private"},
        "text": "Cosa cerchi?",
        "reply_markup": {"inline_keyboard": [[{"text": "Lavoro", "callback_data": "menu:jobs"},
                                              {"text": "Corsi", "callback_data": "menu:courses"}],
                                             [{"text": "Operatore", "callback_data": "menu:human"}]]}},
      "data": "menu:courses"}})");
  CHECK(msg.kind == core::InboundKind::kButton);
  CHECK(msg.dedupe_key == "tg:11");
  CHECK(msg.button_id == "menu:courses");
  CHECK(msg.callback_query_id == "4382bfdwdsb323b2d9");
  CHECK(msg.text == "Corsi");
  CHECK(msg.chat_id == "77");
  CHECK(msg.user_id == "77");
  CHECK(msg.message_id == "900");
  CHECK(msg.language == "en");
}

TEST_CASE(
    "a button press whose data matches no button keeps the data and an empty "
    "title") {
  const core::InboundMessage msg = Inbound(R"({"update_id": 12,
    "callback_query": {"id": "q1", "from": {"id": 77, "first_name": "L"},
      "message": {"message_id": 900, "date": 0, "chat": {"id": 77, "type": "private"}},
      "data": "stale:button"}})");
  CHECK(msg.button_id == "stale:button");
  CHECK(msg.text.empty());
}

TEST_CASE("a button press without its message takes the chat from the sender") {
  const core::InboundMessage msg = Inbound(R"({"update_id": 13,
    "callback_query": {"id": "q2", "from": {"id": 5000000001, "first_name": "L"},
      "inline_message_id": "AAA", "data": "x"}})");
  CHECK(msg.chat_id == "5000000001");
  CHECK(msg.callback_query_id == "q2");
}

TEST_CASE("a game button press without data is a button with an empty id") {
  const core::InboundMessage msg = Inbound(R"({"update_id": 14,
    "callback_query": {"id": "q3", "from": {"id": 77, "first_name": "L"}, "game_short_name": "g"}})");
  CHECK(msg.kind == core::InboundKind::kButton);
  CHECK(msg.button_id.empty());
  CHECK(msg.callback_query_id == "q3");
}

TEST_CASE("blocking and unblocking the bot become membership changes") {
  const auto member = [](std::string_view status) {
    return R"({"update_id": 20, "my_chat_member": {"chat": {"id": 77, "type": "private"},
      "from": {"id": 77, "first_name": "Luca"}, "date": 1795000100,
      "old_chat_member": {"user": {"id": 1}, "status": "member"},
      "new_chat_member": {"user": {"id": 1}, "status": ")" +
           std::string(status) + R"(", "until_date": 0}}})";
  };
  const core::Update blocked = Parse(member("kicked"));
  REQUIRE(std::holds_alternative<core::MembershipChange>(blocked));
  const auto& change = std::get<core::MembershipChange>(blocked);
  CHECK(change.blocked);
  CHECK(change.dedupe_key == "tg:20");
  CHECK(change.user_id == "77");
  CHECK(change.chat_id == "77");
  CHECK(change.at == 1795000100);
  CHECK(change.raw == member("kicked"));

  const core::Update unblocked = Parse(member("member"));
  REQUIRE(std::holds_alternative<core::MembershipChange>(unblocked));
  CHECK_FALSE(std::get<core::MembershipChange>(unblocked).blocked);

  CHECK(IgnoredReason(member("administrator")) ==
        "telegram: my_chat_member status administrator");
}

TEST_CASE("group and channel chatter is ignored") {
  CHECK(IgnoredReason(Message(R"("text":"ciao")", "group")) ==
        "telegram: message in a group chat");
  CHECK(IgnoredReason(Message(R"("text":"ciao")", "supergroup")) ==
        "telegram: message in a supergroup chat");
  CHECK(
      IgnoredReason(
          R"({"update_id": 30, "my_chat_member": {"chat": {"id": -100123, "type": "supergroup"},
      "from": {"id": 77}, "date": 1, "new_chat_member": {"status": "member"}}})") ==
      "telegram: my_chat_member in a supergroup chat");
  CHECK(
      IgnoredReason(
          R"({"update_id": 31, "callback_query": {"id": "q", "from": {"id": 77},
      "message": {"message_id": 1, "date": 1, "chat": {"id": -5, "type": "group"}}, "data": "x"}})") ==
      "telegram: callback_query in a group chat");
}

TEST_CASE("channel posts without a sender are ignored") {
  CHECK(IgnoredReason(
            R"({"update_id": 32, "channel_post": {"message_id": 1, "date": 1,
      "sender_chat": {"id": -1001, "type": "channel"}, "chat": {"id": -1001, "type": "channel"},
      "text": "news"}})") == "telegram: update kind channel_post");
  CHECK(IgnoredReason(R"({"update_id": 33, "edited_channel_post": {}})") ==
        "telegram: update kind edited_channel_post");
  // A channel post misfiled as a message has no from: still not a person.
  CHECK(
      IgnoredReason(R"({"update_id": 34, "message": {"message_id": 1, "date": 1,
      "chat": {"id": -1001, "type": "channel"}, "text": "news"}})") ==
      "telegram: message in a channel chat");
}

TEST_CASE("edited messages are ignored") {
  CHECK(IgnoredReason(
            R"({"update_id": 35, "edited_message": {"message_id": 5, "date": 1,
      "edit_date": 2, "from": {"id": 77}, "chat": {"id": 77, "type": "private"}, "text": "x"}})") ==
        "telegram: update kind edited_message");
}

TEST_CASE("unknown update kinds are ignored") {
  CHECK(IgnoredReason(R"({"update_id": 36, "inline_query": {"id": "1"}})") ==
        "telegram: update kind inline_query");
  CHECK(IgnoredReason(R"({"update_id": 37, "poll": {"id": "1"}})") ==
        "telegram: update kind poll");
  CHECK(IgnoredReason(R"({"update_id": 38})") ==
        "telegram: update without content");
}

TEST_CASE(
    "missing or wrong-typed fields become dead letters naming the field") {
  struct Case {
    std::string body;
    std::string reason;
    std::string key;
  };
  const Case cases[] = {
      {R"({"message": {}})", "telegram: update_id missing", ""},
      {R"({"update_id": "10", "message": {}})",
       "telegram: update_id is not an integer", ""},
      {R"({"update_id": 1.5, "message": {}})",
       "telegram: update_id is not an integer", ""},
      {R"({"update_id": 18446744073709551615, "message": {}})",
       "telegram: update_id is not an integer", ""},
      {R"({"update_id": 10, "message": []})",
       "telegram: message is not an object", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1, "from": {"id": 77},
         "text": "x"}})",
       "telegram: message.chat missing", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1, "from": {"id": 77},
         "chat": {"type": "private"}, "text": "x"}})",
       "telegram: message.chat.id missing", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1, "from": {"id": 77},
         "chat": {"id": "77", "type": "private"}, "text": "x"}})",
       "telegram: message.chat.id is not an integer", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1, "from": {"id": 77},
         "chat": {"id": 77}, "text": "x"}})",
       "telegram: message.chat.type missing", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1,
         "chat": {"id": 77, "type": "private"}, "text": "x"}})",
       "telegram: message.from missing", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "date": 1, "from": {"id": null},
         "chat": {"id": 77, "type": "private"}, "text": "x"}})",
       "telegram: message.from.id missing", "tg:10"},
      {R"({"update_id": 10, "message": {"date": 1, "from": {"id": 77},
         "chat": {"id": 77, "type": "private"}, "text": "x"}})",
       "telegram: message.message_id missing", "tg:10"},
      {R"({"update_id": 10, "message": {"message_id": 5, "from": {"id": 77},
         "chat": {"id": 77, "type": "private"}, "text": "x"}})",
       "telegram: message.date missing", "tg:10"},
      {Message(R"("text": 42)"), "telegram: message.text is not a string",
       "tg:10"},
      {Message(R"("photo": [], "caption": {})"),
       "telegram: message.caption is not a string", "tg:10"},
      {Message(R"("location": {"latitude": "41"})"),
       "telegram: message.location.latitude is not a number", "tg:10"},
      {Message(R"("location": 3)"),
       "telegram: message.location is not an object", "tg:10"},
      {Message(R"("contact": {"first_name": "A"})"),
       "telegram: message.contact.phone_number missing", "tg:10"},
      {R"({"update_id": 10, "callback_query": {"from": {"id": 77}, "data": "x"}})",
       "telegram: callback_query.id missing", "tg:10"},
      {R"({"update_id": 10, "callback_query": {"id": 5, "from": {"id": 77}, "data": "x"}})",
       "telegram: callback_query.id is not a string", "tg:10"},
      {R"({"update_id": 10, "callback_query": {"id": "q", "data": "x"}})",
       "telegram: callback_query.from missing", "tg:10"},
      {R"({"update_id": 10, "callback_query": {"id": "q", "from": {"id": 77}, "data": 5}})",
       "telegram: callback_query.data is not a string", "tg:10"},
      {R"({"update_id": 10, "callback_query": {"id": "q", "from": {"id": 77}, "message": 5}})",
       "telegram: callback_query.message is not an object", "tg:10"},
      {R"({"update_id": 10, "my_chat_member": {"chat": {"id": 77, "type": "private"},
         "from": {"id": 77}, "date": 1}})",
       "telegram: my_chat_member.new_chat_member missing", "tg:10"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    const core::DeadLetter dead = Dead(c.body);
    CHECK(dead.reason == c.reason);
    CHECK(dead.dedupe_key == c.key);
    CHECK(dead.channel == core::Channel::kTelegram);
    CHECK(dead.raw == c.body);
  }
}

TEST_CASE(
    "a text over 16 KiB is a dead letter and a 1 MB text does not crash") {
  const std::string fits(16 * 1024, 'a');
  CHECK(Inbound(Message(R"("text":")" + fits + "\"")).text.size() ==
        fits.size());
  const std::string huge(1 << 20, 'a');
  const core::DeadLetter dead = Dead(Message(R"("text":")" + huge + "\""));
  CHECK(dead.reason == "telegram: message.text longer than 16384 bytes");
  CHECK(dead.dedupe_key == "tg:10");
}

TEST_CASE("bodies that are not json objects are invalid arguments") {
  for (const std::string& body :
       {std::string(""), std::string("[]"), std::string("{"),
        std::string("{\"update_id\":1}}"), std::string("{\"a\":\"\xff\"}"),
        std::string(10000, '[') + std::string(10000, ']'),
        "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}"}) {
    CAPTURE(body.substr(0, 40));
    const auto update = ParseTelegramUpdate(body);
    REQUIRE_FALSE(update.ok());
    CHECK(update.status().code() == core::Status::Code::kInvalidArgument);
    CHECK(update.status().message().rfind("telegram: json: ", 0) == 0);
  }
}

TEST_CASE(
    "a polled update parses like a webhook body with its own json as raw") {
  const auto doc = nlohmann::json::parse(kText);
  const core::Update update = ParseTelegramUpdateJson(doc);
  REQUIRE(std::holds_alternative<core::InboundMessage>(update));
  const auto& msg = std::get<core::InboundMessage>(update);
  CHECK(msg.dedupe_key == "tg:912345678");
  CHECK(nlohmann::json::parse(msg.raw) == doc);
  CHECK(std::holds_alternative<core::DeadLetter>(
      ParseTelegramUpdateJson(nlohmann::json::array())));
}

TEST_CASE("a bot's id is the number before the colon of its token") {
  using sportello::channels::TelegramBotId;
  CHECK(TelegramBotId("123456:AAE-secret_part") == "123456");
  CHECK(TelegramBotId("7:x") == "7");
  for (const char* bad : {"", ":x", "abc:x", "12a:x", "123456", "-1:x"}) {
    CAPTURE(bad);
    CHECK(TelegramBotId(bad).empty());
  }
}

TEST_CASE(
    "an update to a centre's own bot names the bot and is keyed apart from "
    "the region bot's update of the same number") {
  using sportello::channels::AttributeToCentreBot;
  core::Update message = Parse(kText);
  AttributeToCentreBot(message, "777001");
  const auto& msg = std::get<core::InboundMessage>(message);
  CHECK(msg.account == "777001");
  CHECK(msg.dedupe_key == "tg:777001:912345678");
  CHECK(Inbound(kText).account.empty());

  core::Update blocked = Parse(
      R"({"update_id": 20, "my_chat_member": {"chat": {"id": 77, "type": "private"},
      "from": {"id": 77, "first_name": "Luca"}, "date": 1795000100,
      "old_chat_member": {"user": {"id": 1}, "status": "member"},
      "new_chat_member": {"user": {"id": 1}, "status": "kicked"}}})");
  AttributeToCentreBot(blocked, "777001");
  CHECK(std::get<core::MembershipChange>(blocked).dedupe_key == "tg:777001:20");

  core::Update dead = Parse(R"({"update_id": 21, "message": {"text": "x"}})");
  AttributeToCentreBot(dead, "777001");
  CHECK(std::get<core::DeadLetter>(dead).dedupe_key == "tg:777001:21");

  // Without an update_id there is no key to keep apart.
  core::Update keyless = Parse(R"({"message": {"text": "x"}})");
  AttributeToCentreBot(keyless, "777001");
  CHECK(std::get<core::DeadLetter>(keyless).dedupe_key.empty());
}
