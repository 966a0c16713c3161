#include "bot/channels/whatsapp.h"

#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "bot/channels/json_access.h"
#include "bot/channels/json_guard.h"
#include "bot/core/numbers.h"
#include "bot/core/utf8.h"

namespace sportello::channels {
namespace {

using json_access::Find;
using json_access::Json;
using json_access::OptionalString;
using json_access::RequireNumber;
using json_access::RequireObject;
using json_access::RequireString;

// Users may send up to 65,536 characters, at most 256 KiB of UTF-8.
constexpr size_t kMaxTextBytes = 256 * 1024;

constexpr std::string_view kMediaTypes[] = {"image", "document", "audio",
                                            "video", "sticker"};

using Updates = std::vector<core::Update>;
using Names =
    std::map<std::string, std::string, std::less<>>;  // wa_id -> profile.name

core::DeadLetter Dead(std::string dedupe_key, std::string reason,
                      std::string raw) {
  return core::DeadLetter{core::Channel::kWhatsApp, std::move(dedupe_key),
                          std::move(reason), std::move(raw)};
}

core::Ignored Ignore(std::string reason) {
  return core::Ignored{core::Channel::kWhatsApp, std::move(reason)};
}

std::string Quote(std::string_view untrusted) {
  return core::utf8::ForLog(untrusted, 40);
}

// A required non-empty string (ids, phone numbers).
core::Result<std::string> RequireId(const Json& obj, std::string_view key,
                                    std::string_view path) {
  auto value = RequireString(obj, key, path);
  if (value.ok() && value->empty()) {
    return core::Status::InvalidArgument(std::string(path) + " is empty");
  }
  return value;
}

// Unix seconds, sent as a string of digits (tolerating a plain integer).
core::Result<int64_t> RequireTimestamp(const Json& obj, std::string_view path) {
  const Json* v = Find(obj, "timestamp");
  if (v == nullptr || v->is_null()) {
    return core::Status::InvalidArgument(std::string(path) + " missing");
  }
  std::optional<int64_t> seconds;
  if (v->is_string()) {
    seconds = core::ParseInt(v->get_ref<const Json::string_t&>(),
                             std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max());
  } else {
    seconds = json_access::AsInt64(*v);
  }
  if (!seconds)
    return core::Status::InvalidArgument(std::string(path) +
                                         " is not a number");
  return *seconds;
}

core::Result<std::string> RequireText(const Json& obj, std::string_view key,
                                      std::string_view path) {
  auto text = RequireString(obj, key, path);
  if (text.ok() && text->size() > kMaxTextBytes) {
    return core::Status::InvalidArgument(std::string(path) + " longer than " +
                                         std::to_string(kMaxTextBytes) +
                                         " bytes");
  }
  return text;
}

// Fills kind and content of `msg` from the `type` payload of message `m`.
// Ignored for reactions (returned through `ignored`).
core::Status ReadContent(const Json& m, const std::string& type,
                         core::InboundMessage& msg, bool& ignored) {
  if (type == "text") {
    const auto text = RequireObject(m, "text", "whatsapp: message.text");
    if (!text.ok()) return text.status();
    auto body = RequireText(**text, "body", "whatsapp: message.text.body");
    if (!body.ok()) return body.status();
    msg.kind = core::InboundKind::kText;
    msg.text = std::move(*body);
  } else if (type == "interactive") {
    const auto interactive =
        RequireObject(m, "interactive", "whatsapp: message.interactive");
    if (!interactive.ok()) return interactive.status();
    const auto reply_type = RequireString(**interactive, "type",
                                          "whatsapp: message.interactive.type");
    if (!reply_type.ok()) return reply_type.status();
    if (*reply_type != "button_reply" && *reply_type != "list_reply") {
      msg.kind =
          core::InboundKind::kOther;  // e.g. nfm_reply from WhatsApp Flows
      return core::Status::Ok();
    }
    const std::string path = "whatsapp: message.interactive." + *reply_type;
    const auto reply = RequireObject(**interactive, *reply_type, path);
    if (!reply.ok()) return reply.status();
    auto id = RequireString(**reply, "id", path + ".id");
    if (!id.ok()) return id.status();
    auto title = RequireText(**reply, "title", path + ".title");
    if (!title.ok()) return title.status();
    msg.kind = core::InboundKind::kButton;
    msg.button_id = std::move(*id);
    msg.text = std::move(*title);
  } else if (type == "button") {
    const auto button = RequireObject(m, "button", "whatsapp: message.button");
    if (!button.ok()) return button.status();
    auto payload =
        RequireString(**button, "payload", "whatsapp: message.button.payload");
    if (!payload.ok()) return payload.status();
    msg.kind = core::InboundKind::kButton;
    msg.button_id = std::move(*payload);
    msg.text = OptionalString(**button, "text");
  } else if (type == "location") {
    const auto location =
        RequireObject(m, "location", "whatsapp: message.location");
    if (!location.ok()) return location.status();
    const auto lat = RequireNumber(**location, "latitude",
                                   "whatsapp: message.location.latitude");
    if (!lat.ok()) return lat.status();
    const auto lon = RequireNumber(**location, "longitude",
                                   "whatsapp: message.location.longitude");
    if (!lon.ok()) return lon.status();
    if (std::abs(*lat) > 90 || std::abs(*lon) > 180) {
      return core::Status::InvalidArgument(
          "whatsapp: message.location out of range");
    }
    msg.kind = core::InboundKind::kLocation;
    msg.latitude = *lat;
    msg.longitude = *lon;
  } else if (type == "contacts") {
    msg.kind = core::InboundKind::kContact;
  } else if (type == "reaction") {
    ignored = true;
  } else {
    msg.kind =
        core::InboundKind::kOther;  // unsupported, system, order, unknown types
    for (const std::string_view media : kMediaTypes) {
      if (type != media) continue;
      msg.kind = core::InboundKind::kMedia;
      // The payload (file id, mime type...) is not ours to check; only a
      // caption that is there must be a sane text.
      const Json* payload = Find(m, media);
      if (payload != nullptr && Find(*payload, "caption") != nullptr) {
        auto caption = RequireText(*payload, "caption",
                                   "whatsapp: message." + type + ".caption");
        if (!caption.ok()) return caption.status();
        msg.text = std::move(*caption);
      }
    }
  }
  return core::Status::Ok();
}

core::Update ParseMessage(const Json& m, const Names& names) {
  std::string raw = json_access::Dump(m);
  if (!m.is_object())
    return Dead("", "whatsapp: message is not an object", std::move(raw));
  auto id = RequireId(m, "id", "whatsapp: message.id");
  if (!id.ok()) return Dead("", id.status().message(), std::move(raw));
  auto from = RequireId(m, "from", "whatsapp: message.from");
  if (!from.ok()) return Dead(*id, from.status().message(), std::move(raw));
  const auto timestamp = RequireTimestamp(m, "whatsapp: message.timestamp");
  if (!timestamp.ok())
    return Dead(*id, timestamp.status().message(), std::move(raw));
  const auto type = RequireString(m, "type", "whatsapp: message.type");
  if (!type.ok()) return Dead(*id, type.status().message(), std::move(raw));

  core::InboundMessage msg;
  msg.channel = core::Channel::kWhatsApp;
  msg.dedupe_key = *id;
  msg.message_id = *id;
  msg.user_id = *from;
  msg.chat_id = *from;
  if (const auto it = names.find(*from); it != names.end())
    msg.user_name = it->second;
  msg.sent_at = *timestamp;
  bool ignored = false;
  if (const core::Status s = ReadContent(m, *type, msg, ignored); !s.ok()) {
    return Dead(*id, s.message(), std::move(raw));
  }
  if (ignored) return Ignore("whatsapp: message type " + Quote(*type));
  msg.raw = std::move(raw);
  return msg;
}

std::optional<core::DeliveryState> ReceiptState(std::string_view status) {
  if (status == "sent") return core::DeliveryState::kSent;
  if (status == "delivered") return core::DeliveryState::kDelivered;
  if (status == "read") return core::DeliveryState::kRead;
  if (status == "played") return core::DeliveryState::kPlayed;
  if (status == "failed") return core::DeliveryState::kFailed;
  return std::nullopt;  // "deleted", "warning", future values
}

core::Update ParseStatus(const Json& s) {
  std::string raw = json_access::Dump(s);
  if (!s.is_object())
    return Dead("", "whatsapp: status is not an object", std::move(raw));
  auto id = RequireId(s, "id", "whatsapp: status.id");
  if (!id.ok()) return Dead("", id.status().message(), std::move(raw));
  auto status = RequireId(s, "status", "whatsapp: status.status");
  if (!status.ok()) return Dead("", status.status().message(), std::move(raw));
  const std::string key = *id + ":" + *status;
  const auto state = ReceiptState(*status);
  if (!state) return Ignore("whatsapp: status " + Quote(*status));
  const auto timestamp = RequireTimestamp(s, "whatsapp: status.timestamp");
  if (!timestamp.ok())
    return Dead(key, timestamp.status().message(), std::move(raw));
  auto recipient =
      RequireId(s, "recipient_id", "whatsapp: status.recipient_id");
  if (!recipient.ok())
    return Dead(key, recipient.status().message(), std::move(raw));

  core::StatusUpdate update;
  update.channel = core::Channel::kWhatsApp;
  update.dedupe_key = key;
  update.provider_message_id = std::move(*id);
  update.state = *state;
  update.at = *timestamp;
  update.recipient = std::move(*recipient);
  if (const Json* errors = Find(s, "errors");
      errors && errors->is_array() && !errors->empty()) {
    const Json& first = errors->front();
    if (const Json* code = Find(first, "code");
        code && json_access::AsInt64(*code)) {
      update.error_code = static_cast<int>(*json_access::AsInt64(*code));
    }
    update.error_title = OptionalString(first, "title");
    if (update.error_title.empty())
      update.error_title = OptionalString(first, "message");
  }
  update.raw = std::move(raw);
  return update;
}

core::Ignored OutOfBandError(const Json& error) {
  std::string reason = "whatsapp: error";
  if (const Json* code = Find(error, "code");
      code && json_access::AsInt64(*code)) {
    reason += " " + std::to_string(*json_access::AsInt64(*code));
  }
  if (const std::string title = OptionalString(error, "title");
      !title.empty()) {
    reason += " " + Quote(title);
  }
  return Ignore(std::move(reason));
}

// Visits `list` (value.messages, value.statuses, value.errors) when present.
template <typename Fn>
void ForEachIn(const Json& value, std::string_view key, Updates& out, Fn fn) {
  const Json* list = Find(value, key);
  if (list == nullptr || list->is_null()) return;
  if (!list->is_array()) {
    out.push_back(
        Dead("", "whatsapp: value." + std::string(key) + " is not an array",
             json_access::Dump(value)));
    return;
  }
  for (const Json& item : *list) out.push_back(fn(item));
}

void ParseChange(const Json& change, std::string_view ours, Updates& out) {
  if (!change.is_object()) {
    out.push_back(Dead("", "whatsapp: change is not an object",
                       json_access::Dump(change)));
    return;
  }
  const auto field = RequireString(change, "field", "whatsapp: change.field");
  if (!field.ok()) {
    out.push_back(
        Dead("", field.status().message(), json_access::Dump(change)));
    return;
  }
  if (*field != "messages") {
    out.push_back(Ignore("whatsapp: field " + Quote(*field)));
    return;
  }
  const auto value = RequireObject(change, "value", "whatsapp: change.value");
  if (!value.ok()) {
    out.push_back(
        Dead("", value.status().message(), json_access::Dump(change)));
    return;
  }
  const Json* metadata = Find(**value, "metadata");
  const std::string phone_number_id =
      metadata ? OptionalString(*metadata, "phone_number_id") : "";
  if (!ours.empty() && phone_number_id.empty()) {
    out.push_back(Ignore("whatsapp: change for phone_number_id ''"));
    return;
  }
  // Another number of the same app may be a centre's own: whether it is
  // one is the dispatcher's to say, with the centres at hand.
  const std::string account =
      ours.empty() || phone_number_id == ours ? "" : phone_number_id;
  Names names;
  if (const Json* contacts = Find(**value, "contacts");
      contacts && contacts->is_array()) {
    for (const Json& contact : *contacts) {
      const std::string wa_id = OptionalString(contact, "wa_id");
      const Json* profile = Find(contact, "profile");
      if (!wa_id.empty() && profile)
        names[wa_id] = OptionalString(*profile, "name");
    }
  }
  const size_t before = out.size();
  ForEachIn(**value, "messages", out, [&](const Json& m) {
    core::Update u = ParseMessage(m, names);
    if (auto* in = std::get_if<core::InboundMessage>(&u)) in->account = account;
    return u;
  });
  ForEachIn(**value, "statuses", out,
            [](const Json& s) { return ParseStatus(s); });
  ForEachIn(**value, "errors", out,
            [](const Json& e) { return core::Update(OutOfBandError(e)); });
  if (out.size() == before)
    out.push_back(Ignore("whatsapp: messages change with nothing in it"));
}

Updates ParseWebhook(const Json& doc, std::string_view ours,
                     std::string_view body) {
  Updates out;
  if (const Json* object = Find(doc, "object");
      object &&
      (!object->is_string() || *object != "whatsapp_business_account")) {
    out.push_back(
        Ignore("whatsapp: object " + Quote(json_access::Dump(*object))));
    return out;
  }
  const Json* entries = Find(doc, "entry");
  if (entries == nullptr || !entries->is_array()) {
    out.push_back(
        Dead("", "whatsapp: entry missing or not an array", std::string(body)));
    return out;
  }
  for (const Json& entry : *entries) {
    const Json* changes = Find(entry, "changes");
    if (changes == nullptr || !changes->is_array()) {
      out.push_back(Dead("", "whatsapp: entry.changes missing or not an array",
                         json_access::Dump(entry)));
      continue;
    }
    for (const Json& change : *changes) ParseChange(change, ours, out);
  }
  return out;
}

}  // namespace

core::Result<std::vector<core::Update>> ParseWhatsAppWebhook(
    std::string_view body, std::string_view our_phone_number_id) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok())
    return core::Status::InvalidArgument("whatsapp: " + doc.status().message());
  try {
    return ParseWebhook(*doc, our_phone_number_id, body);
  } catch (
      const std::exception& e) {  // bad_alloc; the parsers check types first
    return Updates{
        Dead("", std::string("whatsapp: ") + e.what(), std::string(body))};
  }
}

}  // namespace sportello::channels
