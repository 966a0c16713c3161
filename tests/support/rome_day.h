// Moments on the centre's clock, written as a person reads a calendar:
// Rome(Day(2026, 11, 24), 9, 30) is 9:30 in Bari on 24 November 2026, in
// milliseconds since the epoch (what FakeClock and the database hold).
#pragma once

#include <chrono>
#include <cstdint>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"

namespace sportello::support {

constexpr std::chrono::year_month_day Day(int y, unsigned m, unsigned d) {
  return std::chrono::year_month_day{
      std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

inline int64_t Rome(std::chrono::year_month_day day, int hour, int minute) {
  return core::ToMillis(core::FromRome(day, hour, minute));
}

}  // namespace sportello::support
