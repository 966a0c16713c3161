// Times staff send the console API: ISO 8601 with an offset, or Rome's wall
// clock (summer and winter time) without one.
#include "bot/web/iso_time.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>

namespace sportello::http {
namespace {

// 2026-12-03T09:30:00Z and 2026-07-01T08:00:00Z in unix ms.
constexpr int64_t kWinter = 1'796'290'200'000;
constexpr int64_t kSummer = 1'782'892'800'000;

TEST_CASE("a time with an offset or Z is read as that instant") {
  struct Row {
    const char* text;
    int64_t expected;
  };
  const Row rows[] = {
      {"2026-12-03T09:30:00Z", kWinter},
      {"2026-12-03T09:30Z", kWinter},
      {"2026-12-03T09:30:00.000Z", kWinter},
      {"2026-12-03T09:30:00.250Z", kWinter + 250},
      {"2026-12-03T10:30:00+01:00", kWinter},
      {"2026-12-03T10:30+0100", kWinter},
      {"2026-12-03T05:30:00-04", kWinter},
      {"2026-12-03 09:30:00Z", kWinter},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    CHECK(ParseIsoTime(r.text) == std::optional<int64_t>(r.expected));
  }
}

TEST_CASE("a time without an offset is Rome's wall clock, summer or winter") {
  CHECK(ParseIsoTime("2026-12-03T10:30") == kWinter);
  CHECK(ParseIsoTime("2026-12-03T10:30:00") == kWinter);
  CHECK(ParseIsoTime("2026-07-01T10:00") == kSummer);
}

TEST_CASE("anything else is not a time") {
  for (const char* text :
       {"", "domani", "2026-12-03", "2026-13-03T10:30", "2026-02-30T10:30",
        "2026-12-03T24:00", "2026-12-03T10:60", "2026-12-03T10:30:00.Z",
        "2026-12-03T10:30+1", "2026-12-03T10:30:00+01:00 ", "2026-12-03T10:30Q",
        "1969-12-31T23:59Z"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseIsoTime(text).has_value());
  }
}

}  // namespace
}  // namespace sportello::http
