#include "bot/core/iso_date.h"

#include "bot/core/numbers.h"

namespace sportello::core {

std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  // ParseInt takes digits only here (no sign where the minimum is >= 0).
  const auto y = ParseInt(text.substr(0, 4), 1970, 9999);
  const auto m = ParseInt(text.substr(5, 2), 1, 12);
  const auto d = ParseInt(text.substr(8, 2), 1, 31);
  if (!y || !m || !d) return std::nullopt;
  const std::chrono::year_month_day date{
      std::chrono::year{static_cast<int>(*y)},
      std::chrono::month{static_cast<unsigned>(*m)},
      std::chrono::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace sportello::core
