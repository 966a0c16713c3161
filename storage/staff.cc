#include "storage/staff.h"

#include <array>
#include <utility>

namespace sportello::storage {
namespace {

constexpr std::array<std::pair<StaffRole, std::string_view>, 3> kRoles{{
    {StaffRole::kCounsellor, "counsellor"},
    {StaffRole::kCentreAdmin, "centre_admin"},
    {StaffRole::kAdmin, "admin"},
}};

constexpr const char* kColumns =
    "id, username, role, password_hash, disabled, created_at";

Staff ReadStaff(const Statement& st, int first = 0) {
  Staff s;
  s.id = st.Int(first);
  s.username = st.Text(first + 1);
  s.role = ParseStaffRole(st.Text(first + 2)).value_or(StaffRole::kCounsellor);
  s.password_hash = st.Text(first + 3);
  s.disabled = st.Int(first + 4) != 0;
  s.created_at = st.Int(first + 5);
  return s;
}

// Reads at most one row, then resets (see FindOne in users.cc).
core::Result<std::optional<Staff>> FindOne(Statement& st) {
  std::optional<Staff> staff;
  if (st.Step()) staff = ReadStaff(st);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return staff;
}

}  // namespace

std::string_view StaffRoleName(StaffRole role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "counsellor";
}

std::optional<StaffRole> ParseStaffRole(std::string_view name) {
  for (const auto& [r, text] : kRoles) {
    if (text == name) return r;
  }
  return std::nullopt;
}

core::Result<int64_t> AddStaff(Database& db, std::string_view username,
                               StaffRole role, std::string_view password_hash,
                               int64_t now_ms) {
  Statement st = db.Prepare(
      "INSERT INTO staff(username, role, password_hash, created_at)"
      " VALUES(?, ?, ?, ?) RETURNING id");
  st.Bind(1, username)
      .Bind(2, StaffRoleName(role))
      .Bind(3, password_hash)
      .Bind(4, now_ms);
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  if (auto s = st.status(); !s.ok()) {
    if (s.code() == core::Status::Code::kAlreadyExists) {
      return core::Status::AlreadyExists("staff: '" + std::string(username) +
                                         "' exists already");
    }
    return s;
  }
  if (!id) return core::Status::Internal("staff: insert returned no id");
  return *id;
}

core::Result<std::optional<Staff>> FindStaff(Database& db,
                                             std::string_view username) {
  Statement& st = db.Cached(std::string("SELECT ") + kColumns +
                            " FROM staff WHERE username = ?");
  st.Bind(1, username);
  return FindOne(st);
}

core::Result<std::optional<Staff>> FindStaffById(Database& db, int64_t id) {
  Statement& st =
      db.Cached(std::string("SELECT ") + kColumns + " FROM staff WHERE id = ?");
  st.Bind(1, id);
  return FindOne(st);
}

core::Result<std::vector<Staff>> ListStaff(Database& db) {
  Statement st = db.Prepare(std::string("SELECT ") + kColumns +
                            " FROM staff ORDER BY username");
  std::vector<Staff> out;
  while (st.Step()) out.push_back(ReadStaff(st));
  if (!st.status().ok()) return st.status();
  return out;
}

core::Status DisableStaff(Database& db, std::string_view username) {
  Statement st = db.Prepare("UPDATE staff SET disabled = 1 WHERE username = ?");
  st.Bind(1, username);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("staff: no account '" +
                                  std::string(username) + "'");
  }
  Statement end = db.Prepare(
      "DELETE FROM staff_sessions WHERE staff_id = "
      "(SELECT id FROM staff WHERE username = ?)");
  end.Bind(1, username);
  return end.Run();
}

core::Status CreateSession(Database& db, std::string_view token_hash,
                           int64_t staff_id, int64_t now_ms) {
  Statement st = db.Prepare(
      "INSERT INTO staff_sessions(token_hash, staff_id, created_at, "
      "last_seen_at) VALUES(?1, ?2, ?3, ?3)");
  st.Bind(1, token_hash).Bind(2, staff_id).Bind(3, now_ms);
  return st.Run();
}

core::Result<std::optional<StaffSession>> FindSession(
    Database& db, std::string_view token_hash) {
  Statement& st = db.Cached(
      "SELECT s.id, s.username, s.role, s.password_hash, s.disabled, "
      "s.created_at, x.created_at, x.last_seen_at"
      " FROM staff_sessions x JOIN staff s ON s.id = x.staff_id"
      " WHERE x.token_hash = ? AND s.disabled = 0");
  st.Bind(1, token_hash);
  std::optional<StaffSession> session;
  if (st.Step()) {
    session.emplace();
    session->token_hash = std::string(token_hash);
    session->staff = ReadStaff(st);
    session->created_at = st.Int(6);
    session->last_seen_at = st.Int(7);
  }
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return session;
}

core::Status TouchSession(Database& db, std::string_view token_hash,
                          int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?");
  st.Bind(1, now_ms).Bind(2, token_hash);
  return st.Run();
}

core::Status DeleteSession(Database& db, std::string_view token_hash) {
  Statement st = db.Prepare("DELETE FROM staff_sessions WHERE token_hash = ?");
  st.Bind(1, token_hash);
  return st.Run();
}

core::Status RecordLoginFailure(Database& db, std::string_view username,
                                int64_t now_ms) {
  Statement st =
      db.Prepare("INSERT INTO login_failures(username, at) VALUES(?, ?)");
  st.Bind(1, username).Bind(2, now_ms);
  return st.Run();
}

core::Result<LoginFailures> RecentLoginFailures(Database& db,
                                                std::string_view username,
                                                int64_t since_ms) {
  Statement st = db.Prepare(
      "SELECT count(*), min(at) FROM login_failures WHERE username = ? AND "
      "at > ?");
  st.Bind(1, username).Bind(2, since_ms);
  LoginFailures f;
  if (st.Step()) {
    f.count = static_cast<int>(st.Int(0));
    f.oldest = st.OptionalInt(1);
  }
  if (!st.status().ok()) return st.status();
  return f;
}

core::Status ClearLoginFailures(Database& db, std::string_view username) {
  Statement st = db.Prepare("DELETE FROM login_failures WHERE username = ?");
  st.Bind(1, username);
  return st.Run();
}

core::Status PruneStaffAuth(Database& db, int64_t failures_before_ms,
                            int64_t sessions_before_ms) {
  Statement failures = db.Prepare("DELETE FROM login_failures WHERE at <= ?");
  failures.Bind(1, failures_before_ms);
  if (auto s = failures.Run(); !s.ok()) return s;
  Statement sessions =
      db.Prepare("DELETE FROM staff_sessions WHERE last_seen_at <= ?");
  sessions.Bind(1, sessions_before_ms);
  return sessions.Run();
}

}  // namespace sportello::storage
