// The centre's staff (counsellors and admins) who use the console, their
// sessions and their failed logins. Not chat users (storage/users.h).
// Passwords and tokens arrive here already hashed: storage never sees a
// secret in clear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// A counsellor and a centre admin work for one or more centres (see
// storage/centres.h) and see only theirs in the console; a centre admin
// also makes their centres' slots, never an admin's other rights. An admin
// is regional: every centre.
enum class StaffRole { kCounsellor, kCentreAdmin, kAdmin };
// "counsellor", "centre_admin", "admin"
std::string_view StaffRoleName(StaffRole role);
std::optional<StaffRole> ParseStaffRole(std::string_view name);

struct Staff {
  int64_t id = 0;
  std::string username;
  StaffRole role = StaffRole::kCounsellor;
  std::string password_hash;  // see bot/domain/password.h for the format
  bool disabled = false;
  int64_t created_at = 0;
};

// AlreadyExists when the name is taken.
core::Result<int64_t> AddStaff(Database& db, std::string_view username,
                               StaffRole role, std::string_view password_hash,
                               int64_t now_ms);
core::Result<std::optional<Staff>> FindStaff(Database& db,
                                             std::string_view username);
core::Result<std::optional<Staff>> FindStaffById(Database& db, int64_t id);
core::Result<std::vector<Staff>> ListStaff(Database& db);
// Disables the account and ends its sessions. NotFound for an unknown name.
core::Status DisableStaff(Database& db, std::string_view username);

struct StaffSession {
  std::string token_hash;
  Staff staff;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
};

core::Status CreateSession(Database& db, std::string_view token_hash,
                           int64_t staff_id, int64_t now_ms);
// The session and its (enabled) account, if any.
core::Result<std::optional<StaffSession>> FindSession(
    Database& db, std::string_view token_hash);
core::Status TouchSession(Database& db, std::string_view token_hash,
                          int64_t now_ms);
core::Status DeleteSession(Database& db, std::string_view token_hash);

core::Status RecordLoginFailure(Database& db, std::string_view username,
                                int64_t now_ms);
// Failures for `username` after `since_ms`, and the oldest of them (when
// the lockout will lift).
struct LoginFailures {
  int count = 0;
  std::optional<int64_t> oldest;
};
core::Result<LoginFailures> RecentLoginFailures(Database& db,
                                                std::string_view username,
                                                int64_t since_ms);
// A successful login forgets earlier failures.
core::Status ClearLoginFailures(Database& db, std::string_view username);

// Forgets failures at or before `failures_before_ms` and sessions last used
// at or before `sessions_before_ms` (they could no longer count or be used).
core::Status PruneStaffAuth(Database& db, int64_t failures_before_ms,
                            int64_t sessions_before_ms);

}  // namespace sportello::storage
