// A person's conversation with the centre: who holds it (the bot, the queue,
// a counsellor) and where the bot is in a flow. One per user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centres.h"
#include "storage/database.h"

namespace sportello::storage {

enum class ConversationMode { kBot, kWaitingForHuman, kHuman };
std::string_view ConversationModeName(
    ConversationMode mode);  // "bot", "waiting_for_human", "human"
std::optional<ConversationMode> ParseConversationMode(std::string_view name);

struct Conversation {
  int64_t id = 0;
  int64_t user_id = 0;
  ConversationMode mode = ConversationMode::kBot;
  std::optional<std::string> assigned_to;  // counsellor's username while kHuman
  std::optional<int64_t> waiting_since;    // set while kWaitingForHuman
  std::string flow;                        // "" = no flow running
  std::string step;
  std::string slots = "{}";  // the flow's answers so far, JSON
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_message_at;
  // The centre the person belongs to: its staff see the conversation and
  // the person's profile. Not written by SaveConversation.
  int64_t centre_id = kFirstCentre;
};

core::Result<Conversation> GetOrCreateConversation(Database& db,
                                                   int64_t user_id,
                                                   int64_t now_ms);
core::Result<std::optional<Conversation>> FindConversation(Database& db,
                                                           int64_t id);
// The user's conversation, if they have one (imported contacts may not).
core::Result<std::optional<Conversation>> FindConversationByUser(
    Database& db, int64_t user_id);

// Writes every field of `c` (by id) and sets updated_at = now_ms.
core::Status SaveConversation(Database& db, const Conversation& c,
                              int64_t now_ms);

// Puts conversation `conversation_id` in centre `centre_id` (whether it is
// enabled is the caller's to check): its staff see it, the person's profile
// and notes from now on; bookings stay where they were made. NotFound for an
// unknown conversation; an unknown centre is refused by the schema (an
// error, which rolls the caller's transaction back).
core::Status PlaceConversation(Database& db, int64_t conversation_id,
                               int64_t centre_id, int64_t now_ms);

core::Result<std::vector<Conversation>> ConversationsByMode(
    Database& db, ConversationMode mode, int limit);

// How many conversations of centre `centre_id` other than `conversation_id`
// wait for a person: for someone just put in their centre's queue (the one
// its counsellors answer), how many are ahead of them. On
// PostgreSQL it holds that queue's lock to the commit, so that of two turns
// putting people in the queue side by side (Store::WriteBeside) the second
// counts the first. REQUIRES: inside the write transaction that queues.
core::Result<int64_t> CountOthersWaiting(Database& db, int64_t conversation_id,
                                         int64_t centre_id);

}  // namespace sportello::storage
