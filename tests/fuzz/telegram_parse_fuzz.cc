// Telegram webhook bodies: never a crash, hang or exception; whatever parses
// keeps its invariants, and replying to it fits and renders.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

#include "bot/channels/outbound.h"
#include "bot/channels/telegram.h"
#include "bot/core/numbers.h"
#include "bot/core/utf8.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace channels = sportello::channels;
namespace core = sportello::core;

bool IsDecimal(std::string_view s) {
  return core::ParseInt(s, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max())
      .has_value();
}

void CheckReply(const core::InboundMessage& msg) {
  core::OutboundMessage reply;
  reply.channel = core::Channel::kTelegram;
  reply.chat_id = msg.chat_id;
  reply.text = msg.text;
  reply.buttons = {{msg.button_id, msg.text},
                   {msg.callback_query_id, msg.user_name}};
  for (const core::OutboundMessage& part : channels::FitToChannel(reply)) {
    FUZZ_CHECK(core::utf8::Units(part.text) <= 4096);
    for (const core::Button& b : part.buttons)
      FUZZ_CHECK(!b.id.empty() && b.id.size() <= 64);
    const channels::ApiCall call = channels::RenderTelegram(part);
    FUZZ_CHECK(
        !nlohmann::json::parse(call.body, nullptr, false).is_discarded());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto update = channels::ParseTelegramUpdate(body);
  if (!update.ok()) {
    FUZZ_CHECK(update.status().code() == core::Status::Code::kInvalidArgument);
    return 0;
  }
  // A body that parsed is valid UTF-8 JSON, so everything taken from it is too.
  FUZZ_CHECK(core::utf8::IsValid(body));
  if (const auto* msg = std::get_if<core::InboundMessage>(&*update)) {
    FUZZ_CHECK(msg->raw == body);
    FUZZ_CHECK(msg->dedupe_key.starts_with("tg:"));
    FUZZ_CHECK(IsDecimal(msg->user_id) && IsDecimal(msg->chat_id));
    FUZZ_CHECK(msg->text.size() <= 16 * 1024);
    FUZZ_CHECK(core::utf8::IsValid(msg->text) &&
               core::utf8::IsValid(msg->user_name));
    FUZZ_CHECK(msg->kind != core::InboundKind::kLocation ||
               (msg->latitude && msg->longitude));
    CheckReply(*msg);
  } else if (const auto* change =
                 std::get_if<core::MembershipChange>(&*update)) {
    FUZZ_CHECK(change->dedupe_key.starts_with("tg:") && change->raw == body);
  } else if (const auto* dead = std::get_if<core::DeadLetter>(&*update)) {
    FUZZ_CHECK(!dead->reason.empty() && dead->raw == body);
  } else {
    FUZZ_CHECK(std::holds_alternative<core::Ignored>(*update));
    FUZZ_CHECK(core::utf8::IsValid(std::get<core::Ignored>(*update).reason));
  }
  return 0;
}
