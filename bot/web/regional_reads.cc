#include "bot/web/regional_reads.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "bot/web/console_scope.h"
#include "storage/audit.h"

namespace sportello::http {

RegionalReads::RegionalReads(storage::Store& store, const core::Clock& clock)
    : store_(store), clock_(clock) {}

core::Status RegionalReads::Record(const Caller& caller, const Request& r) {
  if (!Regional(caller)) return core::Status::Ok();
  auto it = r.query.find("centre");
  const std::string centre = it == r.query.end() ? "" : it->second;
  const std::string key = caller.username + "\n" + r.path + "\n" + centre;
  const int64_t now = clock_.NowMillis();
  const int64_t window =
      std::chrono::duration_cast<std::chrono::milliseconds>(kWindow).count();
  {
    core::MutexLock lock(&mu_);
    auto last = last_.find(key);
    if (last != last_.end() && now - last->second < window)
      return core::Status::Ok();
  }
  // The centre's id when the list is one centre's, for the log's filter.
  const auto centre_id = ParseId(centre);
  auto s = store_.Write([&](storage::Database& db) {
    return storage::AppendAudit(
        db, {0, now, caller.username, "view_list", std::nullopt, std::nullopt,
             nlohmann::json{{"path", r.path}, {"centre", centre}}.dump(),
             centre_id && *centre_id > 0 ? centre_id : std::nullopt});
  });
  if (!s.ok()) return s;
  core::MutexLock lock(&mu_);
  last_[key] = now;
  return core::Status::Ok();
}

}  // namespace sportello::http
