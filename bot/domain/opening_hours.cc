#include "bot/domain/opening_hours.h"

#include <string>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"
#include "bot/domain/holidays.h"

namespace sportello {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "HH:MM" -> minutes after midnight; 24:00 allowed as an end.
int Minutes(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return -1;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

// "1-5", "2,4", "1-3,6" -> a bit per ISO weekday; 0 when malformed.
unsigned Days(std::string_view s) {
  unsigned days = 0;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view item = s.substr(0, comma);
    s = comma == std::string_view::npos ? "" : s.substr(comma + 1);
    const bool single = item.size() == 1;
    const bool range = item.size() == 3 && item[1] == '-';
    if (!single && !range) return 0;
    const int from = item[0] - '0';
    const int to = range ? item[2] - '0' : from;
    if (from < 1 || from > 7 || to < from || to > 7) return 0;
    for (int d = from; d <= to; ++d) days |= 1u << d;
  }
  return days;
}

}  // namespace

core::Result<std::vector<OpeningPeriod>> ParseOpeningHours(
    std::string_view text) {
  std::vector<OpeningPeriod> periods;
  while (!Trim(text).empty()) {
    const size_t semi = text.find(';');
    const std::string_view period = Trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? "" : text.substr(semi + 1);
    const size_t space = period.find(' ');
    const auto bad = [&] {
      return core::Status::InvalidArgument(
          "opening hours: '" + std::string(period) +
          "' is not DAYS HH:MM-HH:MM (e.g. 1-5 09:00-13:00)");
    };
    if (space == std::string_view::npos) return bad();
    const std::string_view times = Trim(period.substr(space + 1));
    OpeningPeriod p;
    p.days = Days(period.substr(0, space));
    p.from_minute = Minutes(times.substr(0, 5));
    p.to_minute =
        times.size() == 11 && times[5] == '-' ? Minutes(times.substr(6)) : -1;
    if (p.days == 0 || p.from_minute < 0 || p.to_minute <= p.from_minute)
      return bad();
    periods.push_back(p);
  }
  return periods;
}

bool IsOpenAt(const std::vector<OpeningPeriod>& periods, int64_t at_ms) {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  const unsigned iso_day = t.weekday == 0 ? 7 : t.weekday;
  const int minute = t.hour * 60 + t.minute;
  for (const auto& p : periods) {
    if ((p.days & (1u << iso_day)) && minute >= p.from_minute &&
        minute < p.to_minute)
      return true;
  }
  return false;
}

bool CentreOpenAt(const CentreConfig& centre, int64_t at_ms) {
  if (CentreClosedDays(centre).ContainsInstant(at_ms)) return false;
  auto periods = ParseOpeningHours(centre.opening_hours);
  return !periods.ok() || IsOpenAt(*periods, at_ms);
}

}  // namespace sportello
