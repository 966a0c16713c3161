#include "bot/domain/holidays.h"

#include <algorithm>
#include <optional>
#include <string>

#include "bot/core/clock.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"

namespace sportello {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::month_day;
using std::chrono::year;
using std::chrono::year_month_day;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "MM-DD", each part exactly two digits; nullopt otherwise.
std::optional<month_day> MonthDay(std::string_view s) {
  if (s.size() != 5 || s[2] != '-') return std::nullopt;
  const auto m = core::ParseInt(s.substr(0, 2), 1, 12);
  const auto d = core::ParseInt(s.substr(3, 2), 1, 31);
  if (!m || !d) return std::nullopt;
  const month_day md{month{static_cast<unsigned>(*m)},
                     day{static_cast<unsigned>(*d)}};
  if (!md.ok()) return std::nullopt;  // 02-30, 04-31
  return md;
}

}  // namespace

year_month_day EasterSunday(year y) {
  const int Y = static_cast<int>(y);
  const int a = Y % 19;
  const int b = Y / 100;
  const int c = Y % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int mon = (h + l - 7 * m + 114) / 31;
  const int dd = (h + l - 7 * m + 114) % 31 + 1;
  return year_month_day{y, month{static_cast<unsigned>(mon)},
                        day{static_cast<unsigned>(dd)}};
}

bool IsItalianPublicHoliday(year_month_day date) {
  static constexpr struct {
    unsigned month, day;
  } kFixed[] = {{1, 1},  {1, 6},  {4, 25}, {5, 1},   {6, 2},
                {8, 15}, {11, 1}, {12, 8}, {12, 25}, {12, 26}};
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  for (const auto& f : kFixed) {
    if (f.month == m && f.day == d) return true;
  }
  const std::chrono::sys_days easter_monday =
      std::chrono::sys_days{EasterSunday(date.year())} + std::chrono::days{1};
  return std::chrono::sys_days{date} == easter_monday;
}

core::Result<ClosedDays> ClosedDays::Parse(std::string_view text) {
  ClosedDays out;
  text = Trim(text);
  if (text == "none") return out;
  while (!Trim(text).empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    const auto bad = [&] {
      return core::Status::InvalidArgument(
          "closures: '" + std::string(item) +
          "' is not MM-DD (every year) or YYYY-MM-DD (once)");
    };
    if (item.size() == 5) {
      const auto md = MonthDay(item);
      if (!md) return bad();
      out.yearly_.push_back(*md);
    } else if (item.size() == 10 && item[4] == '-') {
      const auto y = core::ParseInt(item.substr(0, 4), 1900, 9999);
      const auto md = MonthDay(item.substr(5));
      if (!y || !md) return bad();
      const year_month_day date =
          year{static_cast<int>(*y)} / md->month() / md->day();
      if (!date.ok()) return bad();  // 29 February of a common year
      out.once_.push_back(date);
    } else {
      return bad();
    }
  }
  return out;
}

bool ClosedDays::Contains(year_month_day date) const {
  if (IsItalianPublicHoliday(date)) return true;
  const month_day md{date.month(), date.day()};
  return std::find(yearly_.begin(), yearly_.end(), md) != yearly_.end() ||
         std::find(once_.begin(), once_.end(), date) != once_.end();
}

bool ClosedDays::ContainsInstant(int64_t at_ms) const {
  return Contains(core::RomeDate(core::FromMillis(at_ms)));
}

ClosedDays CentreClosedDays(const CentreConfig& centre) {
  auto parsed = ClosedDays::Parse(centre.closures);
  return parsed.ok() ? std::move(*parsed) : ClosedDays();
}

}  // namespace sportello
