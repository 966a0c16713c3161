// WhatsApp webhook bodies: never a crash, hang or exception; every item of a
// batch keeps its invariants, and replying to a message fits and renders.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

#include "bot/channels/outbound.h"
#include "bot/channels/whatsapp.h"
#include "bot/core/utf8.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace channels = sportello::channels;
namespace core = sportello::core;

bool IsJson(std::string_view text) {
  return !nlohmann::json::parse(text, nullptr, false).is_discarded();
}

void CheckReply(const core::InboundMessage& msg) {
  core::OutboundMessage reply;
  reply.channel = core::Channel::kWhatsApp;
  reply.chat_id = msg.chat_id;
  reply.text = msg.text;
  // As many buttons as the text has bytes mod 13: covers text, reply buttons,
  // lists and numbered text.
  for (size_t i = 0; i < msg.text.size() % 13; ++i) {
    reply.buttons.push_back({msg.button_id + std::to_string(i), msg.user_name});
  }
  for (const core::OutboundMessage& part : channels::FitToChannel(reply)) {
    const size_t n = part.buttons.size();
    FUZZ_CHECK(n <= 10);
    FUZZ_CHECK(core::utf8::Units(part.text) <=
               (n >= 1 && n <= 3 ? 1024u : 4096u));
    for (const core::Button& b : part.buttons) {
      FUZZ_CHECK(core::utf8::Units(b.title) <= (n <= 3 ? 20u : 24u));
      FUZZ_CHECK(!b.title.empty());
    }
    FUZZ_CHECK(IsJson(channels::RenderWhatsApp(part).body));
  }
}

void CheckUpdate(const core::Update& update) {
  if (const auto* msg = std::get_if<core::InboundMessage>(&update)) {
    FUZZ_CHECK(!msg->dedupe_key.empty() && msg->dedupe_key == msg->message_id);
    FUZZ_CHECK(!msg->user_id.empty() && msg->user_id == msg->chat_id);
    FUZZ_CHECK(IsJson(msg->raw));
    FUZZ_CHECK(core::utf8::IsValid(msg->text));
    CheckReply(*msg);
  } else if (const auto* status = std::get_if<core::StatusUpdate>(&update)) {
    FUZZ_CHECK(
        status->dedupe_key.starts_with(status->provider_message_id + ":"));
    FUZZ_CHECK(status->state != core::DeliveryState::kQueued);
    FUZZ_CHECK(IsJson(status->raw));
  } else if (const auto* dead = std::get_if<core::DeadLetter>(&update)) {
    FUZZ_CHECK(!dead->reason.empty() && IsJson(dead->raw));
  } else {
    FUZZ_CHECK(std::holds_alternative<core::Ignored>(update));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const std::string_view ours : {"106540352242922", ""}) {
    const auto updates = channels::ParseWhatsAppWebhook(body, ours);
    if (!updates.ok()) {
      FUZZ_CHECK(updates.status().code() ==
                 core::Status::Code::kInvalidArgument);
      return 0;
    }
    for (const core::Update& update : *updates) CheckUpdate(update);
  }
  return 0;
}
