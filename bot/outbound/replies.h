// What is said to a person in a conversation, by the bot or a counsellor:
// each part the channel takes goes to the conversation's history and to the
// outbox in the caller's transaction; and the buttons last offered, kept in
// the conversation's slots so that a typed "2" or button title works where a
// channel has no buttons.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/users.h"

namespace sportello {

// Outbox priorities: lower leaves first among due rows.
inline constexpr int kPriorityCallbackAnswer = -1;
inline constexpr int kPriorityReply = 0;

// Writes `msg` (text and buttons; channel and chat come from `user`) to
// `user`, due now, part by part as channels::FitToChannel splits it, each
// part in the history by `author` ("bot" or a counsellor's username).
// REQUIRES: inside a write transaction on `db`.
core::Status WriteToPerson(storage::Database& db, const storage::User& user,
                           int64_t conversation_id, core::OutboundMessage msg,
                           std::string_view author, int priority,
                           int64_t now_ms);

std::vector<core::Button> OfferedButtons(const storage::Conversation& c);
// Empty `buttons` forgets the last offer.
void SetOfferedButtons(storage::Conversation& c,
                       const std::vector<core::Button>& buttons);

}  // namespace sportello
