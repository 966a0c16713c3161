// Quiet hours on Rome's wall clock: a span across midnight, one within a day,
// the end found across a change to or from summer time, and the accepted
// spellings.
#include "bot/domain/quiet_hours.h"

#include <doctest/doctest.h>

#include <chrono>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"

namespace sportello {
namespace {

using namespace std::chrono;

int64_t Rome(year_month_day date, int hour, int minute) {
  return core::ToMillis(core::FromRome(date, hour, minute));
}

TEST_CASE("21:00-08:00 holds the night and ends at 08:00 the next morning") {
  const QuietHours q = *ParseQuietHours("21:00-08:00").value();
  const auto day = year{2026} / November / 18;
  const auto next = year{2026} / November / 19;
  CHECK_FALSE(q.Contains(Rome(day, 20, 59)));
  CHECK(q.Contains(Rome(day, 21, 0)));
  CHECK(q.Contains(Rome(next, 7, 59)));
  CHECK_FALSE(q.Contains(Rome(next, 8, 0)));
  CHECK(q.EndAfter(Rome(day, 22, 0)) == Rome(next, 8, 0));
  CHECK(q.EndAfter(Rome(next, 3, 0)) == Rome(next, 8, 0));
}

TEST_CASE("the end is 08:00 in Rome on the night summer time begins") {
  const QuietHours q = *ParseQuietHours("21:00-08:00").value();
  const auto saturday = year{2026} / March / 28;
  const auto sunday = year{2026} / March / 29;  // 02:00 -> 03:00
  const int64_t end = q.EndAfter(Rome(saturday, 23, 0));
  CHECK(end == Rome(sunday, 8, 0));
  CHECK(end - Rome(saturday, 23, 0) == 8 * 3'600'000LL);  // an hour lost
}

TEST_CASE("a span within one day") {
  const QuietHours q = *ParseQuietHours("13:00-15:00").value();
  const auto day = year{2026} / November / 18;
  CHECK_FALSE(q.Contains(Rome(day, 12, 59)));
  CHECK(q.Contains(Rome(day, 13, 0)));
  CHECK_FALSE(q.Contains(Rome(day, 15, 0)));
  CHECK(q.EndAfter(Rome(day, 14, 0)) == Rome(day, 15, 0));
}

TEST_CASE("off or empty means no quiet hours; anything else malformed fails") {
  CHECK_FALSE(ParseQuietHours("off").value().has_value());
  CHECK_FALSE(ParseQuietHours("").value().has_value());
  for (const char* bad : {"21-8", "21:00-", "25:00-08:00", "21:00-08:60",
                          "08:00-08:00", "21:00 08:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseQuietHours(bad).ok());
  }
}

}  // namespace
}  // namespace sportello
