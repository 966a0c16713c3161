#include "bot/web/auth.h"

#include <nlohmann/json.hpp>

#include "bot/channels/json_guard.h"
#include "bot/core/log.h"
#include "bot/domain/password.h"
#include "bot/web/json_response.h"
#include "bot/web/origin.h"
#include "storage/centres.h"

namespace sportello::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxLoginBody = 4096;

// Each scrypt verification takes 32 MiB and ~0.1 s of a core: one at a
// time, and a few waiting at most, so a flood of logins (random names get
// past the per-name lockout) costs neither the memory nor the cores that
// webhooks need.
constexpr int kMaxWaitingLogins = 4;

std::string Header(const Request& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

std::string CookieValue(std::string_view cookies, std::string_view name) {
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string_view::npos) end = cookies.size();
    std::string_view part = cookies.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

// Secure when the browser came over TLS (bot/web/origin.h).
std::string Cookie(bool secure, std::string_view value, bool expire = false) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; HttpOnly; SameSite=Strict; Path=/";
  if (expire) c += "; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

Response Unauthorized(std::string_view why) {
  Response r = ErrorResponse(401, why);
  r.headers.push_back({"WWW-Authenticate", "Bearer"});
  return r;
}

}  // namespace

std::string SessionToken(const Request& r) {
  const std::string auth = Header(r, "authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && auth.starts_with(kBearer))
    return auth.substr(kBearer.size());
  return CookieValue(Header(r, "cookie"), kSessionCookie);
}

Auth::Auth(const WebConfig& config, const core::Clock& clock,
           storage::Store& store)
    : config_(config),
      idle_ms_(int64_t{config.session_idle_minutes} * 60'000),
      clock_(clock),
      store_(store) {}

Response Auth::Login(const Request& r) {
  if (r.body.size() > kMaxLoginBody) return ErrorResponse(413, "too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const auto user = body->find("username");
  const auto pass = body->find("password");
  if (user == body->end() || !user->is_string() || pass == body->end() ||
      !pass->is_string() || user->get<std::string>().empty()) {
    return ErrorResponse(400, "username and password are required strings");
  }
  const std::string username = user->get<std::string>().substr(0, 64);
  const std::string password = pass->get<std::string>();

  // Too many logins waiting for a password check: refused before anything
  // is counted against the name.
  if (waiting_logins_.fetch_add(1) >= kMaxWaitingLogins) {
    waiting_logins_.fetch_sub(1);
    Response busy = ErrorResponse(503, "too many logins at once: try again");
    busy.headers.push_back({"Retry-After", "1"});
    return busy;
  }
  struct Leave {
    std::atomic<int>& waiting;
    ~Leave() { waiting.fetch_sub(1); }
  } leave{waiting_logins_};

  // The attempt is counted as a failure before the password is checked, in
  // the same transaction as the lockout check, so parallel attempts cannot
  // all pass the check at once; a success clears the count. The write lock
  // is held briefly, scrypt runs outside it.
  const int64_t now = clock_.NowMillis();
  storage::LoginFailures failures;
  std::optional<storage::Staff> staff;
  auto s = store_.Write([&](storage::Database& db) -> core::Status {
    auto f = storage::RecentLoginFailures(db, username, now - kLockoutWindowMs);
    if (!f.ok()) return f.status();
    failures = *f;
    if (failures.count >= kMaxLoginFailures) return core::Status::Ok();
    auto found = storage::FindStaff(db, username);
    if (!found.ok()) return found.status();
    staff = std::move(*found);
    return storage::RecordLoginFailure(db, username, now);
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  if (failures.count >= kMaxLoginFailures) {
    const int64_t lifts_at = failures.oldest.value_or(now) + kLockoutWindowMs;
    const int64_t seconds = std::max<int64_t>(1, (lifts_at - now + 999) / 1000);
    Response locked =
        ErrorResponse(429, "too many failed logins: try again later");
    locked.headers.push_back({"Retry-After", std::to_string(seconds)});
    return locked;
  }

  bool verified = false;
  {
    core::MutexLock one_at_a_time(&verify_mu_);
    verified =
        VerifyPassword(password, staff ? std::string_view(staff->password_hash)
                                       : kUnknownUserHash);
  }
  const bool ok = verified && staff && !staff->disabled;
  if (!ok) {
    core::LogWarn("console", "failed login for '" + username + "'");
    return ErrorResponse(401, "wrong username or password");
  }
  auto token = NewSessionToken();
  if (!token.ok()) return ErrorResponse(500, "cannot create a session");
  s = store_.Write([&](storage::Database& db) -> core::Status {
    if (auto c = storage::ClearLoginFailures(db, username); !c.ok()) return c;
    // Logins are rare: a good moment to drop what can no longer matter.
    if (auto p =
            storage::PruneStaffAuth(db, now - kLockoutWindowMs, now - idle_ms_);
        !p.ok())
      return p;
    return storage::CreateSession(db, Sha256Hex(*token), staff->id, now);
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  core::LogInfo("console", "'" + username + "' logged in");
  Response out = JsonResponse(
      200, {{"token", *token},
            {"username", username},
            {"role", std::string(storage::StaffRoleName(staff->role))}});
  out.headers.push_back({"Set-Cookie", Cookie(OverTls(r, config_), *token)});
  out.headers.push_back({"Cache-Control", "no-store"});
  return out;
}

Response Auth::Logout(const Request& r) {
  const std::string token = SessionToken(r);
  if (!token.empty()) {
    auto s = store_.Write([&](storage::Database& db) {
      return storage::DeleteSession(db, Sha256Hex(token));
    });
    if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  }
  Response out = JsonResponse(200, {{"ok", true}});
  out.headers.push_back(
      {"Set-Cookie", Cookie(OverTls(r, config_), "", /*expire=*/true)});
  return out;
}

std::variant<Caller, Response> Auth::Authenticate(const Request& r) {
  const std::string token = SessionToken(r);
  if (token.empty()) return Unauthorized("log in first");
  const std::string hash = Sha256Hex(token);
  const int64_t now = clock_.NowMillis();
  std::optional<storage::StaffSession> session;
  std::vector<int64_t> centres;
  bool expired = false;
  auto s = store_.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindSession(db, hash);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return core::Status::Ok();
    if (now - (*found)->last_seen_at > idle_ms_) {
      expired = true;
      return storage::DeleteSession(db, hash);
    }
    session = std::move(*found);
    auto ids = storage::StaffCentreIds(db, session->staff.id);
    if (!ids.ok()) return ids.status();
    centres = std::move(*ids);
    return storage::TouchSession(db, hash, now);
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  if (expired) return Unauthorized("session expired: log in again");
  if (!session) return Unauthorized("log in first");
  return Caller{session->staff.id, session->staff.username, session->staff.role,
                hash, std::move(centres)};
}

}  // namespace sportello::http
