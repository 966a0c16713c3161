// The days the centre is closed whatever its weekly hours say: Italy's
// national public holidays (Easter Monday computed) and the centre's own
// closures, from SPORTELLO_CLOSURES. Pure: no clock, no database; the
// booking rules, the handoff's "we are open" and the demo slots ask it.
//
// SPORTELLO_CLOSURES: a comma-separated list of days, each "MM-DD" (every
// year: "12-06", Bari's patron saint) or "YYYY-MM-DD" (once: "2026-12-24").
// Empty or "none": no closure of the centre's own.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/centre.h"

namespace sportello {

// Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm).
std::chrono::year_month_day EasterSunday(std::chrono::year year);

// 1/1, 6/1, Easter Monday, 25/4, 1/5, 2/6, 15/8, 1/11, 8/12, 25/12, 26/12.
bool IsItalianPublicHoliday(std::chrono::year_month_day day);

class ClosedDays {
 public:
  // InvalidArgument, quoting the bad item, for anything but the format above.
  static core::Result<ClosedDays> Parse(std::string_view text);

  // A public holiday or one of the centre's closures.
  bool Contains(std::chrono::year_month_day day) const;
  // The same for the Rome date at `at_ms`.
  bool ContainsInstant(int64_t at_ms) const;

 private:
  std::vector<std::chrono::month_day> yearly_;
  std::vector<std::chrono::year_month_day> once_;
};

// The centre's closed days from centre.closures (validated at start-up; a
// value that does not parse, only possible in a hand-built config, leaves
// the public holidays alone).
ClosedDays CentreClosedDays(const CentreConfig& centre);

}  // namespace sportello
