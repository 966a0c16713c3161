// FitToChannel and the renderers on arbitrary texts and buttons (including
// invalid UTF-8): every part respects the channel's limits, valid input stays
// valid, nothing is lost but whitespace at cuts, and each part renders to JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bot/channels/outbound.h"
#include "bot/core/utf8.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace channels = sportello::channels;
namespace core = sportello::core;
namespace utf8 = core::utf8;

std::vector<std::string_view> Fields(std::string_view data) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t i = 0; i <= data.size(); ++i) {
    if (i == data.size() || data[i] == '\0') {
      fields.push_back(data.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

size_t NonSpaceBytes(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (c != ' ' && c != '\n' && c != '\r' && c != '\t');
  return n;
}

bool IsJson(const std::string& text) {
  return !nlohmann::json::parse(text, nullptr, false).is_discarded();
}

void CheckTelegram(const core::OutboundMessage& msg,
                   const std::vector<core::OutboundMessage>& parts) {
  size_t text_bytes = 0;
  for (const core::OutboundMessage& part : parts) {
    FUZZ_CHECK(
        utf8::Units(part.text) <=
        (part.kind == core::OutboundKind::kCallbackAnswer ? 200u : 4096u));
    FUZZ_CHECK(part.kind == core::OutboundKind::kCallbackAnswer ||
               !part.text.empty());
    for (const core::Button& b : part.buttons)
      FUZZ_CHECK(!b.id.empty() && b.id.size() <= 64);
    FUZZ_CHECK(IsJson(channels::RenderTelegram(part).body));
    text_bytes += NonSpaceBytes(part.text);
  }
  if (msg.kind == core::OutboundKind::kText && !parts.empty() &&
      parts.back().text != "\xE2\x80\xA6") {
    FUZZ_CHECK(text_bytes == NonSpaceBytes(msg.text));  // nothing lost
    FUZZ_CHECK(parts.back().buttons.size() == msg.buttons.size());
  }
}

void CheckWhatsApp(const core::OutboundMessage& msg,
                   const std::vector<core::OutboundMessage>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    const core::OutboundMessage& part = parts[i];
    const size_t n = part.buttons.size();
    FUZZ_CHECK(n <= 10);
    FUZZ_CHECK(n == 0 || i + 1 == parts.size());
    if (part.kind == core::OutboundKind::kText) {
      FUZZ_CHECK(!part.text.empty());
      FUZZ_CHECK(utf8::Units(part.text) <= (n >= 1 && n <= 3 ? 1024u : 4096u));
    }
    std::set<std::string> titles;
    for (const core::Button& b : part.buttons) {
      FUZZ_CHECK(!b.title.empty() &&
                 utf8::Units(b.title) <= (n <= 3 ? 20u : 24u));
      FUZZ_CHECK(b.id.size() <= (n <= 3 ? 256u : 200u));
      titles.insert(b.title);
    }
    FUZZ_CHECK(titles.size() == n);
    const channels::ApiCall call = channels::RenderWhatsApp(part);
    FUZZ_CHECK(call.method == "messages" && IsJson(call.body));
  }
  if (msg.kind == core::OutboundKind::kText && msg.buttons.size() >= 1 &&
      msg.buttons.size() <= 10) {
    FUZZ_CHECK(!parts.empty() &&
               parts.back().buttons.size() == msg.buttons.size());
  }
}

}  // namespace

// Input: one selector byte (channel, kind) then NUL-separated fields: the
// text, then id and title of each button.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::vector<std::string_view> fields = Fields(
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  core::OutboundMessage msg;
  msg.channel =
      selector & 1 ? core::Channel::kWhatsApp : core::Channel::kTelegram;
  msg.kind = (selector >> 1) % 3 == 0   ? core::OutboundKind::kText
             : (selector >> 1) % 3 == 1 ? core::OutboundKind::kCallbackAnswer
                                        : core::OutboundKind::kTemplate;
  msg.chat_id = "393331234567";
  msg.callback_query_id = "q";
  msg.template_name = "t";
  msg.text = std::string(fields[0]);
  for (size_t i = 1; i + 1 < fields.size(); i += 2) {
    msg.buttons.push_back({std::string(fields[i]), std::string(fields[i + 1])});
  }
  const std::vector<core::OutboundMessage> parts = channels::FitToChannel(msg);
  // Titles end up in texts too (WhatsApp's numbered options).
  bool valid_input = utf8::IsValid(msg.text);
  for (const core::Button& b : msg.buttons)
    valid_input = valid_input && utf8::IsValid(b.title);
  for (const core::OutboundMessage& part : parts) {
    if (valid_input) FUZZ_CHECK(utf8::IsValid(part.text));
  }
  if (msg.channel == core::Channel::kTelegram) {
    CheckTelegram(msg, parts);
  } else {
    CheckWhatsApp(msg, parts);
  }
  return 0;
}
