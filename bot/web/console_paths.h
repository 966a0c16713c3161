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

}  // namespace sportello::http
