// Civil time in Rome: CET in winter, CEST from the last Sunday of March to the
// last Sunday of October (changes at 01:00 UTC), and dates by Rome's clock.
#include "bot/core/rome_time.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>

namespace sportello::core {
namespace {

using namespace std::chrono_literals;
using std::chrono::year_month_day;

// 2026-03-29 01:00:00 UTC: clocks go from 02:00 CET to 03:00 CEST.
constexpr int64_t kSpring2026 = 1'774'746'000;
// 2026-10-25 01:00:00 UTC: clocks go from 03:00 CEST back to 02:00 CET.
constexpr int64_t kAutumn2026 = 1'792'890'000;

Clock::time_point At(int64_t unix_seconds) {
  return Clock::time_point(std::chrono::seconds(unix_seconds));
}

int64_t Seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

constexpr year_month_day Day(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{m},
                        std::chrono::day{d}};
}

TEST_CASE("the change instants used here are the 2026 ones") {
  const auto spring = std::chrono::sys_days{Day(2026, 3, 29)} + 1h;
  const auto autumn = std::chrono::sys_days{Day(2026, 10, 25)} + 1h;
  CHECK(Seconds(spring) == kSpring2026);
  CHECK(Seconds(autumn) == kAutumn2026);
}

TEST_CASE("Rome is one hour ahead of UTC in winter and two in summer") {
  struct Row {
    int64_t unix_seconds;
    int offset;
    const char* when;
  };
  const Row rows[] = {
      {kSpring2026 - 1, 3600, "a second before the spring change"},
      {kSpring2026, 7200, "at the spring change"},
      {kSpring2026 + 3600, 7200, "an hour after it"},
      {kAutumn2026 - 1, 7200, "a second before the autumn change"},
      {kAutumn2026, 3600, "at the autumn change"},
      {1'767'225'600, 3600, "new year 2026"},
      {1'784'000'000, 7200, "July 2026"},
      {1'798'761'600, 3600, "new year 2027"},
      {1'711'846'800, 7200, "2024-03-31 01:00 UTC, the 2024 spring change"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.when);
    CHECK(RomeOffsetSeconds(row.unix_seconds) == row.offset);
  }
}

TEST_CASE("the wall clock jumps from two to three on the spring change") {
  const RomeTime before = ToRome(At(kSpring2026 - 60));
  CHECK(before.date == Day(2026, 3, 29));
  CHECK(before.hour == 1);
  CHECK(before.minute == 59);
  CHECK(before.weekday == 0);  // Sunday

  const RomeTime after = ToRome(At(kSpring2026));
  CHECK(after.hour == 3);
  CHECK(after.minute == 0);
}

TEST_CASE("the wall clock goes back from three to two on the autumn change") {
  const RomeTime before = ToRome(At(kAutumn2026 - 60));
  CHECK(before.date == Day(2026, 10, 25));
  CHECK(before.hour == 2);
  CHECK(before.minute == 59);
  const RomeTime after = ToRome(At(kAutumn2026));
  CHECK(after.hour == 2);
  CHECK(after.minute == 0);
}

TEST_CASE("late evening UTC is already the next day in Rome") {
  // 2026-12-31 23:30 UTC = 2027-01-01 00:30 CET.
  const auto t = std::chrono::sys_days{Day(2026, 12, 31)} + 23h + 30min;
  const RomeTime r = ToRome(t);
  CHECK(r.date == Day(2027, 1, 1));
  CHECK(r.hour == 0);
  CHECK(r.minute == 30);
  CHECK(r.weekday == 5);  // Friday
  CHECK(RomeDate(t) == Day(2027, 1, 1));

  SUBCASE("in summer from 22:00 UTC") {
    const auto summer = std::chrono::sys_days{Day(2026, 7, 14)} + 22h + 5min;
    CHECK(RomeDate(summer) == Day(2026, 7, 15));
    CHECK(RomeDate(summer - 10min) == Day(2026, 7, 14));
  }
}

TEST_CASE("a Rome wall-clock time maps to the right instant") {
  // 10:30 in Rome: 09:30 UTC in winter, 08:30 UTC in summer.
  CHECK(FromRome(Day(2026, 1, 15), 10, 30) ==
        std::chrono::sys_days{Day(2026, 1, 15)} + 9h + 30min);
  CHECK(FromRome(Day(2026, 7, 15), 10, 30) ==
        std::chrono::sys_days{Day(2026, 7, 15)} + 8h + 30min);
  // Just after midnight in Rome is the previous day in UTC.
  CHECK(FromRome(Day(2027, 1, 1), 0, 30) ==
        std::chrono::sys_days{Day(2026, 12, 31)} + 23h + 30min);
  // On the change days.
  CHECK(Seconds(FromRome(Day(2026, 3, 29), 3, 0)) == kSpring2026);
  CHECK(Seconds(FromRome(Day(2026, 3, 29), 1, 59)) == kSpring2026 - 60);
  CHECK(Seconds(FromRome(Day(2026, 10, 25), 3, 0)) == kAutumn2026 + 3600);
  CHECK(Seconds(FromRome(Day(2026, 10, 25), 1, 30)) == kAutumn2026 - 5400);
}

TEST_CASE("FromRome inverts ToRome") {
  // Every 17 minutes through 2026: both changes and every hour of the day.
  const int64_t start = 1'767'225'600;  // 2026-01-01 00:00 UTC
  const int64_t end = 1'798'761'600;    // 2027-01-01 00:00 UTC
  int checked = 0;
  for (int64_t s = start; s < end; s += 17 * 60) {
    const RomeTime r = ToRome(At(s));
    // The repeated hour on the autumn day is ambiguous; skip it.
    if (s >= kAutumn2026 - 3600 && s < kAutumn2026 + 3600) continue;
    const int64_t back = Seconds(FromRome(r.date, r.hour, r.minute));
    if (back != s - s % 60) {
      CAPTURE(s);
      CHECK(back == s - s % 60);
    }
    ++checked;
  }
  CHECK(checked > 30'000);
}

}  // namespace
}  // namespace sportello::core
