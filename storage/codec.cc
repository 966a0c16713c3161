#include "storage/codec.h"

#include <nlohmann/json.hpp>

#include "bot/core/utf8.h"

namespace sportello {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>()
                                          : std::string();
}

int64_t Int(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

core::Result<json> ParseObject(std::string_view payload,
                               std::string_view what) {
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return core::Status::InvalidArgument(
        std::string(what) + ": stored payload is not a JSON object");
  }
  return j;
}

core::Result<core::Channel> ChannelOf(const json& j, std::string_view what) {
  auto c = core::ParseChannel(Str(j, "channel"));
  if (!c)
    return core::Status::InvalidArgument(std::string(what) +
                                         ": unknown channel");
  return *c;
}

json ButtonsJson(const std::vector<core::Button>& buttons) {
  json arr = json::array();
  for (const auto& b : buttons)
    arr.push_back({{"id", b.id}, {"title", b.title}});
  return arr;
}

std::vector<core::Button> ButtonsFrom(const json& arr) {
  std::vector<core::Button> out;
  if (!arr.is_array()) return out;
  for (const auto& b : arr) {
    if (b.is_object()) out.push_back({Str(b, "id"), Str(b, "title")});
  }
  return out;
}

// A flat JSON object appended to a string.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendString(value);
  }
  void Int(std::string_view key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
  }
  void Raw(std::string_view key, std::string_view json_value) {
    Key(key);
    out_ += json_value;
  }
  void End() { out_ += '}'; }

 private:
  void Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendString(key);
    out_ += ':';
  }
  // Invalid UTF-8 becomes U+FFFD, as json::error_handler_t::replace does.
  void AppendString(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        const size_t n = core::utf8::SequenceLength(s, i);
        if (n > 1) {
          out_.append(s.data() + i, n);
        } else {
          out_ += "\xEF\xBF\xBD";
        }
        i += n;
        continue;
      }
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          if (c < 0x20) {
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 0xf];
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
    }
    out_ += '"';
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string EncodeInbound(const core::InboundMessage& m) {
  // Written directly, not through a json document: this runs for every
  // acknowledged update, on the event loop, and the document cost as much
  // as parsing the update itself (perf under bench/run).
  std::string out;
  out.reserve(320 + m.text.size() + m.user_name.size());
  JsonObjectWriter w(out);
  w.Str("channel", core::ChannelName(m.channel));
  w.Str("dedupe_key", m.dedupe_key);
  w.Str("user_id", m.user_id);
  w.Str("chat_id", m.chat_id);
  w.Str("message_id", m.message_id);
  w.Str("user_name", m.user_name);
  w.Str("language", m.language);
  w.Str("kind", core::InboundKindName(m.kind));
  w.Str("text", m.text);
  w.Str("button_id", m.button_id);
  w.Str("callback_query_id", m.callback_query_id);
  w.Str("contact_phone", m.contact_phone);
  if (!m.account.empty()) w.Str("account", m.account);
  w.Int("sent_at", m.sent_at);
  if (m.latitude) w.Raw("latitude", json(*m.latitude).dump());
  if (m.longitude) w.Raw("longitude", json(*m.longitude).dump());
  w.End();
  return out;
}

core::Result<core::InboundMessage> DecodeInbound(std::string_view payload) {
  auto j = ParseObject(payload, "inbound");
  if (!j.ok()) return j.status();
  auto channel = ChannelOf(*j, "inbound");
  if (!channel.ok()) return channel.status();
  auto kind = core::ParseInboundKind(Str(*j, "kind"));
  if (!kind) return core::Status::InvalidArgument("inbound: unknown kind");
  core::InboundMessage m;
  m.channel = *channel;
  m.kind = *kind;
  m.dedupe_key = Str(*j, "dedupe_key");
  m.user_id = Str(*j, "user_id");
  m.chat_id = Str(*j, "chat_id");
  m.message_id = Str(*j, "message_id");
  m.user_name = Str(*j, "user_name");
  m.language = Str(*j, "language");
  m.text = Str(*j, "text");
  m.button_id = Str(*j, "button_id");
  m.callback_query_id = Str(*j, "callback_query_id");
  m.contact_phone = Str(*j, "contact_phone");
  m.account = Str(*j, "account");
  m.sent_at = Int(*j, "sent_at");
  if (auto it = j->find("latitude"); it != j->end() && it->is_number())
    m.latitude = it->get<double>();
  if (auto it = j->find("longitude"); it != j->end() && it->is_number()) {
    m.longitude = it->get<double>();
  }
  if (m.user_id.empty() || m.chat_id.empty()) {
    return core::Status::InvalidArgument("inbound: user_id or chat_id missing");
  }
  return m;
}

std::string EncodeStatusUpdate(const core::StatusUpdate& s) {
  json j = {{"channel", core::ChannelName(s.channel)},
            {"dedupe_key", s.dedupe_key},
            {"provider_message_id", s.provider_message_id},
            {"state", core::DeliveryStateName(s.state)},
            {"at", s.at},
            {"recipient", s.recipient},
            {"error_code", s.error_code},
            {"error_title", s.error_title}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<core::StatusUpdate> DecodeStatusUpdate(std::string_view payload) {
  auto j = ParseObject(payload, "status");
  if (!j.ok()) return j.status();
  auto channel = ChannelOf(*j, "status");
  if (!channel.ok()) return channel.status();
  auto state = core::ParseDeliveryState(Str(*j, "state"));
  if (!state) return core::Status::InvalidArgument("status: unknown state");
  core::StatusUpdate s;
  s.channel = *channel;
  s.state = *state;
  s.dedupe_key = Str(*j, "dedupe_key");
  s.provider_message_id = Str(*j, "provider_message_id");
  s.at = Int(*j, "at");
  s.recipient = Str(*j, "recipient");
  s.error_code = static_cast<int>(Int(*j, "error_code"));
  s.error_title = Str(*j, "error_title");
  if (s.provider_message_id.empty())
    return core::Status::InvalidArgument("status: id missing");
  return s;
}

std::string EncodeMembership(const core::MembershipChange& m) {
  json j = {{"channel", core::ChannelName(m.channel)},
            {"dedupe_key", m.dedupe_key},
            {"user_id", m.user_id},
            {"chat_id", m.chat_id},
            {"blocked", m.blocked},
            {"at", m.at}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<core::MembershipChange> DecodeMembership(
    std::string_view payload) {
  auto j = ParseObject(payload, "membership");
  if (!j.ok()) return j.status();
  auto channel = ChannelOf(*j, "membership");
  if (!channel.ok()) return channel.status();
  core::MembershipChange m;
  m.channel = *channel;
  m.dedupe_key = Str(*j, "dedupe_key");
  m.user_id = Str(*j, "user_id");
  m.chat_id = Str(*j, "chat_id");
  auto it = j->find("blocked");
  m.blocked = it != j->end() && it->is_boolean() && it->get<bool>();
  m.at = Int(*j, "at");
  return m;
}

std::string EncodeOutbound(const core::OutboundMessage& m) {
  json j = {{"channel", core::ChannelName(m.channel)},
            {"chat_id", m.chat_id},
            {"kind", core::OutboundKindName(m.kind)},
            {"text", m.text}};
  if (!m.buttons.empty()) j["buttons"] = ButtonsJson(m.buttons);
  if (!m.callback_query_id.empty())
    j["callback_query_id"] = m.callback_query_id;
  if (!m.template_name.empty()) {
    j["template"] = {{"name", m.template_name},
                     {"language", m.template_language},
                     {"params", m.template_params}};
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<core::OutboundMessage> DecodeOutbound(std::string_view payload) {
  auto j = ParseObject(payload, "outbound");
  if (!j.ok()) return j.status();
  auto channel = ChannelOf(*j, "outbound");
  if (!channel.ok()) return channel.status();
  auto kind = core::ParseOutboundKind(Str(*j, "kind"));
  if (!kind) return core::Status::InvalidArgument("outbound: unknown kind");
  core::OutboundMessage m;
  m.channel = *channel;
  m.kind = *kind;
  m.chat_id = Str(*j, "chat_id");
  m.text = Str(*j, "text");
  if (auto it = j->find("buttons"); it != j->end())
    m.buttons = ButtonsFrom(*it);
  m.callback_query_id = Str(*j, "callback_query_id");
  if (auto it = j->find("template"); it != j->end() && it->is_object()) {
    m.template_name = Str(*it, "name");
    m.template_language = Str(*it, "language");
    if (auto p = it->find("params"); p != it->end() && p->is_array()) {
      for (const auto& v : *p) {
        if (v.is_string()) m.template_params.push_back(v.get<std::string>());
      }
    }
  }
  return m;
}

std::string EncodeButtons(const std::vector<core::Button>& buttons) {
  return ButtonsJson(buttons).dump(-1, ' ', false,
                                   json::error_handler_t::replace);
}

std::vector<core::Button> DecodeButtons(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return {};
  return ButtonsFrom(j);
}

}  // namespace sportello
