// Civil time in Europe/Rome, where every job centre we serve is. Italy follows
// the EU rule: CEST (UTC+2) from 01:00 UTC on the last Sunday of March to
// 01:00 UTC on the last Sunday of October, CET (UTC+1) otherwise. Computed
// here because GCC 12's <chrono> has no time-zone database.
#pragma once

#include <chrono>
#include <cstdint>

#include "bot/core/clock.h"

namespace sportello::core {

struct RomeTime {
  std::chrono::year_month_day date;
  int hour = 0;
  int minute = 0;
  unsigned weekday = 0;  // 0 = Sunday ... 6 = Saturday
};

// Seconds to add to UTC to get Rome's wall clock at that instant.
int RomeOffsetSeconds(int64_t unix_seconds);

RomeTime ToRome(Clock::time_point t);
std::chrono::year_month_day RomeDate(Clock::time_point t);

// The instant at which Rome's wall clock shows `date` `hour`:`minute`.
Clock::time_point FromRome(std::chrono::year_month_day date, int hour,
                           int minute);

}  // namespace sportello::core
