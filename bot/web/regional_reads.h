// The audit trail of a regional admin's list reads. A regional admin works
// for no centre of their own: every list of people's data they open (the
// queue, the appointments, the live stream, the funnel) is a look into
// centres, and goes on the audit log as "view_list" with the list's path
// and its ?centre= ("" for the admin's default: every centre). The console
// reloads a list at every change, so one row stands for the same list of
// the same centre by the same admin for kWindow; single conversations are
// audited on every view where they are read (console_api.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "bot/core/clock.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "bot/web/auth.h"
#include "bot/web/handler.h"
#include "storage/store.h"

namespace sportello::http {

class RegionalReads {
 public:
  static constexpr std::chrono::minutes kWindow{15};

  // `store` and `clock` must outlive this.
  RegionalReads(storage::Store& store, const core::Clock& clock);

  // Records `r` read by `caller` unless the same read is on record within
  // kWindow; nothing for staff who are not regional admins. An error when
  // the audit row could not be written: the caller answers 503 rather than
  // show what it could not record. Thread-safe.
  core::Status Record(const Caller& caller, const Request& r);

 private:
  storage::Store& store_;
  const core::Clock& clock_;
  core::Mutex mu_;
  // "<admin>\n<path>\n<centre>" -> when it was last recorded (ms).
  std::map<std::string, int64_t> last_ GUARDED_BY(mu_);
};

}  // namespace sportello::http
