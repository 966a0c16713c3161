// The history of a conversation, every message in and out, with delivery
// status: what a counsellor reads. Receipts move a status only forward.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

struct NewMessage {
  int64_t conversation_id = 0;
  std::string direction;  // "in" | "out"
  std::string author;     // "user", "bot", or a counsellor's username
  std::string kind;       // InboundKindName / OutboundKindName
  std::string text;
  std::optional<std::string> button_id;  // the pressed button (in)
  std::optional<std::string> buttons;    // offered buttons as JSON (out)
  std::optional<int64_t> inbox_id;
  core::DeliveryState status = core::DeliveryState::kQueued;  // "in": kRead
};

struct MessageRow {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::string direction;
  std::string author;
  std::string kind;
  std::string text;
  std::optional<std::string> button_id;
  std::optional<std::string> buttons;
  std::optional<std::string> provider_message_id;
  std::string status;
  std::optional<std::string> error;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

core::Result<int64_t> InsertMessage(Database& db, const NewMessage& m,
                                    int64_t now_ms);

// Records the provider's id once the send is accepted (state kSent), then
// applies any receipt that arrived before it.
core::Status MarkMessageSent(Database& db, int64_t message_id,
                             std::string_view channel,
                             std::string_view provider_message_id,
                             int64_t now_ms);

// Moves the message to kFailed with the reason (terminal).
core::Status MarkMessageFailed(Database& db, int64_t message_id,
                               std::string_view error, int64_t now_ms);

// Stores a receipt (idempotent per (channel, id, state)) and moves the matching
// message forward: never backwards, never out of kFailed.
core::Status ApplyReceipt(Database& db, const core::StatusUpdate& receipt,
                          int64_t now_ms);

// The last `limit` messages of a conversation, oldest first.
core::Result<std::vector<MessageRow>> ConversationMessages(
    Database& db, int64_t conversation_id, int limit);

core::Result<std::optional<MessageRow>> FindMessage(Database& db, int64_t id);

}  // namespace sportello::storage
