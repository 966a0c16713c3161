#include "bot/core/numbers.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string_view>

namespace sportello::core {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST_CASE("a whole number within its bounds is read") {
  CHECK(ParseInt("42", 0, 100) == 42);
  CHECK(ParseInt("0", 0, 100) == 0);
  CHECK(ParseInt("007", 0, 100) == 7);  // leading zeros are fine
  CHECK(ParseInt("-42", -100, 100) == -42);
  CHECK(ParseInt("9223372036854775807", 0, kMax) == kMax);
  CHECK(ParseInt("-9223372036854775808", kMin, kMax) == kMin);
}

TEST_CASE("empty text is not a number") {
  CHECK_FALSE(ParseInt("", 0, 100));
  CHECK_FALSE(ParseInt("-", -100, 100));
  CHECK_FALSE(ParseDouble(""));
  CHECK_FALSE(ParseFloat(""));
}

TEST_CASE("a number past the range of int64 is refused, not clamped") {
  CHECK_FALSE(ParseInt("9223372036854775808", 0, kMax));
  CHECK_FALSE(ParseInt("-9223372036854775809", kMin, kMax));
  CHECK_FALSE(ParseInt("99999999999999999999999", kMin, kMax));
  CHECK_FALSE(ParseDouble("1e999"));
  CHECK_FALSE(ParseFloat("1e39"));
}

TEST_CASE("a sign is accepted only as a minus where negatives are allowed") {
  CHECK_FALSE(ParseInt("+5", 0, 100));
  CHECK_FALSE(ParseInt("+5", -100, 100));
  CHECK_FALSE(ParseInt("-5", 0, 100));
  CHECK_FALSE(ParseInt("-0", 0, 100));  // no way round a lower bound of 0
  CHECK(ParseInt("-0", -1, 100) == 0);
  CHECK_FALSE(ParseInt("--5", -100, 100));
  CHECK_FALSE(ParseDouble("+1.5"));
  CHECK(ParseDouble("-1.5") == -1.5);
}

TEST_CASE("whitespace and trailing junk make the text not a number") {
  for (const std::string_view text :
       {" 5", "5 ", "5\n", "5x", "5.0", "0x10", "1,5", "5 6", "five"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseInt(text, kMin, kMax));
  }
  for (const std::string_view text : {" 1.5", "1.5 ", "1.5x", "0x1p3", "1,5"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseDouble(text));
    CHECK_FALSE(ParseFloat(text));
  }
}

TEST_CASE("values outside the bounds are refused at both ends") {
  CHECK(ParseInt("1", 1, 99) == 1);
  CHECK(ParseInt("99", 1, 99) == 99);
  CHECK_FALSE(ParseInt("0", 1, 99));
  CHECK_FALSE(ParseInt("100", 1, 99));
  CHECK_FALSE(ParseInt("-101", -100, 100));
}

TEST_CASE("a decimal number may have a fraction and an exponent") {
  CHECK(ParseDouble("2") == 2.0);
  CHECK(ParseDouble("0.5") == 0.5);
  CHECK(ParseDouble(".5") == 0.5);
  CHECK(ParseDouble("1e3") == 1000.0);
  CHECK(ParseFloat("0.25") == 0.25f);
  CHECK(ParseFloat("-3") == -3.0f);
}

TEST_CASE("infinity and nan are not numbers") {
  for (const std::string_view text : {"inf", "-inf", "infinity", "nan"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseDouble(text));
    CHECK_FALSE(ParseFloat(text));
  }
}

}  // namespace
}  // namespace sportello::core
