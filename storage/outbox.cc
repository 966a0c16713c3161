#include "storage/outbox.h"

namespace sportello::storage {
namespace {

constexpr const char* kColumns =
    "id, channel, chat_id, user_id, message_id, kind, payload, priority, "
    "due_at,"
    " next_attempt_at, attempts, state, last_error, provider_message_id,"
    " broadcast_id";

OutboxRow ReadRow(const Statement& st) {
  OutboxRow r;
  r.id = st.Int(0);
  r.channel = st.Text(1);
  r.chat_id = st.Text(2);
  r.user_id = st.OptionalInt(3);
  r.message_id = st.OptionalInt(4);
  r.kind = st.Text(5);
  r.payload = st.Text(6);
  r.priority = static_cast<int>(st.Int(7));
  r.due_at = st.Int(8);
  r.next_attempt_at = st.Int(9);
  r.attempts = static_cast<int>(st.Int(10));
  r.state = st.Text(11);
  r.last_error = st.OptionalText(12);
  r.provider_message_id = st.OptionalText(13);
  r.broadcast_id = st.OptionalInt(14);
  return r;
}

}  // namespace

core::Result<std::optional<int64_t>> EnqueueOutbox(Database& db,
                                                   const NewOutboxRow& row,
                                                   int64_t now_ms) {
  Statement& st = db.Cached(
      "INSERT INTO outbox(channel, chat_id, user_id, message_id, kind, "
      "payload, priority,"
      " dedupe_key, due_at, next_attempt_at, created_at, broadcast_id) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?9,?10,?11)"
      " ON CONFLICT(dedupe_key) DO NOTHING RETURNING id");
  st.Bind(1, row.channel)
      .Bind(2, row.chat_id)
      .Bind(3, row.user_id)
      .Bind(4, row.message_id)
      .Bind(5, row.kind)
      .Bind(6, row.payload)
      .Bind(7, row.priority)
      .Bind(8, row.dedupe_key)
      .Bind(9, row.due_at)
      .Bind(10, now_ms)
      .Bind(11, row.broadcast_id);
  // No row back: the dedupe key was taken, and nothing was inserted.
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return id;
}

core::Result<std::vector<OutboxRow>> FindDueOutbox(
    Database& db, int64_t now_ms, int limit,
    const std::vector<std::string>& channels, bool with_broadcasts) {
  // A row is claimable when it is due and no other row of its chat is in
  // flight or due before it. Rows due later (reminders) don't hold up
  // replies, nor does a notice (held in quiet hours or while the person
  // answers the bot): only another notice waits for it. The subquery
  // repeats outbox_chat's condition word for word so SQLite uses that
  // partial index; the outer scan follows outbox_claim (PostgreSQL has no
  // index hints, and its planner finds that index by itself).
  std::string sql =
      std::string("SELECT ") + kColumns +
      (db.is_postgres() ? " FROM outbox o"
                        : " FROM outbox o INDEXED BY outbox_claim") +
      " WHERE o.state = 'pending' AND o.next_attempt_at <= ?1"
      " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel"
      "   AND p.chat_id = o.chat_id AND p.state IN ('pending', 'sending')"
      "   AND p.id <> o.id AND (p.state = 'sending' OR (p.id < o.id AND "
      "p.due_at <= ?1 AND (p.broadcast_id IS NULL"
      "   OR o.broadcast_id IS NOT NULL))))";
  if (!with_broadcasts) {
    // A literal bound, so the planner turns it into a range of outbox_claim.
    sql += " AND o.priority < " + std::to_string(kBroadcastPriority) +
           " AND o.broadcast_id IS NULL";
  }
  if (!channels.empty()) {
    sql += " AND o.channel IN (";
    // Numbered, because a bare ? would take the index after ?1 and clash with
    // ?2.
    for (size_t i = 0; i < channels.size(); ++i) {
      sql += (i ? ",?" : "?") + std::to_string(3 + i);
    }
    sql += ")";
  }
  sql += " ORDER BY o.priority, o.next_attempt_at, o.id LIMIT ?2";
  Statement& st = db.Cached(sql);
  st.Bind(1, now_ms).Bind(2, limit);
  for (size_t i = 0; i < channels.size(); ++i)
    st.Bind(static_cast<int>(3 + i), channels[i]);
  std::vector<OutboxRow> rows;
  while (st.Step()) rows.push_back(ReadRow(st));
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return rows;
}

core::Result<bool> ClaimOutboxRow(Database& db, int64_t id) {
  Statement& claim = db.Cached(
      "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
      " handed_at = NULL WHERE id = ? AND state = 'pending'");
  claim.Bind(1, id);
  if (auto s = claim.Run(); !s.ok()) return s;
  return db.Changes() == 1;
}

core::Status MarkOutboxHandedOver(Database& db, int64_t id, int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE outbox SET handed_at = ?1 WHERE id = ?2 AND state = 'sending'");
  st.Bind(1, now_ms).Bind(2, id);
  return st.Run();
}

core::Result<bool> DeferOutboxRow(Database& db, int64_t id,
                                  int64_t next_attempt_at) {
  Statement& st = db.Cached(
      "UPDATE outbox SET next_attempt_at = ?1 WHERE id = ?2 AND state = "
      "'pending'");
  st.Bind(1, next_attempt_at).Bind(2, id);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes() == 1;
}

core::Status UnclaimOutboxRow(Database& db, int64_t id,
                              int64_t next_attempt_at) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?1,"
      " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,"
      " handed_at = NULL"
      " WHERE id = ?2 AND state = 'sending'");
  st.Bind(1, next_attempt_at).Bind(2, id);
  return st.Run();
}

core::Status MarkOutboxSent(Database& db, int64_t id,
                            std::string_view provider_message_id,
                            int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'sent', sent_at = ?1, provider_message_id = "
      "nullif(?2, ''),"
      " last_error = NULL WHERE id = ?3");
  st.Bind(1, now_ms).Bind(2, provider_message_id).Bind(3, id);
  return st.Run();
}

core::Status MarkOutboxRetry(Database& db, int64_t id, int64_t next_attempt_at,
                             std::string_view error) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?1, last_error = "
      "?2 WHERE id = ?3");
  st.Bind(1, next_attempt_at).Bind(2, error).Bind(3, id);
  return st.Run();
}

core::Status MarkOutboxFailed(Database& db, int64_t id, std::string_view error,
                              int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'failed', last_error = ?1, sent_at = ?2 WHERE "
      "id = ?3");
  st.Bind(1, error).Bind(2, now_ms).Bind(3, id);
  return st.Run();
}

core::Result<bool> CancelOutboxByDedupeKey(Database& db,
                                           std::string_view dedupe_key) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'cancelled' WHERE dedupe_key = ?1 AND state = "
      "'pending'");
  st.Bind(1, dedupe_key);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes() > 0;
}

core::Result<int64_t> RequeueInFlightOutbox(Database& db) {
  if (auto s = db.Exec("UPDATE outbox SET state = 'pending', handed_at = NULL"
                       " WHERE state = 'sending' AND handed_at IS NOT NULL");
      !s.ok()) {
    return s;
  }
  return static_cast<int64_t>(db.Changes());
}

core::Result<int64_t> RequeueUnsentOutbox(Database& db) {
  if (auto s = db.Exec(
          "UPDATE outbox SET state = 'pending',"
          " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
          " WHERE state = 'sending' AND handed_at IS NULL");
      !s.ok()) {
    return s;
  }
  return static_cast<int64_t>(db.Changes());
}

core::Result<int64_t> OutboxDepth(Database& db) {
  Statement& st = db.Cached(
      "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')");
  if (!st.Step()) return st.status();
  const int64_t depth = st.Int(0);
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  return depth;
}

core::Result<std::optional<int64_t>> NextOutboxDue(Database& db,
                                                   bool with_broadcasts) {
  Statement& st = db.Cached(
      with_broadcasts
          ? std::string("SELECT min(next_attempt_at) FROM outbox WHERE state = "
                        "'pending'")
          : std::string("SELECT min(next_attempt_at) FROM outbox") +
                (db.is_postgres() ? "" : " INDEXED BY outbox_claim") +
                " WHERE state = 'pending' AND priority < " +
                std::to_string(kBroadcastPriority) +
                " AND broadcast_id IS NULL");
  if (!st.Step()) return st.status();
  const std::optional<int64_t> next = st.OptionalInt(0);
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  return next;
}

core::Result<std::vector<OutboxRow>> TakeDueOutboxForChat(
    Database& db, std::string_view channel, std::string_view chat_id,
    int64_t now_ms, std::optional<int64_t> after) {
  Statement& st = db.Cached(
      std::string("SELECT * FROM (SELECT ") + kColumns +
      " FROM outbox WHERE channel = ?1 AND chat_id = ?2 AND due_at <= ?3"
      " AND (state = 'pending' OR (CAST(?4 AS BIGINT) IS NOT NULL"
      " AND state = 'sent' AND id > ?4))"
      " ORDER BY id DESC LIMIT 100) AS latest ORDER BY id");
  st.Bind(1, channel).Bind(2, chat_id).Bind(3, now_ms).Bind(4, after);
  std::vector<OutboxRow> rows;
  while (st.Step()) rows.push_back(ReadRow(st));
  if (!st.status().ok()) return st.status();
  for (auto& r : rows) {
    if (r.state != "pending") continue;
    if (auto s = MarkOutboxSent(db, r.id, "", now_ms); !s.ok()) return s;
    r.state = "sent";
  }
  return rows;
}

}  // namespace sportello::storage
