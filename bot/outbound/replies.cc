#include "bot/outbound/replies.h"

#include <nlohmann/json.hpp>
#include <string>

#include "bot/channels/outbound.h"
#include "storage/codec.h"
#include "storage/messages.h"
#include "storage/outbox.h"

namespace sportello {

using nlohmann::json;

core::Status WriteToPerson(storage::Database& db, const storage::User& user,
                           int64_t conversation_id, core::OutboundMessage msg,
                           std::string_view author, int priority,
                           int64_t now_ms) {
  const auto channel = core::ParseChannel(user.channel);
  if (!channel)
    return core::Status::Internal("replies: unknown channel " + user.channel);
  msg.channel = *channel;
  msg.chat_id = user.chat_id;
  for (const auto& part : channels::FitToChannel(msg)) {
    storage::NewMessage out;
    out.conversation_id = conversation_id;
    out.direction = "out";
    out.author = std::string(author);
    out.kind = std::string(core::OutboundKindName(part.kind));
    out.text = part.text;
    if (!part.buttons.empty()) out.buttons = EncodeButtons(part.buttons);
    out.status = core::DeliveryState::kQueued;
    auto id = storage::InsertMessage(db, out, now_ms);
    if (!id.ok()) return id.status();
    storage::NewOutboxRow row;
    row.channel = user.channel;
    row.chat_id = part.chat_id;
    row.user_id = user.id;
    row.message_id = *id;
    row.kind = std::string(core::OutboundKindName(part.kind));
    row.payload = EncodeOutbound(part);
    row.priority = priority;
    row.due_at = now_ms;
    if (auto q = storage::EnqueueOutbox(db, row, now_ms); !q.ok())
      return q.status();
  }
  return core::Status::Ok();
}

std::vector<core::Button> OfferedButtons(const storage::Conversation& c) {
  json slots = json::parse(c.slots, nullptr, false);
  if (slots.is_discarded() || !slots.is_object()) return {};
  auto it = slots.find("_offered");
  if (it == slots.end()) return {};
  return DecodeButtons(it->dump());
}

void SetOfferedButtons(storage::Conversation& c,
                       const std::vector<core::Button>& buttons) {
  json slots = json::parse(c.slots, nullptr, false);
  if (slots.is_discarded() || !slots.is_object()) slots = json::object();
  if (buttons.empty()) {
    slots.erase("_offered");
  } else {
    slots["_offered"] = json::parse(EncodeButtons(buttons));
  }
  c.slots = slots.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sportello
