// The outbox: everything that is to leave the process, one API call per row,
// written in the same transaction as the state that caused it. The sender
// claims due rows, sends, and records the outcome. Rows survive restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// Among due outbox rows, after replies (0) and reminders (1): a notice to
// thousands never delays an answer. (A notice's rows carry broadcast_id:
// that, not the priority, is how the sender tells them apart.)
inline constexpr int kBroadcastPriority = 2;

struct NewOutboxRow {
  std::string channel;
  std::string chat_id;
  std::optional<int64_t> user_id;
  std::optional<int64_t> message_id;  // the history row this delivers
  std::string kind;                   // core::OutboundKindName
  std::string payload;                // the OutboundMessage, JSON
  int priority = 0;                   // lower goes first among due rows
  std::optional<std::string>
      dedupe_key;  // e.g. "reminder:42:24h": enqueued once
  int64_t due_at = 0;
  std::optional<int64_t> broadcast_id;  // a notice's broadcast
};

struct OutboxRow {
  int64_t id = 0;
  std::string channel;
  std::string chat_id;
  std::optional<int64_t> user_id;
  std::optional<int64_t> message_id;
  std::string kind;
  std::string payload;
  int priority = 0;
  int64_t due_at = 0;
  int64_t next_attempt_at = 0;
  int attempts = 0;
  std::string state;  // pending | sending | sent | failed | cancelled
  std::optional<std::string> last_error;
  std::optional<std::string> provider_message_id;
  std::optional<int64_t> broadcast_id;  // set on a broadcast notice's rows
};

// Returns the new row's id, or nullopt when a row with the same dedupe_key
// exists already.
core::Result<std::optional<int64_t>> EnqueueOutbox(Database& db,
                                                   const NewOutboxRow& row,
                                                   int64_t now_ms);

// Claiming is in two halves, so the search can run on a reader connection
// and only the claim takes the write lock. FindDueOutbox: up to `limit` due
// rows, unclaimed; per chat only the oldest, and none while another row of
// that chat is being sent, so a chat's messages leave in order. `channels`
// limits the search (empty = all). ClaimOutboxRow: one row moved from
// 'pending' to 'sending', its attempt counted (false when another claimer
// took it first). Without `with_broadcasts`
// (quiet hours) notices' rows are left out; the search then stops at
// kBroadcastPriority in the claim index instead of stepping over every
// held notice, so rows at that priority or beyond are held with them.
core::Result<std::vector<OutboxRow>> FindDueOutbox(
    Database& db, int64_t now_ms, int limit,
    const std::vector<std::string>& channels, bool with_broadcasts = true);
core::Result<bool> ClaimOutboxRow(Database& db, int64_t id);

// Records that the claimed row `id` is being handed to the HTTP client now:
// from this commit on, a crash leaves it in doubt (it may have left). Must
// be durable before the call starts.
core::Status MarkOutboxHandedOver(Database& db, int64_t id, int64_t now_ms);

// A pending row may not go before `next_attempt_at` (its chat is being
// paced, its person is in the middle of a question): not an attempt, so
// nothing is counted. False when the row was no longer pending.
core::Result<bool> DeferOutboxRow(Database& db, int64_t id,
                                  int64_t next_attempt_at);
// Gives back a row claimed but never sent (the channel was paused, the
// sender stopped): 'pending' again at `next_attempt_at`, its attempt
// uncounted.
core::Status UnclaimOutboxRow(Database& db, int64_t id,
                              int64_t next_attempt_at);

core::Status MarkOutboxSent(Database& db, int64_t id,
                            std::string_view provider_message_id,
                            int64_t now_ms);
// Back to 'pending', to be tried at `next_attempt_at`.
core::Status MarkOutboxRetry(Database& db, int64_t id, int64_t next_attempt_at,
                             std::string_view error);
core::Status MarkOutboxFailed(Database& db, int64_t id, std::string_view error,
                              int64_t now_ms);

// Cancels the row enqueued with `dedupe_key` (a reminder of a cancelled
// booking) if it is still 'pending': true when it was. A row being sent or
// already sent is left alone: it cannot be called back.
core::Result<bool> CancelOutboxByDedupeKey(Database& db,
                                           std::string_view dedupe_key);

// After a crash: rows claimed but never handed to the HTTP client did not
// leave; they go back to 'pending', their attempt uncounted. Returns how
// many.
core::Result<int64_t> RequeueUnsentOutbox(Database& db);
// After a crash, rows handed to the HTTP client may or may not have reached
// the channel: they go back to 'pending' (at-least-once). Returns how many.
core::Result<int64_t> RequeueInFlightOutbox(Database& db);

// Rows waiting to be sent (pending or sending), due or not.
core::Result<int64_t> OutboxDepth(Database& db);

// The earliest next_attempt_at among pending rows, if any; without
// `with_broadcasts`, among the rows FindDueOutbox would consider then.
core::Result<std::optional<int64_t>> NextOutboxDue(Database& db,
                                                   bool with_broadcasts = true);

// For channels that deliver by answering the request (web chat, terminal):
// every due pending row for the chat, oldest first, marked sent. With
// `after` (the last row id the client has shown), rows already handed out
// but with a higher id come again too: a response lost on the way costs no
// reply. At most the last 100 rows.
core::Result<std::vector<OutboxRow>> TakeDueOutboxForChat(
    Database& db, std::string_view channel, std::string_view chat_id,
    int64_t now_ms, std::optional<int64_t> after = std::nullopt);

}  // namespace sportello::storage
