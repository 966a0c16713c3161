// The project's one number parser, for text from config, the command line,
// URLs, data files and the database. Strict, so a typo is an error rather
// than a different number: the whole of `text` must be the number (no
// whitespace, no '+', no trailing junk), and it must fit.
//
//   core::ParseInt("42", 1, 99)        // 42
//   core::ParseInt("042", 1, 99)       // 42: leading zeros are fine
//   core::ParseInt("-1", 0, 99)        // nullopt: no '-' where min >= 0
//   core::ParseInt("4x", 1, 99)        // nullopt
//   core::ParseDouble("0.5")           // 0.5
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sportello::core {

// A decimal integer in [min, max]: ASCII digits, after a '-' only when
// min < 0 (so "-0" is no way round a lower bound of 0). Empty text, other
// characters, overflow and values outside [min, max] give nullopt (always,
// when min > max: an empty range, such as columns of an empty table).
std::optional<int64_t> ParseInt(std::string_view text, int64_t min,
                                int64_t max);

// A finite decimal number ("2", "0.5", "-1.5", "1e3"). Empty text, other
// characters, hex, "inf", "nan" and out-of-range values give nullopt; the
// caller checks the bounds that matter to it.
std::optional<double> ParseDouble(std::string_view text);

// ParseDouble for a float, rounded once from the text (not via a double).
std::optional<float> ParseFloat(std::string_view text);

}  // namespace sportello::core
