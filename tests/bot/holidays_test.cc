// The centre's calendar: Italy's public holidays (Easter computed), the
// centre's own closures as SPORTELLO_CLOSURES writes them, and what follows
// from them for "are we open now".
#include "bot/domain/holidays.h"

#include <doctest/doctest.h>

#include <chrono>

#include "bot/core/rome_time.h"
#include "bot/domain/opening_hours.h"

namespace sportello {
namespace {

using std::chrono::year_month_day;

constexpr year_month_day Day(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{m},
                        std::chrono::day{d}};
}

TEST_CASE("Easter Sunday falls where the calendars say") {
  CHECK(EasterSunday(std::chrono::year{2019}) == Day(2019, 4, 21));
  CHECK(EasterSunday(std::chrono::year{2024}) == Day(2024, 3, 31));
  CHECK(EasterSunday(std::chrono::year{2025}) == Day(2025, 4, 20));
  CHECK(EasterSunday(std::chrono::year{2026}) == Day(2026, 4, 5));
  CHECK(EasterSunday(std::chrono::year{2027}) == Day(2027, 3, 28));
  CHECK(EasterSunday(std::chrono::year{2028}) == Day(2028, 4, 16));
  CHECK(EasterSunday(std::chrono::year{2030}) == Day(2030, 4, 21));
  CHECK(EasterSunday(std::chrono::year{2038}) == Day(2038, 4, 25));  // latest
  CHECK(EasterSunday(std::chrono::year{2285}) == Day(2285, 3, 22));  // earliest
}

TEST_CASE("the national public holidays, Easter Monday included") {
  for (const auto d :
       {Day(2027, 1, 1), Day(2027, 1, 6), Day(2027, 3, 29), Day(2026, 4, 6),
        Day(2026, 4, 25), Day(2026, 5, 1), Day(2026, 6, 2), Day(2026, 8, 15),
        Day(2026, 11, 1), Day(2026, 12, 8), Day(2026, 12, 25),
        Day(2026, 12, 26)}) {
    CAPTURE(static_cast<int>(d.year()));
    CAPTURE(static_cast<unsigned>(d.month()));
    CAPTURE(static_cast<unsigned>(d.day()));
    CHECK(IsItalianPublicHoliday(d));
  }
  for (const auto d :
       {Day(2026, 4, 5), Day(2026, 4, 7), Day(2026, 12, 7), Day(2026, 12, 24),
        Day(2026, 12, 31), Day(2027, 3, 28), Day(2026, 6, 24)}) {
    CHECK_FALSE(IsItalianPublicHoliday(d));
  }
}

TEST_CASE("the centre's closures are read every year or once") {
  auto closed = ClosedDays::Parse("12-06, 2026-12-24");
  REQUIRE(closed.ok());
  CHECK(closed->Contains(Day(2026, 12, 6)));
  CHECK(closed->Contains(Day(2031, 12, 6)));
  CHECK(closed->Contains(Day(2026, 12, 24)));
  CHECK_FALSE(closed->Contains(Day(2027, 12, 24)));
  CHECK(closed->Contains(Day(2026, 12, 8)));  // holidays always
  CHECK_FALSE(closed->Contains(Day(2026, 12, 7)));

  for (const char* empty : {"", "none", " "}) {
    auto none = ClosedDays::Parse(empty);
    REQUIRE(none.ok());
    CHECK_FALSE(none->Contains(Day(2026, 12, 6)));
    CHECK(none->Contains(Day(2026, 12, 25)));
  }
  for (std::string bad : {"6/12", "12-6", "13-01", "02-30", "2027-02-29",
                          "dicembre", "2026-1-01", "12-06;12-07"}) {
    CAPTURE(bad);
    CHECK_FALSE(ClosedDays::Parse(bad).ok());
  }
}

TEST_CASE("the centre is not open on a holiday inside its weekly hours") {
  CentreConfig centre;  // 1-5 09:00-13:00; closures 12-06
  const auto at = [](year_month_day d, int h) {
    return core::ToMillis(core::FromRome(d, h, 0));
  };
  CHECK(CentreOpenAt(centre, at(Day(2026, 12, 7), 10)));        // Monday
  CHECK_FALSE(CentreOpenAt(centre, at(Day(2026, 12, 8), 10)));  // Immacolata
  CHECK_FALSE(CentreOpenAt(centre, at(Day(2027, 3, 29), 10)));  // Easter Mon
  CHECK_FALSE(CentreOpenAt(centre, at(Day(2027, 12, 6), 10)));  // San Nicola
  centre.closures = "";
  CHECK(CentreOpenAt(centre, at(Day(2027, 12, 6), 10)));
}

}  // namespace
}  // namespace sportello
