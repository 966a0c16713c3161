#include "storage/conversations.h"

#include <array>
#include <utility>

namespace sportello::storage {
namespace {

constexpr std::array<std::pair<ConversationMode, std::string_view>, 3> kModes{{
    {ConversationMode::kBot, "bot"},
    {ConversationMode::kWaitingForHuman, "waiting_for_human"},
    {ConversationMode::kHuman, "human"},
}};

constexpr const char* kColumns =
    "id, user_id, mode, assigned_to, waiting_since, flow, step, slots, "
    "created_at, updated_at,"
    " last_message_at, centre_id";

Conversation ReadConversation(const Statement& st) {
  Conversation c;
  c.id = st.Int(0);
  c.user_id = st.Int(1);
  c.mode = ParseConversationMode(st.Text(2)).value_or(ConversationMode::kBot);
  c.assigned_to = st.OptionalText(3);
  c.waiting_since = st.OptionalInt(4);
  c.flow = st.Text(5);
  c.step = st.Text(6);
  c.slots = st.Text(7);
  c.created_at = st.Int(8);
  c.updated_at = st.Int(9);
  c.last_message_at = st.OptionalInt(10);
  c.centre_id = st.Int(11);
  return c;
}

}  // namespace

std::string_view ConversationModeName(ConversationMode mode) {
  for (const auto& [m, name] : kModes) {
    if (m == mode) return name;
  }
  return "bot";
}

std::optional<ConversationMode> ParseConversationMode(std::string_view name) {
  for (const auto& [m, text] : kModes) {
    if (text == name) return m;
  }
  return std::nullopt;
}

core::Result<Conversation> GetOrCreateConversation(Database& db,
                                                   int64_t user_id,
                                                   int64_t now_ms) {
  Statement& ins = db.Cached(
      "INSERT INTO conversations(user_id, created_at, updated_at) VALUES(?1, "
      "?2, ?2)"
      " ON CONFLICT(user_id) DO NOTHING");
  ins.Bind(1, user_id).Bind(2, now_ms);
  if (auto s = ins.Run(); !s.ok()) return s;
  Statement& st = db.Cached(std::string("SELECT ") + kColumns +
                            " FROM conversations WHERE user_id = ?");
  st.Bind(1, user_id);
  std::optional<Conversation> c;
  if (st.Step()) c = ReadConversation(st);
  const core::Status status = st.status();
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  if (!status.ok()) return status;
  if (!c)
    return core::Status::Internal(
        "conversations: created conversation not found");
  return std::move(*c);
}

namespace {

// The conversation whose `column` is `value`, if any.
core::Result<std::optional<Conversation>> FindOneBy(Database& db,
                                                    const char* column,
                                                    int64_t value) {
  Statement& st = db.Cached(std::string("SELECT ") + kColumns +
                            " FROM conversations WHERE " + column + " = ?");
  st.Bind(1, value);
  std::optional<Conversation> c;
  if (st.Step()) c = ReadConversation(st);
  const core::Status status = st.status();
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  if (!status.ok()) return status;
  return c;
}

}  // namespace

core::Result<std::optional<Conversation>> FindConversation(Database& db,
                                                           int64_t id) {
  return FindOneBy(db, "id", id);
}

core::Result<std::optional<Conversation>> FindConversationByUser(
    Database& db, int64_t user_id) {
  return FindOneBy(db, "user_id", user_id);
}

core::Status SaveConversation(Database& db, const Conversation& c,
                              int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE conversations SET mode = ?, assigned_to = ?, waiting_since = ?, "
      "flow = ?, step = ?,"
      " slots = ?, updated_at = ?, last_message_at = ? WHERE id = ?");
  st.Bind(1, ConversationModeName(c.mode))
      .Bind(2, c.assigned_to)
      .Bind(3, c.waiting_since)
      .Bind(4, c.flow)
      .Bind(5, c.step)
      .Bind(6, c.slots)
      .Bind(7, now_ms)
      .Bind(8, c.last_message_at)
      .Bind(9, c.id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("conversations: no conversation " +
                                  std::to_string(c.id));
  }
  return core::Status::Ok();
}

core::Status PlaceConversation(Database& db, int64_t conversation_id,
                               int64_t centre_id, int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE conversations SET centre_id = ?1, updated_at = ?2 WHERE id = ?3");
  st.Bind(1, centre_id).Bind(2, now_ms).Bind(3, conversation_id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("conversations: no conversation " +
                                  std::to_string(conversation_id));
  }
  return core::Status::Ok();
}

core::Result<std::vector<Conversation>> ConversationsByMode(
    Database& db, ConversationMode mode, int limit) {
  Statement st = db.Prepare(
      std::string("SELECT ") + kColumns +
      " FROM conversations WHERE mode = ?"
      " ORDER BY coalesce(waiting_since, last_message_at, updated_at), id"
      " LIMIT ?");
  st.Bind(1, ConversationModeName(mode)).Bind(2, limit);
  std::vector<Conversation> out;
  while (st.Step()) out.push_back(ReadConversation(st));
  if (!st.status().ok()) return st.status();
  return out;
}

core::Result<int64_t> CountOthersWaiting(Database& db, int64_t conversation_id,
                                         int64_t centre_id) {
  if (db.is_postgres()) {
    // The centre's queue: a two-key advisory lock in a space of its own
    // ("SPQU"), so that queues of different centres do not wait for each
    // other.
    Statement lock = db.Prepare(
        "SELECT pg_advisory_xact_lock(1397772629, CAST(? AS integer))");
    lock.Bind(1, centre_id);
    if (auto s = lock.Run(); !s.ok()) return s;
  }
  Statement st = db.Prepare(
      "SELECT count(*) FROM conversations WHERE mode = 'waiting_for_human' "
      "AND id != ? AND centre_id = ?");
  st.Bind(1, conversation_id).Bind(2, centre_id);
  if (!st.Step()) {
    return st.status().ok() ? core::Status::Internal("conversations: no count")
                            : st.status();
  }
  return st.Int(0);
}

}  // namespace sportello::storage
