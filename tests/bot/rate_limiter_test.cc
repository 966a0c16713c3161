// The per-channel token bucket: bursts up to `burst`, then one call per
// 1/rate, and a whole-channel pause after "too many requests". Every call is
// given an explicit time, so nothing here sleeps.
#include "bot/outbound/rate_limiter.h"

#include <doctest/doctest.h>

#include <chrono>

namespace sportello {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A limiter and a start time just after it was made (it reads the clock once).
struct Fixture {
  Fixture(double rate, double burst)
      : limiter(rate, burst), t0(RateLimiter::Clock::now()) {}
  RateLimiter limiter;
  RateLimiter::Clock::time_point t0;
};

TEST_CASE("a fresh limiter allows a burst and then asks to wait one interval") {
  Fixture f(10, 3);
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(f.limiter.TryAcquire(f.t0) == 0ms);
  }
  const milliseconds wait = f.limiter.TryAcquire(f.t0);
  CHECK(wait >= 99ms);  // 1 / 10 per second
  CHECK(wait <= 101ms);
}

TEST_CASE("a refused call takes nothing") {
  Fixture f(4, 1);
  REQUIRE(f.limiter.TryAcquire(f.t0) == 0ms);
  const milliseconds first = f.limiter.TryAcquire(f.t0);
  const milliseconds second = f.limiter.TryAcquire(f.t0);
  CHECK(first > 0ms);
  CHECK(second == first);
  CHECK(f.limiter.TryAcquire(f.t0 + 100ms) > 0ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 260ms) == 0ms);
}

TEST_CASE("after the advised wait a call goes through") {
  Fixture f(25, 1);
  REQUIRE(f.limiter.TryAcquire(f.t0) == 0ms);
  const milliseconds wait = f.limiter.TryAcquire(f.t0);
  CHECK(wait >= 39ms);
  CHECK(wait <= 41ms);
  CHECK(f.limiter.TryAcquire(f.t0 + wait) == 0ms);
}

TEST_CASE("the steady rate is the configured rate") {
  Fixture f(25, 1);
  auto now = f.t0;
  int calls = 0;
  while (now < f.t0 + 10s) {
    const milliseconds wait = f.limiter.TryAcquire(now);
    if (wait == 0ms) {
      ++calls;
    } else {
      now += wait;
    }
  }
  CHECK(calls >= 249);  // 25/s for 10 s, plus the first token
  CHECK(calls <= 252);
}

TEST_CASE("an idle limiter refills up to the burst and no further") {
  Fixture f(10, 3);
  for (int i = 0; i < 3; ++i) REQUIRE(f.limiter.TryAcquire(f.t0) == 0ms);
  const auto later = f.t0 + 1h;
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(f.limiter.TryAcquire(later) == 0ms);
  }
  CHECK(f.limiter.TryAcquire(later) > 0ms);
}

TEST_CASE("a burst below one still lets one call through") {
  Fixture f(1, 0);
  CHECK(f.limiter.TryAcquire(f.t0) == 0ms);
  CHECK(f.limiter.TryAcquire(f.t0) > 0ms);
}

TEST_CASE("a pause holds every call until it ends") {
  Fixture f(100, 5);
  f.limiter.PauseFor(f.t0, 2000ms);

  CHECK(f.limiter.TryAcquire(f.t0) == 2000ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 1500ms) == 500ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 1999ms) == 1ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 2000ms) == 0ms);
}

TEST_CASE("a shorter pause does not cut a longer one short") {
  Fixture f(100, 5);
  f.limiter.PauseFor(f.t0, 30s);
  f.limiter.PauseFor(f.t0 + 1s, 1s);
  CHECK(f.limiter.TryAcquire(f.t0 + 5s) == 25s);
  SUBCASE("and a longer one extends it") {
    f.limiter.PauseFor(f.t0 + 10s, 60s);
    CHECK(f.limiter.TryAcquire(f.t0 + 40s) == 30s);
  }
}

}  // namespace
}  // namespace sportello
