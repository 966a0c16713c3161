#include "bot/core/rome_time.h"

namespace sportello::core {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

// 01:00 UTC on the last Sunday of `month` in `year`.
int64_t LastSundayOneUtc(int year, unsigned month) {
  const std::chrono::year_month_weekday_last last{
      std::chrono::year{year}, std::chrono::month{month},
      std::chrono::weekday_last{std::chrono::Sunday}};
  const sys_days day{last};
  return std::chrono::duration_cast<std::chrono::seconds>(
             day.time_since_epoch())
             .count() +
         3600;
}

}  // namespace

int RomeOffsetSeconds(int64_t unix_seconds) {
  const sys_days day =
      std::chrono::floor<days>(sys_seconds{std::chrono::seconds{unix_seconds}});
  const int year = static_cast<int>(std::chrono::year_month_day{day}.year());
  const bool summer = unix_seconds >= LastSundayOneUtc(year, 3) &&
                      unix_seconds < LastSundayOneUtc(year, 10);
  return summer ? 7200 : 3600;
}

RomeTime ToRome(Clock::time_point t) {
  const int64_t utc =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
          .count();
  const sys_seconds local{std::chrono::seconds{utc + RomeOffsetSeconds(utc)}};
  const sys_days day = std::chrono::floor<days>(local);
  const auto in_day = local - day;
  RomeTime r;
  r.date = std::chrono::year_month_day{day};
  r.hour = static_cast<int>(
      std::chrono::duration_cast<std::chrono::hours>(in_day).count());
  r.minute = static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(in_day).count() % 60);
  r.weekday = std::chrono::weekday{day}.c_encoding();
  return r;
}

std::chrono::year_month_day RomeDate(Clock::time_point t) {
  return ToRome(t).date;
}

Clock::time_point FromRome(std::chrono::year_month_day date, int hour,
                           int minute) {
  const int64_t local = std::chrono::duration_cast<std::chrono::seconds>(
                            sys_days{date}.time_since_epoch())
                            .count() +
                        hour * 3600 + minute * 60;
  // The offset at the guessed instant is right except in the hour around a
  // change; a second look settles it.
  int64_t utc = local - RomeOffsetSeconds(local - 3600);
  utc = local - RomeOffsetSeconds(utc);
  return Clock::time_point(std::chrono::seconds{utc});
}

}  // namespace sportello::core
