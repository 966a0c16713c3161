// Helpers the console's endpoint files share: ids in paths and the common
// error answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/numbers.h"
#include "bot/web/json_response.h"

namespace sportello::http {

// A path segment of 1-18 digits.
inline std::optional<int64_t> ParseId(std::string_view text) {
  if (text.size() > 18) return std::nullopt;
  return core::ParseInt(text, 0, std::numeric_limits<int64_t>::max());
}

inline Response MethodNotAllowed(std::string_view allow) {
  Response e = ErrorResponse(405, "method not allowed");
  e.headers.push_back({"Allow", std::string(allow)});
  return e;
}

inline Response Unavailable() {
  return ErrorResponse(503, "storage unavailable, try again");
}

// 422 for a value the request got wrong: `field` names it (dotted for a
// nested one, "audience.min_age"), so a form can point at it.
inline Response FieldError(std::string_view field, std::string_view message) {
  return JsonResponse(
      422, {{"error", std::string(message)}, {"field", std::string(field)}});
}

// One date or time field: 1-4 digits in [min, max].
inline bool Digits(std::string_view s, int min, int max, int* out) {
  if (s.size() > 4) return false;
  const auto v = core::ParseInt(s, min, max);
  if (!v) return false;
  *out = static_cast<int>(*v);
  return true;
}

// "YYYY-MM-DD", a real day.
inline std::optional<std::chrono::year_month_day> ParseDate(
    std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' ||
      !Digits(s.substr(0, 4), 1970, 9999, &y) ||
      !Digits(s.substr(5, 2), 1, 12, &m) || !Digits(s.substr(8, 2), 1, 31, &d))
    return std::nullopt;
  const std::chrono::year_month_day date{
      std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
      std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace sportello::http
