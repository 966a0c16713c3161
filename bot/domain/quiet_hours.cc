#include "bot/domain/quiet_hours.h"

#include <chrono>
#include <string>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"

namespace sportello {
namespace {

// "HH:MM" -> minutes after midnight, -1 when malformed.
int Minutes(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return -1;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

int RomeMinuteOfDay(int64_t at_ms) {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  return t.hour * 60 + t.minute;
}

}  // namespace

bool QuietHours::Contains(int64_t at_ms) const {
  const int m = RomeMinuteOfDay(at_ms);
  if (from_minute < to_minute) return m >= from_minute && m < to_minute;
  return m >= from_minute || m < to_minute;
}

int64_t QuietHours::EndAfter(int64_t at_ms) const {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  std::chrono::sys_days day{t.date};
  // Past the start of a span that crosses midnight: it ends tomorrow.
  if (from_minute > to_minute && t.hour * 60 + t.minute >= from_minute) {
    day += std::chrono::days{1};
  }
  return core::ToMillis(core::FromRome(std::chrono::year_month_day{day},
                                       to_minute / 60, to_minute % 60));
}

core::Result<std::optional<QuietHours>> ParseQuietHours(std::string_view text) {
  if (text.empty() || text == "off") return std::optional<QuietHours>();
  const size_t dash = text.find('-');
  const int from =
      dash == std::string_view::npos ? -1 : Minutes(text.substr(0, dash));
  const int to =
      dash == std::string_view::npos ? -1 : Minutes(text.substr(dash + 1));
  if (from < 0 || to < 0 || from == to) {
    return core::Status::InvalidArgument(
        "quiet hours: '" + std::string(text) +
        "' is not HH:MM-HH:MM with two different times (e.g. 21:00-08:00), "
        "or off");
  }
  return std::optional<QuietHours>(QuietHours{from, to});
}

}  // namespace sportello
