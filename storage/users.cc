#include "storage/users.h"

namespace sportello::storage {
namespace {

constexpr const char* kColumns =
    "id, channel, external_id, chat_id, name, language, blocked, unreachable, "
    "consent_version,"
    " consent_at, notify, created_at, last_inbound_at, account";

User ReadUser(const Statement& st) {
  User u;
  u.id = st.Int(0);
  u.channel = st.Text(1);
  u.external_id = st.Text(2);
  u.chat_id = st.Text(3);
  u.name = st.Text(4);
  u.language = st.Text(5);
  u.blocked = st.Int(6) != 0;
  u.unreachable = st.Int(7) != 0;
  u.consent_version = st.OptionalText(8);
  u.consent_at = st.OptionalInt(9);
  u.notify = st.Int(10) != 0;
  u.created_at = st.Int(11);
  u.last_inbound_at = st.OptionalInt(12);
  u.account = st.Text(13);
  return u;
}

// Reads at most one row, then resets `st`: a cached statement left on a row
// keeps its connection's read transaction open, which hides later commits
// from that connection and stops checkpoints from emptying the WAL.
core::Result<std::optional<User>> FindOne(Statement& st) {
  std::optional<User> user;
  if (st.Step()) user = ReadUser(st);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return user;
}

core::Status UpdateFlag(Database& db, std::string_view sql, int64_t user_id,
                        int64_t value) {
  Statement st = db.Prepare(sql);
  st.Bind(1, value).Bind(2, user_id);
  return st.Run();
}

}  // namespace

core::Result<User> UpsertUserOnInbound(Database& db, std::string_view channel,
                                       std::string_view external_id,
                                       std::string_view chat_id,
                                       std::string_view name, int64_t now_ms) {
  Statement& up = db.Cached(
      "INSERT INTO users(channel, external_id, chat_id, name, created_at, "
      "last_inbound_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?5)"
      " ON CONFLICT(channel, external_id) DO UPDATE SET"
      "   chat_id = excluded.chat_id,"
      "   name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE "
      "users.name END,"
      "   last_inbound_at = CASE WHEN users.last_inbound_at IS NULL"
      "     OR users.last_inbound_at < excluded.last_inbound_at"
      "     THEN excluded.last_inbound_at ELSE users.last_inbound_at END,"
      "   blocked = 0, unreachable = 0");
  up.Bind(1, channel)
      .Bind(2, external_id)
      .Bind(3, chat_id)
      .Bind(4, name)
      .Bind(5, now_ms);
  if (auto s = up.Run(); !s.ok()) return s;
  auto found = FindUser(db, channel, external_id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return core::Status::Internal("users: upserted user not found");
  return std::move(**found);
}

core::Result<std::optional<User>> FindUser(Database& db,
                                           std::string_view channel,
                                           std::string_view external_id) {
  Statement& st =
      db.Cached(std::string("SELECT ") + kColumns +
                " FROM users WHERE channel = ? AND external_id = ?");
  st.Bind(1, channel).Bind(2, external_id);
  return FindOne(st);
}

core::Result<std::optional<User>> FindUserById(Database& db, int64_t id) {
  Statement& st =
      db.Cached(std::string("SELECT ") + kColumns + " FROM users WHERE id = ?");
  st.Bind(1, id);
  return FindOne(st);
}

core::Result<std::optional<User>> FindUserByChat(Database& db,
                                                 std::string_view channel,
                                                 std::string_view chat_id) {
  Statement& st = db.Cached(
      std::string("SELECT ") + kColumns +
      " FROM users WHERE channel = ? AND chat_id = ? ORDER BY id LIMIT 1");
  st.Bind(1, channel).Bind(2, chat_id);
  return FindOne(st);
}

core::Status SetUserBlocked(Database& db, int64_t user_id, bool blocked) {
  return UpdateFlag(db, "UPDATE users SET blocked = ? WHERE id = ?", user_id,
                    blocked ? 1 : 0);
}

core::Status SetUserUnreachable(Database& db, int64_t user_id,
                                bool unreachable) {
  return UpdateFlag(db, "UPDATE users SET unreachable = ? WHERE id = ?",
                    user_id, unreachable ? 1 : 0);
}

core::Status SetUserLanguage(Database& db, int64_t user_id,
                             std::string_view language) {
  Statement& st = db.Cached("UPDATE users SET language = ? WHERE id = ?");
  st.Bind(1, language).Bind(2, user_id);
  return st.Run();
}

core::Status SetUserAccount(Database& db, int64_t user_id,
                            std::string_view account) {
  Statement& st = db.Cached("UPDATE users SET account = ?1 WHERE id = ?2");
  st.Bind(1, account).Bind(2, user_id);
  return st.Run();
}

}  // namespace sportello::storage
