// Read models for the counsellors' console: the queue of conversations with
// who wrote and what, and the search over profiles. Joins several tables, so
// it lives apart from the one-table repositories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/conversations.h"
#include "storage/database.h"

namespace sportello::storage {

struct ConversationSummary {
  Conversation conversation;
  std::string channel;
  std::string user_name;     // the channel's profile name
  std::string profile_name;  // the name given in the questionnaire, or ""
  // The person's own last message, cut to 120 bytes: what they asked, not
  // the bot's fixed reply to the hand-off.
  std::string preview;
};

// Conversations of `scope`'s centres in `mode`: the longest waiting first
// (as the queue is served), then by last activity.
core::Result<std::vector<ConversationSummary>> ListConversationSummaries(
    Database& db, ConversationMode mode, const CentreScope& scope, int limit);

// The conversation `id` if it belongs to one of `scope`'s centres: another
// centre's conversation is not found, as one that does not exist.
core::Result<std::optional<Conversation>> FindConversationIn(
    Database& db, int64_t id, const CentreScope& scope);

// Takes the conversation for `username` in one statement, so of two
// counsellors racing exactly one wins: false when another holds it. Ends
// any bot flow in progress. NotFound for an unknown id.
core::Result<bool> TakeOverConversation(Database& db, int64_t conversation_id,
                                        std::string_view username,
                                        int64_t now_ms);

struct ProfileMatch {
  int64_t user_id = 0;
  std::optional<int64_t> conversation_id;
  std::string name;
  std::string channel;
  std::string comune;
  std::string roles;
  std::optional<int64_t> completed_at;
  int64_t centre_id = 0;  // the conversation's; kFirstCentre without one
};

// Profiles whose answers match every given filter (empty = no filter):
// `q` anywhere in the answers, `comune` exactly (case-insensitive), `role`
// within the roles answer, of people of `scope`'s centres (their
// conversation's). At most `limit`, the latest updated first.
core::Result<std::vector<ProfileMatch>> SearchProfiles(
    Database& db, std::string_view q, std::string_view comune,
    std::string_view role, const CentreScope& scope, int limit);

// The console's live stream: what changed since the last look. The cursor
// is where the stream stands: the newest message and the newest
// conversation change already announced.
struct StreamCursor {
  int64_t message_id = 0;
  int64_t conversation_at = 0;  // conversations.updated_at, unix ms
};
struct ConversationChange {
  int64_t id = 0;
  std::string mode;  // ConversationModeName
  std::optional<std::string> assigned_to;
  int64_t updated_at = 0;
};
struct MessageAdded {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::string direction;
  std::string author;
};

// Where a new stream starts (nothing before now is announced) and how many
// people of `scope`'s centres are waiting for a counsellor.
struct StreamStart {
  StreamCursor cursor;
  int64_t waiting = 0;
};
core::Result<StreamStart> StartStream(Database& db, const CentreScope& scope);

// Conversations of `scope`'s centres changed after
// `cursor.conversation_at` and their messages after `cursor.message_id`,
// oldest first, at most `limit` of each.
core::Result<std::vector<ConversationChange>> ConversationsChangedSince(
    Database& db, const StreamCursor& cursor, const CentreScope& scope,
    int limit);
core::Result<std::vector<MessageAdded>> MessagesAddedSince(
    Database& db, const StreamCursor& cursor, const CentreScope& scope,
    int limit);

// Messages are numbered when written and seen when committed. On SQLite one
// writer commits them in order; on PostgreSQL turns of different
// conversations commit side by side (Store::WriteBeside), so a message can
// appear below one already announced. A horizon is where numbering stood
// at one moment: once every transaction running then has ended (settled),
// no message numbered at or below it can still appear.
struct MessageHorizon {
  int64_t last_id = 0;  // the highest message number given out
  int64_t xmax = 0;     // PostgreSQL: below it, every transaction of then
};
core::Result<MessageHorizon> ReadMessageHorizon(Database& db);
// Always true on SQLite.
core::Result<bool> MessageHorizonSettled(Database& db,
                                         const MessageHorizon& horizon);

// Messages of `scope`'s centres numbered in (after, upto], oldest first.
core::Result<std::vector<MessageAdded>> MessagesAddedBetween(
    Database& db, int64_t after, int64_t upto, const CentreScope& scope);

}  // namespace sportello::storage
