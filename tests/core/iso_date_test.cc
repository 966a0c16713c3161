#include "bot/core/iso_date.h"

#include <doctest/doctest.h>

#include <chrono>
#include <initializer_list>
#include <string_view>

#include "tests/support/rome_day.h"

namespace sportello::core {
namespace {

using support::Day;

TEST_CASE("a calendar day written YYYY-MM-DD is read") {
  CHECK(ParseIsoDate("2026-12-03") == Day(2026, 12, 3));
  CHECK(ParseIsoDate("2028-02-29") == Day(2028, 2, 29));  // a leap year
  CHECK(ParseIsoDate("1970-01-01") == Day(1970, 1, 1));
  CHECK(ParseIsoDate("9999-12-31") == Day(9999, 12, 31));
}

TEST_CASE("a day the calendar does not have is refused") {
  for (std::string_view bad :
       {"2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
        "2026-12-00", "2026-12-32", "1969-12-31", "0000-01-01"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseIsoDate(bad));
  }
}

TEST_CASE("anything but exactly YYYY-MM-DD is refused") {
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "", "garbage", "ieri", "2026-1-05", "2026-01-5", "26-01-05",
           "2026/01/05", "05-01-2026", "3/12/2026", " 2026-12-03",
           "2026-12-03 ", "2026-12-03T10:00", "+026-12-03", "2026-+1-03",
           "2026--1-03", "2026-12-0x", "２０２６-12-03",
           std::string_view("2026-12-0\0", 10)}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseIsoDate(bad));
  }
}

}  // namespace
}  // namespace sportello::core
