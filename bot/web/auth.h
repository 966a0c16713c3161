// Console sign-in: login with lockout, sessions with idle expiry, and who is
// calling. Tokens reach the database only as SHA-256; passwords are checked
// with scrypt (bot/domain/password.h).
//
//   POST /api/login   {"username","password"} -> {"token"} + session cookie
//   POST /api/logout
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/mutex.h"
#include "bot/web/routes.h"
#include "storage/staff.h"
#include "storage/store.h"

namespace sportello::http {

inline constexpr const char* kSessionCookie = "sportello_session";
// Failed logins for one name within kLockoutWindowMs before 429.
inline constexpr int kMaxLoginFailures = 5;
inline constexpr int64_t kLockoutWindowMs = 15 * 60 * 1000;

struct Caller {
  int64_t staff_id = 0;
  std::string username;
  storage::StaffRole role = storage::StaffRole::kCounsellor;
  std::string token_hash;
  // The centres the account works for (storage/centres.h), sorted; a
  // regional admin may have none and sees every centre all the same.
  std::vector<int64_t> centres;
};

class Auth {
 public:
  // A session unused for `config.session_idle_minutes` ends; the cookie is
  // Secure when the browser came over TLS. `config` must outlive this.
  Auth(const WebConfig& config, const core::Clock& clock,
       storage::Store& store);

  Response Login(const Request& r);
  Response Logout(const Request& r);

  // The caller behind the request's Bearer token or session cookie, its
  // session refreshed; or the 401 to answer (no token, unknown, idle too
  // long, account disabled). Thread-safe.
  std::variant<Caller, Response> Authenticate(const Request& r);

 private:
  const WebConfig& config_;
  const int64_t idle_ms_;
  const core::Clock& clock_;
  storage::Store& store_;
  core::Mutex verify_mu_;  // one password verification at a time
  std::atomic<int> waiting_logins_{0};
};

// The session token a request carries: `Authorization: Bearer` first, else
// the session cookie; "" when neither.
std::string SessionToken(const Request& r);

}  // namespace sportello::http
