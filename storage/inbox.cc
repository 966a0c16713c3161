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

// Appends `value` to a PostgreSQL array literal as one quoted element:
// inside double quotes only a double quote and a backslash need a backslash
// (array_in's rules), whatever else the text holds.
void AppendElement(std::string& array, std::string_view value) {
  array += array.size() == 1 ? "\"" : ",\"";
  for (char c : value) {
    if (c == '"' || c == '\\') array += '\\';
    array += c;
  }
  array += '"';
}

// The whole batch in one statement, however many rows: each column goes as
// one array parameter, and unnest turns them back into rows, numbered in
// the batch's order. One prepared statement, one round trip, and no
// per-row parameters for the server to bind.
core::Result<std::vector<std::optional<int64_t>>> InsertManyPostgres(
    Database& db, const std::vector<const NewInboxItem*>& items,
    int64_t now_ms) {
  std::string columns[8];
  for (auto& c : columns) c = "{";
  std::string shards = "{", done = "{";
  for (const NewInboxItem* item : items) {
    AppendElement(columns[0], item->channel);
    AppendElement(columns[1], item->dedupe_key);
    AppendElement(columns[2], item->kind);
    AppendElement(columns[3], item->chat_id);
    AppendElement(columns[4], item->payload);
    AppendElement(columns[5], item->raw);
    if (item->error.empty()) {
      columns[6] += columns[6].size() == 1 ? "NULL" : ",NULL";
    } else {
      AppendElement(columns[6], item->error);
    }
    if (shards.size() > 1) shards += ',';
    shards += std::to_string(ShardFor(item->channel, item->chat_id));
    if (done.size() > 1) done += ',';
    done += item->done ? 't' : 'f';
  }
  for (auto& c : columns) c += '}';
  shards += '}';
  done += '}';
  Statement& st = db.Cached(
      "INSERT INTO inbox(channel, dedupe_key, kind, chat_id, shard, payload,"
      " raw, received_at, processed_at, error)"
      " SELECT t.channel, t.dedupe_key, t.kind, t.chat_id, t.shard, t.payload,"
      " t.raw, CAST(?10 AS bigint), CASE WHEN t.done THEN CAST(?10 AS bigint)"
      " END, t.error"
      " FROM unnest(CAST(?1 AS text[]), CAST(?2 AS text[]),"
      " CAST(?3 AS text[]), CAST(?4 AS text[]), CAST(?5 AS integer[]),"
      " CAST(?6 AS text[]), CAST(?7 AS text[]), CAST(?8 AS boolean[]),"
      " CAST(?9 AS text[])) WITH ORDINALITY"
      " AS t(channel, dedupe_key, kind, chat_id, shard, payload, raw, done,"
      " error, n)"
      " ORDER BY t.n"
      " ON CONFLICT(channel, dedupe_key) DO NOTHING"
      " RETURNING id, channel, dedupe_key");
  st.Bind(1, columns[0])
      .Bind(2, columns[1])
      .Bind(3, columns[2])
      .Bind(4, columns[3])
      .Bind(5, shards)
      .Bind(6, columns[4])
      .Bind(7, columns[5])
      .Bind(8, done)
      .Bind(9, columns[6])
      .Bind(10, now_ms);
  // (channel, dedupe_key) -> id of the rows this batch stored.
  std::unordered_map<std::string, int64_t> ids;
  auto key = [](std::string_view channel, std::string_view dedupe_key) {
    std::string k(channel);
    k += '\0';
    k += dedupe_key;
    return k;
  };
  while (st.Step()) ids.emplace(key(st.Text(1), st.Text(2)), st.Int(0));
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
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
  // The keys are numbers of ours, written into the text, so that the locks
  // go with the transaction's BEGIN in one round trip (a command without
  // parameters). unnest yields the array in order, and the locks are taken
  // row by row as the rows come.
  std::string sql = "SELECT pg_advisory_xact_lock(" +
                    std::to_string(kChatLockSpace) + ", k) FROM unnest('{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) sql += ',';
    sql += std::to_string(keys[i]);
  }
  sql += "}'::integer[]) AS k";
  return db.Exec(sql);
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
