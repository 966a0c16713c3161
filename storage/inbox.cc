#include "storage/inbox.h"

namespace sportello::storage {

int ShardFor(std::string_view channel, std::string_view chat_id) {
  // FNV-1a: std::hash is not guaranteed stable across builds.
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
  return static_cast<int>(h % kInboxShards);
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
