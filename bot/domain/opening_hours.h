// When the centre is open, for what the bot promises about the handoff
// queue. SPORTELLO_OPENING_HOURS, Europe/Rome wall clock: periods separated
// by ";", each "DAYS HH:MM-HH:MM" where DAYS are ISO weekdays (1 = Monday
// ... 7 = Sunday) as a list and ranges: "1-5 09:00-13:00; 2,4 15:00-17:30".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/centre.h"

namespace sportello {

struct OpeningPeriod {
  unsigned days = 0;    // bit d set: open on ISO weekday d (1-7)
  int from_minute = 0;  // minutes after midnight, inclusive
  int to_minute = 0;    // exclusive
};

// InvalidArgument, quoting the bad period, for anything else.
core::Result<std::vector<OpeningPeriod>> ParseOpeningHours(
    std::string_view text);

// Whether Rome's wall clock at `at_ms` falls in one of the periods.
bool IsOpenAt(const std::vector<OpeningPeriod>& periods, int64_t at_ms);

// Whether counsellors answer at `at_ms`: inside centre.opening_hours and not
// on a public holiday or one of centre.closures (bot/domain/holidays.h).
// Hours that do not parse (validated at start-up; only a hand-built config)
// read as always open, holidays still apart.
bool CentreOpenAt(const CentreConfig& centre, int64_t at_ms);

}  // namespace sportello
