// The inbox: every update acknowledged to a channel, stored before the 200
// goes out, and the queue of work for the processor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// How many processing queues rows are spread over (by chat). Fixed, because
// rows already stored carry their shard.
inline constexpr int kInboxShards = 4;

struct NewInboxItem {
  std::string channel;
  std::string dedupe_key;
  std::string kind;     // message | status | membership | dead_letter
  std::string chat_id;  // the conversation the update belongs to ("" for none)
  std::string payload;  // the normalised update, JSON
  std::string raw;      // as received
  bool done = false;    // dead letters are stored already processed
  std::string error;    // why a dead letter is dead
};

struct InboxRow {
  int64_t id = 0;
  std::string channel;
  std::string dedupe_key;
  std::string kind;
  std::string chat_id;
  int shard = 0;
  std::string payload;
  int64_t received_at = 0;
};

// The shard of a conversation: a stable hash, the same in every process.
int ShardFor(std::string_view channel, std::string_view chat_id);

// Inserts the item unless (channel, dedupe_key) is already there. Returns the
// new row id, or nullopt for a duplicate.
core::Result<std::optional<int64_t>> InsertInbox(Database& db,
                                                 const NewInboxItem& item,
                                                 int64_t now_ms);

// Takes, to the commit, the ingest lock of every conversation in `items`
// (PostgreSQL; nothing on SQLite, where one writer at a time numbers rows in
// commit order anyway). Call it inside the write transaction, before
// InsertInboxBatch: wherever a chat's updates are acknowledged, its rows are
// then numbered in the order they commit, and the processor, which takes a
// shard's rows by id, keeps the chat's order. Locks are taken in ascending
// order, so two batches never wait for each other in a cycle.
core::Status LockInboxChats(Database& db,
                            const std::vector<const NewInboxItem*>& items);

// Inserts `items` in one go, each unless (channel, dedupe_key) is stored
// already or comes earlier in `items`. Returns, item by item, the new row id
// or nullopt for a duplicate. Rows are numbered in the order of `items`. On
// PostgreSQL many rows go in one statement (a statement is a round trip).
core::Result<std::vector<std::optional<int64_t>>> InsertInboxBatch(
    Database& db, const std::vector<const NewInboxItem*>& items,
    int64_t now_ms);

// Processing a shard, for processes sharing a PostgreSQL database: at most
// one connection holds a shard's claim (a session advisory lock), so two
// processes never read, classify and apply the same rows side by side. Try
// before reading a batch on the connection that reads it, release after
// its commit; a lost connection releases by itself. On SQLite (one process
// per file) the claim is always granted. Returns whether it was.
core::Result<bool> TryClaimInboxShard(Database& db, int shard);
core::Status ReleaseInboxShard(Database& db, int shard);

// Unprocessed rows of `shard`, oldest first.
core::Result<std::vector<InboxRow>> PendingInbox(Database& db, int shard,
                                                 int limit);

core::Status MarkInboxProcessed(Database& db, int64_t id, int64_t now_ms,
                                std::string_view error = {});

core::Result<int64_t> CountPendingInbox(Database& db);

// Deletes up to `limit` processed rows received before `before_ms`, oldest
// first; returns how many. The dedupe keys must be kept at least 7 days:
// WhatsApp retries that long. Pending rows are never deleted, and neither is
// the newest row (see the .cc).
core::Result<int64_t> PruneInbox(Database& db, int64_t before_ms,
                                 int limit = 1000);

}  // namespace sportello::storage

namespace sportello::storage {

// Whether row `id` has been processed already: checked inside the processing
// transaction, so two processes sharing a database never process a row twice.
core::Result<bool> IsInboxProcessed(Database& db, int64_t id);

}  // namespace sportello::storage
