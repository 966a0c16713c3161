#include "bot/core/numbers.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace sportello::core {
namespace {

// std::from_chars already refuses whitespace and '+'; the checks here are
// the whole text, and a finite result.
template <typename T>
std::optional<T> ParseFinite(std::string_view text) {
  T value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] =
      std::from_chars(text.data(), end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<int64_t> ParseInt(std::string_view text, int64_t min,
                                int64_t max) {
  if (text.empty() || (text.front() == '-' && min >= 0)) return std::nullopt;
  int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max)
    return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view text) {
  return ParseFinite<double>(text);
}

std::optional<float> ParseFloat(std::string_view text) {
  return ParseFinite<float>(text);
}

}  // namespace sportello::core
