#include "bot/channels/telegram.h"

#include <cmath>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "bot/channels/json_access.h"
#include "bot/channels/json_guard.h"
#include "bot/core/utf8.h"

namespace sportello::channels {
namespace {

using json_access::Find;
using json_access::Json;
using json_access::OptionalString;
using json_access::RequireInt64;
using json_access::RequireNumber;
using json_access::RequireObject;
using json_access::RequireString;

// Telegram caps texts at 4096 UTF-16 units, at most 16 KiB of UTF-8: anything
// longer was not sent by Telegram.
constexpr size_t kMaxTextBytes = 16 * 1024;

// Message fields that carry a file; the caption, if any, is the text.
constexpr std::string_view kMediaFields[] = {
    "photo", "document", "voice",     "video",
    "audio", "sticker",  "animation", "video_note"};

// The update as seen by one parser: its dedupe key and raw text go on every
// Update made from it.
struct Context {
  std::string dedupe_key;
  const std::string& raw;
};

core::Update Dead(const Context& ctx, std::string reason) {
  return core::DeadLetter{core::Channel::kTelegram, ctx.dedupe_key,
                          std::move(reason), ctx.raw};
}

core::Update Ignore(std::string reason) {
  return core::Ignored{core::Channel::kTelegram, std::move(reason)};
}

std::string Quote(std::string_view untrusted) {
  return core::utf8::ForLog(untrusted, 40);
}

std::string Path(std::string_view prefix, std::string_view member) {
  return std::string(prefix) + "." + std::string(member);
}

// The sender of a message or callback: from.id is required; names and
// language are hints.
struct Sender {
  std::string id;
  std::string name;
  std::string language;
};

core::Result<Sender> ReadSender(const Json& parent, std::string_view path) {
  const auto from = RequireObject(parent, "from", Path(path, "from"));
  if (!from.ok()) return from.status();
  const auto id = RequireInt64(**from, "id", Path(path, "from.id"));
  if (!id.ok()) return id.status();
  Sender sender{std::to_string(*id), OptionalString(**from, "first_name"),
                OptionalString(**from, "language_code")};
  if (const std::string last = OptionalString(**from, "last_name");
      !last.empty()) {
    sender.name += sender.name.empty() ? last : " " + last;
  }
  return sender;
}

// An optional text member of at most kMaxTextBytes: "" when absent.
core::Result<std::string> ReadText(const Json& obj, std::string_view key,
                                   std::string_view path) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string())
    return core::Status::InvalidArgument(Path(path, key) + " is not a string");
  const auto& text = v->get_ref<const Json::string_t&>();
  if (text.size() > kMaxTextBytes) {
    return core::Status::InvalidArgument(Path(path, key) + " longer than " +
                                         std::to_string(kMaxTextBytes) +
                                         " bytes");
  }
  return text;
}

// The chat of a message: its id, and whether it is a private chat (the only
// kind Sportello talks in).
struct Chat {
  std::string id;
  std::string type;
};

core::Result<Chat> ReadChat(const Json& parent, std::string_view path) {
  const auto chat = RequireObject(parent, "chat", Path(path, "chat"));
  if (!chat.ok()) return chat.status();
  const auto id = RequireInt64(**chat, "id", Path(path, "chat.id"));
  if (!id.ok()) return id.status();
  auto type = RequireString(**chat, "type", Path(path, "chat.type"));
  if (!type.ok()) return type.status();
  return Chat{std::to_string(*id), std::move(*type)};
}

// Fills kind, text, location or contact of `msg` from a private message.
core::Status ReadContent(const Json& message, const Sender& sender,
                         core::InboundMessage& msg) {
  constexpr std::string_view kPath = "telegram: message";
  if (Find(message, "text") != nullptr) {
    auto text = ReadText(message, "text", kPath);
    if (!text.ok()) return text.status();
    msg.kind = core::InboundKind::kText;
    msg.text = std::move(*text);
    return core::Status::Ok();
  }
  if (Find(message, "location") != nullptr) {
    const auto location =
        RequireObject(message, "location", Path(kPath, "location"));
    if (!location.ok()) return location.status();
    const auto lat =
        RequireNumber(**location, "latitude", Path(kPath, "location.latitude"));
    if (!lat.ok()) return lat.status();
    const auto lon = RequireNumber(**location, "longitude",
                                   Path(kPath, "location.longitude"));
    if (!lon.ok()) return lon.status();
    if (std::abs(*lat) > 90 || std::abs(*lon) > 180) {
      return core::Status::InvalidArgument(
          "telegram: message.location out of range");
    }
    msg.kind = core::InboundKind::kLocation;
    msg.latitude = *lat;
    msg.longitude = *lon;
    return core::Status::Ok();
  }
  if (Find(message, "contact") != nullptr) {
    const auto contact =
        RequireObject(message, "contact", Path(kPath, "contact"));
    if (!contact.ok()) return contact.status();
    auto phone = RequireString(**contact, "phone_number",
                               Path(kPath, "contact.phone_number"));
    if (!phone.ok()) return phone.status();
    msg.kind = core::InboundKind::kContact;
    // Anyone's card can be shared: only the sender's own number is theirs.
    const Json* owner = Find(**contact, "user_id");
    if (owner != nullptr && json_access::AsInt64(*owner) &&
        std::to_string(*json_access::AsInt64(*owner)) == sender.id) {
      msg.contact_phone = std::move(*phone);
    }
    return core::Status::Ok();
  }
  for (const std::string_view field : kMediaFields) {
    if (Find(message, field) == nullptr) continue;
    auto caption = ReadText(message, "caption", kPath);
    if (!caption.ok()) return caption.status();
    msg.kind = core::InboundKind::kMedia;
    msg.text = std::move(*caption);
    return core::Status::Ok();
  }
  msg.kind =
      core::InboundKind::kOther;  // polls, dice, games, service messages...
  return core::Status::Ok();
}

core::Update ParseMessage(const Json& message, const Context& ctx) {
  constexpr std::string_view kPath = "telegram: message";
  if (!message.is_object())
    return Dead(ctx, "telegram: message is not an object");
  const auto chat = ReadChat(message, kPath);
  if (!chat.ok()) return Dead(ctx, chat.status().message());
  if (chat->type != "private")
    return Ignore("telegram: message in a " + Quote(chat->type) + " chat");
  const auto sender = ReadSender(message, kPath);
  if (!sender.ok()) return Dead(ctx, sender.status().message());
  const auto message_id =
      RequireInt64(message, "message_id", Path(kPath, "message_id"));
  if (!message_id.ok()) return Dead(ctx, message_id.status().message());
  const auto date = RequireInt64(message, "date", Path(kPath, "date"));
  if (!date.ok()) return Dead(ctx, date.status().message());

  core::InboundMessage msg;
  msg.channel = core::Channel::kTelegram;
  msg.dedupe_key = ctx.dedupe_key;
  msg.user_id = sender->id;
  msg.chat_id = chat->id;
  msg.message_id = std::to_string(*message_id);
  msg.user_name = sender->name;
  msg.language = sender->language;
  msg.sent_at = *date;
  msg.raw = ctx.raw;
  if (const core::Status s = ReadContent(message, *sender, msg); !s.ok()) {
    return Dead(ctx, s.message());
  }
  return msg;
}

// The title of the inline button whose callback_data is `data`, searched in
// the keyboard of the message that held it; "" when not found.
std::string PressedButtonTitle(const Json& message, std::string_view data) {
  const Json* markup = Find(message, "reply_markup");
  const Json* keyboard = markup ? Find(*markup, "inline_keyboard") : nullptr;
  if (keyboard == nullptr || !keyboard->is_array()) return "";
  for (const Json& row : *keyboard) {
    if (!row.is_array()) continue;
    for (const Json& button : row) {
      const Json* callback_data = Find(button, "callback_data");
      if (callback_data != nullptr && callback_data->is_string() &&
          callback_data->get_ref<const Json::string_t&>() == data) {
        return OptionalString(button, "text");
      }
    }
  }
  return "";
}

core::Update ParseCallbackQuery(const Json& query, const Context& ctx) {
  constexpr std::string_view kPath = "telegram: callback_query";
  if (!query.is_object())
    return Dead(ctx, "telegram: callback_query is not an object");
  auto id = RequireString(query, "id", Path(kPath, "id"));
  if (!id.ok()) return Dead(ctx, id.status().message());
  const auto sender = ReadSender(query, kPath);
  if (!sender.ok()) return Dead(ctx, sender.status().message());
  auto data = ReadText(query, "data", kPath);  // absent for game buttons
  if (!data.ok()) return Dead(ctx, data.status().message());

  core::InboundMessage msg;
  msg.channel = core::Channel::kTelegram;
  msg.dedupe_key = ctx.dedupe_key;
  msg.kind = core::InboundKind::kButton;
  msg.user_id = sender->id;
  msg.chat_id = sender->id;  // a private chat's id is the user's id
  msg.user_name = sender->name;
  msg.language = sender->language;
  msg.button_id = std::move(*data);
  msg.callback_query_id = std::move(*id);
  msg.raw = ctx.raw;
  // The message holding the button; absent for inline-mode messages.
  if (const Json* message = Find(query, "message");
      message != nullptr && !message->is_null()) {
    constexpr std::string_view kMessagePath =
        "telegram: callback_query.message";
    if (!message->is_object())
      return Dead(ctx, std::string(kMessagePath) + " is not an object");
    const auto chat = ReadChat(*message, kMessagePath);
    if (!chat.ok()) return Dead(ctx, chat.status().message());
    if (chat->type != "private") {
      return Ignore("telegram: callback_query in a " + Quote(chat->type) +
                    " chat");
    }
    msg.chat_id = chat->id;
    if (const Json* mid = Find(*message, "message_id");
        mid && json_access::AsInt64(*mid)) {
      msg.message_id = std::to_string(*json_access::AsInt64(*mid));
    }
    msg.text = PressedButtonTitle(*message, msg.button_id);
  }
  return msg;
}

core::Update ParseMyChatMember(const Json& member, const Context& ctx) {
  constexpr std::string_view kPath = "telegram: my_chat_member";
  if (!member.is_object())
    return Dead(ctx, "telegram: my_chat_member is not an object");
  const auto chat = ReadChat(member, kPath);
  if (!chat.ok()) return Dead(ctx, chat.status().message());
  if (chat->type != "private") {
    return Ignore("telegram: my_chat_member in a " + Quote(chat->type) +
                  " chat");
  }
  const auto sender = ReadSender(member, kPath);
  if (!sender.ok()) return Dead(ctx, sender.status().message());
  const auto date = RequireInt64(member, "date", Path(kPath, "date"));
  if (!date.ok()) return Dead(ctx, date.status().message());
  const auto now =
      RequireObject(member, "new_chat_member", Path(kPath, "new_chat_member"));
  if (!now.ok()) return Dead(ctx, now.status().message());
  const auto status =
      RequireString(**now, "status", Path(kPath, "new_chat_member.status"));
  if (!status.ok()) return Dead(ctx, status.status().message());
  // In a private chat only these two arrive: the user blocked or unblocked us.
  if (*status != "kicked" && *status != "member") {
    return Ignore("telegram: my_chat_member status " + Quote(*status));
  }
  core::MembershipChange change;
  change.channel = core::Channel::kTelegram;
  change.dedupe_key = ctx.dedupe_key;
  change.user_id = sender->id;
  change.chat_id = chat->id;
  change.blocked = *status == "kicked";
  change.at = *date;
  change.raw = ctx.raw;
  return change;
}

core::Update ParseUpdate(const Json& update, const std::string& raw) {
  const Context no_id{"", raw};
  if (!update.is_object())
    return Dead(no_id, "telegram: update is not an object");
  const auto update_id =
      RequireInt64(update, "update_id", "telegram: update_id");
  if (!update_id.ok()) return Dead(no_id, update_id.status().message());
  const Context ctx{"tg:" + std::to_string(*update_id), raw};

  if (const Json* m = Find(update, "message")) return ParseMessage(*m, ctx);
  if (const Json* q = Find(update, "callback_query"))
    return ParseCallbackQuery(*q, ctx);
  if (const Json* c = Find(update, "my_chat_member"))
    return ParseMyChatMember(*c, ctx);
  // Edits would re-run a conversation step; channel posts have no person.
  for (const std::string_view kind :
       {"edited_message", "channel_post", "edited_channel_post"}) {
    if (Find(update, kind) != nullptr)
      return Ignore("telegram: update kind " + std::string(kind));
  }
  for (const auto& [key, value] : update.items()) {
    if (key != "update_id")
      return Ignore("telegram: update kind " + Quote(key));
  }
  return Ignore("telegram: update without content");
}

}  // namespace

core::Result<core::Update> ParseTelegramUpdate(std::string_view body) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok())
    return core::Status::InvalidArgument("telegram: " + doc.status().message());
  const std::string raw(body);
  try {
    return ParseUpdate(*doc, raw);
  } catch (
      const std::exception& e) {  // bad_alloc; the parsers check types first
    return core::Update(Dead({"", raw}, std::string("telegram: ") + e.what()));
  }
}

core::Update ParseTelegramUpdateJson(const nlohmann::json& update) {
  const std::string raw = json_access::Dump(update);
  try {
    return ParseUpdate(update, raw);
  } catch (const std::exception& e) {
    return Dead({"", raw}, std::string("telegram: ") + e.what());
  }
}

std::string TelegramBotId(std::string_view token) {
  const size_t colon = token.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 20) return "";
  for (char c : token.substr(0, colon)) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(token.substr(0, colon));
}

void AttributeToCentreBot(core::Update& update, std::string_view bot_id) {
  const std::string prefix = "tg:" + std::string(bot_id) + ":";
  auto rekey = [&](std::string& key) {
    if (key.starts_with("tg:")) key = prefix + key.substr(3);
  };
  std::visit(
      [&](auto& u) {
        using T = std::decay_t<decltype(u)>;
        if constexpr (std::is_same_v<T, core::InboundMessage>) {
          u.account = std::string(bot_id);
        }
        if constexpr (!std::is_same_v<T, core::Ignored>) rekey(u.dedupe_key);
      },
      update);
}

}  // namespace sportello::channels
