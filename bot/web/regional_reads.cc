#include "bot/web/regional_reads.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "bot/web/console_scope.h"
#include "storage/audit.h"

namespace sportello::http {
namespace {

// What a list's ?centre= means, not its spelling, so that no run of made-up
// values grows the map: a centre's id, every centre ("all"), the caller's
// own ("") or something else ("?").
std::string CentreKey(const std::string& centre,
                      const std::optional<int64_t>& id) {
  if (id) return std::to_string(*id);
  return centre.empty() || centre == "all" ? centre : "?";
}

}  // namespace

RegionalReads::RegionalReads(storage::Store& store, const core::Clock& clock)
    : store_(store), clock_(clock) {}

core::Status RegionalReads::Record(const Caller& caller, const Request& r) {
  if (!Regional(caller)) return core::Status::Ok();
  auto it = r.query.find("centre");
  const std::string centre = it == r.query.end() ? "" : it->second;
  // The centre's id when the list is one centre's, for the log's filter.
  const auto centre_id = ParseId(centre);
  const std::string key =
      caller.username + "\n" + r.path + "\n" + CentreKey(centre, centre_id);
  const int64_t now = clock_.NowMillis();
  const int64_t window =
      std::chrono::duration_cast<std::chrono::milliseconds>(kWindow).count();
  {
    core::MutexLock lock(&mu_);
    auto last = last_.find(key);
    if (last != last_.end() && now - last->second < window)
      return core::Status::Ok();
  }
  auto s = store_.Write([&](storage::Database& db) {
    return storage::AppendAudit(
        db, {0, now, caller.username, "view_list", std::nullopt, std::nullopt,
             nlohmann::json{{"path", r.path}, {"centre", centre}}.dump(),
             centre_id && *centre_id > 0 ? centre_id : std::nullopt});
  });
  if (!s.ok()) return s;
  core::MutexLock lock(&mu_);
  // What is past its window would be recorded again anyway: dropped here,
  // the map holds only the reads of the last kWindow.
  std::erase_if(last_,
                [&](const auto& kv) { return now - kv.second >= window; });
  last_[key] = now;
  return core::Status::Ok();
}

}  // namespace sportello::http
