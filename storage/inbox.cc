#include "storage/inbox.h"

#include <algorithm>
#include <unordered_map>

namespace sportello::storage {
namespace {

// FNV-1a of "channel/chat_id": std::hash is not guaranteed stable across
// builds, and every process must agree.
uint64_t ChatHash(std::string_view channel, std::string_view chat_id) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(channel);
  mix("/");
  mix(chat_id);
  return h;
}

// The first key of PostgreSQL's two-key advisory locks taken by ingest: a
// space of its own, apart from the one-key writer lock (storage/store.h).
constexpr int kChatLockSpace = 0x53504348;  // "SPCH"
// ... and of the processors' shard claims.
constexpr int kShardClaimSpace = 0x53505348;  // "SPSH"

// Rows per INSERT statement, largest first: a batch is cut into these, so a
// connection prepares at most this many distinct statements. 10 parameters a
// row; PostgreSQL takes up to 65,535 a statement.
constexpr int kChunkSizes[] = {256, 64, 16, 4, 1};

std::string MultiRowInsertSql(int rows) {
  std::string sql =
      "INSERT INTO inbox(channel, dedupe_key, kind, chat_id, shard, payload, "
      "raw, received_at, processed_at, error) VALUES";
  int p = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r ? ",(" : "(";
    for (int c = 0; c < 10; ++c) {
      if (c) sql += ',';
      sql += '?' + std::to_string(++p);
    }
    sql += ')';
  }
  sql +=
      " ON CONFLICT(channel, dedupe_key) DO NOTHING"
      " RETURNING id, channel, dedupe_key";
  return sql;
}

core::Result<std::vector<std::optional<int64_t>>> InsertManyPostgres(
    Database& db, const std::vector<const NewInboxItem*>& items,
    int64_t now_ms) {
  // (channel, dedupe_key) -> id of the rows this batch stored.
  std::unordered_map<std::string, int64_t> ids;
  auto key = [](std::string_view channel, std::string_view dedupe_key) {
    std::string k(channel);
    k += '\0';
    k += dedupe_key;
    return k;
  };
  size_t next = 0;
  while (next < items.size()) {
    const size_t left = items.size() - next;
    int rows = 1;
    for (int size : kChunkSizes) {
      if (static_cast<size_t>(size) <= left) {
        rows = size;
        break;
      }
    }
    Statement& st = db.Cached(MultiRowInsertSql(rows));
    for (int r = 0; r < rows; ++r) {
      const NewInboxItem& item = *items[next + static_cast<size_t>(r)];
      const int p = r * 10;
      st.Bind(p + 1, item.channel)
          .Bind(p + 2, item.dedupe_key)
          .Bind(p + 3, item.kind)
          .Bind(p + 4, item.chat_id)
          .Bind(p + 5, ShardFor(item.channel, item.chat_id))
          .Bind(p + 6, item.payload)
          .Bind(p + 7, item.raw)
          .Bind(p + 8, now_ms);
      if (item.done) {
        st.Bind(p + 9, now_ms);
      } else {
        st.Bind(p + 9, std::nullopt);
      }
      if (item.error.empty()) {
        st.Bind(p + 10, std::nullopt);
      } else {
        st.Bind(p + 10, item.error);
      }
    }
    while (st.Step()) ids.emplace(key(st.Text(1), st.Text(2)), st.Int(0));
    const core::Status status = st.status();
    st.Reset();
    if (!status.ok()) return status;
    next += static_cast<size_t>(rows);
  }
  // The first of repeated keys got the row; the others are duplicates.
  std::vector<std::optional<int64_t>> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto it = ids.find(key(items[i]->channel, items[i]->dedupe_key));
    if (it == ids.end()) continue;
    out[i] = it->second;
    ids.erase(it);
  }
  return out;
}

}  // namespace

int ShardFor(std::string_view channel, std::string_view chat_id) {
  return static_cast<int>(ChatHash(channel, chat_id) % kInboxShards);
}

core::Result<std::optional<int64_t>> InsertInbox(Database& db,
                                                 const NewInboxItem& item,
                                                 int64_t now_ms) {
  Statement& st = db.Cached(
      "INSERT INTO inbox(channel, dedupe_key, kind, chat_id, shard, payload, "
      "raw, received_at,"
      " processed_at, error) VALUES(?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(channel, dedupe_key) DO NOTHING RETURNING id");
  st.Bind(1, item.channel)
      .Bind(2, item.dedupe_key)
      .Bind(3, item.kind)
      .Bind(4, item.chat_id)
      .Bind(5, ShardFor(item.channel, item.chat_id))
      .Bind(6, item.payload)
      .Bind(7, item.raw)
      .Bind(8, now_ms);
  if (item.done) {
    st.Bind(9, now_ms);
  } else {
    st.Bind(9, std::nullopt);
  }
  if (item.error.empty()) {
    st.Bind(10, std::nullopt);
  } else {
    st.Bind(10, item.error);
  }
  // No row back: a repeat of a delivery already stored.
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return id;
}

core::Status LockInboxChats(Database& db,
                            const std::vector<const NewInboxItem*>& items) {
  if (!db.is_postgres()) return core::Status::Ok();
  std::vector<int32_t> keys;
  keys.reserve(items.size());
  for (const NewInboxItem* item : items) {
    if (item->done || item->chat_id.empty()) continue;
    const uint64_t h = ChatHash(item->channel, item->chat_id);
    keys.push_back(static_cast<int32_t>(static_cast<uint32_t>(h ^ (h >> 32))));
  }
  if (keys.empty()) return core::Status::Ok();
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string array = "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) array += ',';
    array += std::to_string(keys[i]);
  }
  array += '}';
  // unnest yields the array in order, and the locks are taken row by row
  // as the rows come.
  Statement& st = db.Cached(
      "SELECT pg_advisory_xact_lock(CAST(?1 AS integer), k)"
      " FROM unnest(CAST(?2 AS integer[])) AS k");
  st.Bind(1, kChatLockSpace).Bind(2, array);
  while (st.Step()) {
  }
  const core::Status status = st.status();
  st.Reset();
  return status;
}

core::Result<std::vector<std::optional<int64_t>>> InsertInboxBatch(
    Database& db, const std::vector<const NewInboxItem*>& items,
    int64_t now_ms) {
  if (db.is_postgres()) return InsertManyPostgres(db, items, now_ms);
  // SQLite: a statement costs a function call, not a round trip.
  std::vector<std::optional<int64_t>> out;
  out.reserve(items.size());
  for (const NewInboxItem* item : items) {
    auto id = InsertInbox(db, *item, now_ms);
    if (!id.ok()) return id.status();
    out.push_back(*id);
  }
  return out;
}

core::Result<bool> TryClaimInboxShard(Database& db, int shard) {
  if (!db.is_postgres()) return true;
  Statement& st = db.Cached(
      "SELECT pg_try_advisory_lock(CAST(?1 AS integer), CAST(?2 AS integer))");
  st.Bind(1, kShardClaimSpace).Bind(2, shard);
  bool granted = false;
  if (st.Step()) granted = st.Int(0) != 0;
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return granted;
}

core::Status ReleaseInboxShard(Database& db, int shard) {
  if (!db.is_postgres()) return core::Status::Ok();
  Statement& st = db.Cached(
      "SELECT pg_advisory_unlock(CAST(?1 AS integer), CAST(?2 AS integer))");
  st.Bind(1, kShardClaimSpace).Bind(2, shard);
  while (st.Step()) {
  }
  const core::Status status = st.status();
  st.Reset();
  return status;
}

core::Result<std::vector<InboxRow>> PendingInbox(Database& db, int shard,
                                                 int limit) {
  Statement& st = db.Cached(
      "SELECT id, channel, dedupe_key, kind, chat_id, shard, payload, "
      "received_at FROM inbox"
      " WHERE processed_at IS NULL AND shard = ? ORDER BY id LIMIT ?");
  st.Bind(1, shard).Bind(2, limit);
  std::vector<InboxRow> rows;
  while (st.Step()) {
    InboxRow r;
    r.id = st.Int(0);
    r.channel = st.Text(1);
    r.dedupe_key = st.Text(2);
    r.kind = st.Text(3);
    r.chat_id = st.Text(4);
    r.shard = static_cast<int>(st.Int(5));
    r.payload = st.Text(6);
    r.received_at = st.Int(7);
    rows.push_back(std::move(r));
  }
  if (!st.status().ok()) return st.status();
  return rows;
}

core::Status MarkInboxProcessed(Database& db, int64_t id, int64_t now_ms,
                                std::string_view error) {
  Statement& st =
      db.Cached("UPDATE inbox SET processed_at = ?, error = ? WHERE id = ?");
  st.Bind(1, now_ms);
  if (error.empty()) {
    st.Bind(2, std::nullopt);
  } else {
    st.Bind(2, error);
  }
  st.Bind(3, id);
  return st.Run();
}

core::Result<int64_t> CountPendingInbox(Database& db) {
  Statement st =
      db.Prepare("SELECT count(*) FROM inbox WHERE processed_at IS NULL");
  if (!st.Step()) return st.status();
  return st.Int(0);
}

core::Result<int64_t> PruneInbox(Database& db, int64_t before_ms, int limit) {
  // The processor relies on ids that only grow (Processor's done_upto). On
  // SQLite that needs the newest row to stay: inbox.id is a plain INTEGER
  // PRIMARY KEY, numbered max(id) + 1, so deleting the newest would hand its
  // id out again. On PostgreSQL ids come from an identity sequence and never
  // go back; keeping one row there costs nothing, and one statement serves
  // both. Batches by `limit` so a writer holds the write lock briefly.
  Statement& st = db.Cached(
      "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox"
      " WHERE processed_at IS NOT NULL AND received_at < ?1"
      " AND id < (SELECT max(id) FROM inbox) ORDER BY received_at LIMIT ?2)");
  st.Bind(1, before_ms).Bind(2, limit);
  if (auto s = st.Run(); !s.ok()) return s;
  return static_cast<int64_t>(db.Changes());
}

}  // namespace sportello::storage

namespace sportello::storage {

core::Result<bool> IsInboxProcessed(Database& db, int64_t id) {
  Statement& st =
      db.Cached("SELECT processed_at IS NOT NULL FROM inbox WHERE id = ?");
  st.Bind(1, id);
  std::optional<bool> processed;
  if (st.Step()) processed = st.Int(0) != 0;
  const core::Status status = st.status();
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  if (!status.ok()) return status;
  if (!processed)
    return core::Status::NotFound("inbox: no row " + std::to_string(id));
  return *processed;
}

}  // namespace sportello::storage
