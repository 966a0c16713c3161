#include "bot/web/iso_time.h"

#include <chrono>

#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"

namespace sportello::http {
namespace {

// Exactly `n` digits at `s[pos]`, within [min, max].
bool Number(std::string_view s, size_t pos, size_t n, int min, int max,
            int* out) {
  if (pos + n > s.size()) return false;
  const auto v = core::ParseInt(s.substr(pos, n), min, max);
  if (!v) return false;
  *out = static_cast<int>(*v);
  return true;
}

}  // namespace

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      !Number(s, 0, 4, 1970, 9999, &year) || !Number(s, 5, 2, 1, 12, &month) ||
      !Number(s, 8, 2, 1, 31, &day) || !Number(s, 11, 2, 0, 23, &hour) ||
      !Number(s, 14, 2, 0, 59, &minute)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{
      std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
      std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  size_t pos = 16;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!Number(s, pos + 1, 2, 0, 59, &second)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      const size_t start = pos;
      int64_t scale = 100;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        millis += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  const std::string_view zone = s.substr(pos);
  const int64_t wall_ms = millis + second * 1000LL;
  if (zone.empty()) {
    return core::ToMillis(core::FromRome(date, hour, minute)) + wall_ms;
  }
  int offset_minutes = 0;
  if (zone != "Z" && zone != "z") {
    int oh = 0, om = 0;
    const bool colon = zone.size() == 6 && zone[3] == ':';
    if ((zone[0] != '+' && zone[0] != '-') ||
        !(zone.size() == 3 || zone.size() == 5 || colon) ||
        !Number(zone, 1, 2, 0, 14, &oh) ||
        (zone.size() > 3 && !Number(zone, colon ? 4 : 3, 2, 0, 59, &om))) {
      return std::nullopt;
    }
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t utc_minutes =
      static_cast<int64_t>(days) * 1440 + hour * 60 + minute - offset_minutes;
  return utc_minutes * 60'000 + wall_ms;
}

}  // namespace sportello::http
