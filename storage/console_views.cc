#include "storage/console_views.h"

#include <limits>
#include <optional>

namespace sportello::storage {
namespace {

// ASCII letters in lower case: what SQLite's lower() and its LIKE and
// NOCASE fold. Compared with lower(column), it makes searches ignore case
// on PostgreSQL as well, whose LIKE and = do not.
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Escapes LIKE's wildcards so a search for "50%" finds "50%"; lower case,
// for matching against lower(column).
std::string LikePattern(std::string_view text) {
  std::string out = "%";
  for (char c : AsciiLower(text)) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

core::Result<std::vector<ConversationSummary>> ListConversationSummaries(
    Database& db, ConversationMode mode, const CentreScope& scope, int limit) {
  Statement st = db.Prepare(
      "SELECT c.id, c.user_id, c.mode, c.assigned_to, c.waiting_since,"
      " c.created_at, c.updated_at, c.last_message_at, u.channel, u.name,"
      " coalesce((SELECT substr(m.text, 1, 120) FROM messages m"
      "   WHERE m.conversation_id = c.id AND m.direction = 'in'"
      "   AND m.text <> '' ORDER BY m.id DESC LIMIT 1), ''),"
      " coalesce(n.value, ''), c.centre_id"
      " FROM conversations c JOIN users u ON u.id = c.user_id"
      " LEFT JOIN profile_answers n ON n.user_id = c.user_id"
      "   AND n.question = 'name'"
      " WHERE c.mode = ? AND " +
      CentreCondition("c.centre_id", scope) +
      " ORDER BY coalesce(c.waiting_since, c.last_message_at, c.updated_at),"
      " c.id LIMIT ?");
  st.Bind(1, ConversationModeName(mode)).Bind(2, limit);
  std::vector<ConversationSummary> out;
  while (st.Step()) {
    ConversationSummary s;
    s.conversation.id = st.Int(0);
    s.conversation.user_id = st.Int(1);
    s.conversation.mode =
        ParseConversationMode(st.Text(2)).value_or(ConversationMode::kBot);
    s.conversation.assigned_to = st.OptionalText(3);
    s.conversation.waiting_since = st.OptionalInt(4);
    s.conversation.created_at = st.Int(5);
    s.conversation.updated_at = st.Int(6);
    s.conversation.last_message_at = st.OptionalInt(7);
    s.channel = st.Text(8);
    s.user_name = st.Text(9);
    s.preview = st.Text(10);
    s.profile_name = st.Text(11);
    s.conversation.centre_id = st.Int(12);
    out.push_back(std::move(s));
  }
  if (!st.status().ok()) return st.status();
  return out;
}

core::Result<std::optional<Conversation>> FindConversationIn(
    Database& db, int64_t id, const CentreScope& scope) {
  Statement st =
      db.Prepare("SELECT 1 FROM conversations c WHERE c.id = ?1 AND " +
                 CentreCondition("c.centre_id", scope));
  st.Bind(1, id);
  const bool found = st.Step();
  if (!st.status().ok()) return st.status();
  if (!found) return std::optional<Conversation>();
  return FindConversation(db, id);
}

core::Result<bool> TakeOverConversation(Database& db, int64_t conversation_id,
                                        std::string_view username,
                                        int64_t now_ms) {
  Statement st = db.Prepare(
      "UPDATE conversations SET mode = 'human', assigned_to = ?2,"
      " waiting_since = NULL, flow = '', step = '', updated_at = ?3"
      " WHERE id = ?1 AND (mode <> 'human' OR assigned_to IS NULL"
      "   OR assigned_to = ?2)");
  st.Bind(1, conversation_id).Bind(2, username).Bind(3, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() > 0) return true;
  auto c = FindConversation(db, conversation_id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) {
    return core::Status::NotFound("conversations: no conversation " +
                                  std::to_string(conversation_id));
  }
  return false;
}

core::Result<std::vector<ProfileMatch>> SearchProfiles(
    Database& db, std::string_view q, std::string_view comune,
    std::string_view role, const CentreScope& scope, int limit) {
  // A person without a conversation (an imported contact) is centre 1's,
  // as every row without a centre of its own.
  const std::string centre =
      "coalesce(c.centre_id, " + std::to_string(kFirstCentre) + ")";
  Statement st = db.Prepare(
      "SELECT p.user_id, c.id, coalesce(nullif(n.value, ''), u.name),"
      " u.channel, coalesce(cm.value, ''), coalesce(r.value, ''),"
      " p.completed_at, " +
      centre +
      " FROM profiles p JOIN users u ON u.id = p.user_id"
      " LEFT JOIN conversations c ON c.user_id = p.user_id"
      " LEFT JOIN profile_answers n ON n.user_id = p.user_id"
      "   AND n.question = 'name'"
      " LEFT JOIN profile_answers cm ON cm.user_id = p.user_id"
      "   AND cm.question = 'comune'"
      " LEFT JOIN profile_answers r ON r.user_id = p.user_id"
      "   AND r.question = 'roles'"
      " WHERE (?1 = '' OR EXISTS (SELECT 1 FROM profile_answers a"
      "   WHERE a.user_id = p.user_id AND lower(a.value) LIKE ?2 ESCAPE '\\'))"
      " AND (?3 = '' OR lower(cm.value) = ?7)"
      " AND (?4 = '' OR lower(r.value) LIKE ?5 ESCAPE '\\')"
      " AND " +
      CentreCondition(centre, scope) +
      " ORDER BY p.updated_at DESC, p.user_id LIMIT ?6");
  st.Bind(1, q)
      .Bind(2, LikePattern(q))
      .Bind(3, comune)
      .Bind(4, role)
      .Bind(5, LikePattern(role))
      .Bind(6, limit)
      .Bind(7, AsciiLower(comune));
  std::vector<ProfileMatch> out;
  while (st.Step()) {
    ProfileMatch m;
    m.user_id = st.Int(0);
    m.conversation_id = st.OptionalInt(1);
    m.name = st.Text(2);
    m.channel = st.Text(3);
    m.comune = st.Text(4);
    m.roles = st.Text(5);
    m.completed_at = st.OptionalInt(6);
    m.centre_id = st.Int(7);
    out.push_back(std::move(m));
  }
  if (!st.status().ok()) return st.status();
  return out;
}

core::Result<StreamStart> StartStream(Database& db, const CentreScope& scope) {
  Statement st = db.Prepare(
      "SELECT (SELECT coalesce(max(id), 0) FROM messages),"
      " (SELECT coalesce(max(updated_at), 0) FROM conversations),"
      " (SELECT count(*) FROM conversations WHERE mode = "
      "'waiting_for_human' AND " +
      CentreCondition("centre_id", scope) + ")");
  if (!st.Step()) {
    return st.status().ok() ? core::Status::Internal("stream: no state")
                            : st.status();
  }
  return StreamStart{StreamCursor{st.Int(0), st.Int(1)}, st.Int(2)};
}

core::Result<std::vector<ConversationChange>> ConversationsChangedSince(
    Database& db, const StreamCursor& cursor, const CentreScope& scope,
    int limit) {
  Statement st = db.Prepare(
      "SELECT id, mode, assigned_to, updated_at"
      " FROM conversations WHERE updated_at > ? AND " +
      CentreCondition("centre_id", scope) +
      " ORDER BY updated_at, id"
      " LIMIT ?");
  st.Bind(1, cursor.conversation_at).Bind(2, limit);
  std::vector<ConversationChange> out;
  while (st.Step()) {
    out.push_back(ConversationChange{
        st.Int(0), st.Text(1),
        st.IsNull(2) ? std::nullopt : std::optional(st.Text(2)), st.Int(3)});
  }
  if (!st.status().ok()) return st.status();
  return out;
}

namespace {

core::Result<std::vector<MessageAdded>> ReadMessagesAdded(
    Database& db, int64_t after, int64_t upto, const CentreScope& scope,
    int limit) {
  Statement st = db.Prepare(
      "SELECT m.id, m.conversation_id, m.direction, m.author FROM messages m"
      " JOIN conversations c ON c.id = m.conversation_id"
      " WHERE m.id > ? AND m.id <= ? AND " +
      CentreCondition("c.centre_id", scope) + " ORDER BY m.id LIMIT ?");
  st.Bind(1, after).Bind(2, upto).Bind(3, limit);
  std::vector<MessageAdded> out;
  while (st.Step()) {
    out.push_back(MessageAdded{st.Int(0), st.Int(1), st.Text(2), st.Text(3)});
  }
  if (!st.status().ok()) return st.status();
  return out;
}

core::Result<int64_t> ReadInt(Database& db, const char* sql,
                              std::optional<int64_t> arg = std::nullopt) {
  Statement st = db.Prepare(sql);
  if (arg) st.Bind(1, *arg);
  if (!st.Step()) {
    return st.status().ok() ? core::Status::Internal("stream: no row")
                            : st.status();
  }
  return st.Int(0);
}

}  // namespace

core::Result<std::vector<MessageAdded>> MessagesAddedSince(
    Database& db, const StreamCursor& cursor, const CentreScope& scope,
    int limit) {
  return ReadMessagesAdded(db, cursor.message_id,
                           std::numeric_limits<int64_t>::max(), scope, limit);
}

core::Result<std::vector<MessageAdded>> MessagesAddedBetween(
    Database& db, int64_t after, int64_t upto, const CentreScope& scope) {
  return ReadMessagesAdded(db, after, upto, scope,
                           std::numeric_limits<int>::max());
}

// Two statements, in this order: a message numbered before the first is
// written by a transaction that began before it, so the second's snapshot
// counts that transaction among those running (or it has ended). Writers
// holding the writer lock take a transaction id as they begin
// (storage/store.cc), before they number anything.
core::Result<MessageHorizon> ReadMessageHorizon(Database& db) {
  if (!db.is_postgres()) {
    auto last = ReadInt(db, "SELECT coalesce(max(id), 0) FROM messages");
    if (!last.ok()) return last.status();
    return MessageHorizon{*last, 0};
  }
  auto last =
      ReadInt(db,
              "SELECT coalesce(pg_sequence_last_value("
              "pg_get_serial_sequence('messages', 'id')::regclass), 0)");
  if (!last.ok()) return last.status();
  auto xmax = ReadInt(
      db, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
  if (!xmax.ok()) return xmax.status();
  return MessageHorizon{*last, *xmax};
}

core::Result<bool> MessageHorizonSettled(Database& db,
                                         const MessageHorizon& horizon) {
  if (!db.is_postgres()) return true;
  auto settled = ReadInt(
      db,
      "SELECT CASE WHEN pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
      " >= ? THEN 1 ELSE 0 END",
      horizon.xmax);
  if (!settled.ok()) return settled.status();
  return *settled == 1;
}

}  // namespace sportello::storage
