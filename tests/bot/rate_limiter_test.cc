// The per-channel pace: starts empty, then one call per 1/rate with bursts of
// at most `burst`, and a whole-channel pause after "too many requests". Every
// call is given an explicit time (a fake clock), so nothing here sleeps.
#include "bot/outbound/rate_limiter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace sportello {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Time = RateLimiter::Clock::time_point;

// A limiter whose bucket starts filling at t0.
struct Fixture {
  Fixture(double rate, double burst)
      : t0(RateLimiter::Clock::now()), limiter(rate, burst, t0) {}
  Time t0;
  RateLimiter limiter;
};

// A caller that sends whenever the limiter lets it, from `from` to `to`,
// sleeping whole milliseconds as advised (as the sender does).
std::vector<Time> Greedy(RateLimiter& limiter, Time from, Time to) {
  std::vector<Time> calls;
  for (Time now = from; now < to;) {
    const milliseconds wait = limiter.TryAcquire(now);
    if (wait == 0ms) {
      calls.push_back(now);
    } else {
      now += wait;
    }
  }
  return calls;
}

// The most calls any window [t, t + width) holds.
size_t BusiestWindow(const std::vector<Time>& calls,
                     std::chrono::nanoseconds width) {
  size_t most = 0;
  size_t first = 0;
  for (size_t last = 0; last < calls.size(); ++last) {
    while (calls[last] - calls[first] >= width) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

TEST_CASE("a fresh limiter is empty: the first call waits one interval") {
  Fixture f(10, 3);
  const milliseconds wait = f.limiter.TryAcquire(f.t0);
  CHECK(wait == 100ms);  // 1 / 10 per second
  CHECK(f.limiter.TryAcquire(f.t0 + 100ms) == 0ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 100ms) > 0ms);
}

TEST_CASE("a refused call takes nothing") {
  Fixture f(4, 1);
  REQUIRE(f.limiter.TryAcquire(f.t0 + 250ms) == 0ms);
  const milliseconds first = f.limiter.TryAcquire(f.t0 + 250ms);
  const milliseconds second = f.limiter.TryAcquire(f.t0 + 250ms);
  CHECK(first == 250ms);
  CHECK(second == first);
  CHECK(f.limiter.TryAcquire(f.t0 + 400ms) > 0ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 500ms) == 0ms);
}

TEST_CASE("the steady rate is the configured rate, at low and high rates") {
  for (const double rate : {1.0, 25.0, 30.0, 70.0, 333.0, 1000.0}) {
    CAPTURE(rate);
    Fixture f(rate, RateLimiter::SmoothBurst(rate));
    const auto calls = Greedy(f.limiter, f.t0, f.t0 + 10s);
    CHECK(static_cast<double>(calls.size()) >= rate * 10 - 1);
    CHECK(static_cast<double>(calls.size()) <= rate * 10 + 1);
  }
}

TEST_CASE(
    "at 25/s no sliding second holds more than 30 calls, idle spells "
    "included") {
  Fixture f(25, RateLimiter::SmoothBurst(25));
  std::vector<Time> calls;
  Time now = f.t0;
  for (const auto idle : {0ms, 3000ms, 17ms, 1000ms, 999ms}) {
    now += idle;
    const auto part = Greedy(f.limiter, now, now + 2s);
    calls.insert(calls.end(), part.begin(), part.end());
    now += 2s;
  }
  REQUIRE(calls.size() > 200);
  CHECK(BusiestWindow(calls, 1s) <= 30);
}

TEST_CASE(
    "at 1,000/s no sliding 100 ms holds more than 150 calls, idle spells "
    "included") {
  Fixture f(1000, RateLimiter::SmoothBurst(1000));
  std::vector<Time> calls;
  Time now = f.t0;
  for (const auto idle : {0ms, 1000ms, 50ms, 100ms, 7ms}) {
    now += idle;
    const auto part = Greedy(f.limiter, now, now + 500ms);
    calls.insert(calls.end(), part.begin(), part.end());
    now += 500ms;
  }
  REQUIRE(calls.size() > 2000);
  CHECK(BusiestWindow(calls, 100ms) <= 150);
  // And no bunching at a finer grain either: a 10 ms window holds what the
  // burst allows, not a tenth of a second's worth.
  CHECK(BusiestWindow(calls, 10ms) <= 10 + 20);
}

TEST_CASE("tokens can be counted and waited for in small batches") {
  Fixture f(1000, RateLimiter::SmoothBurst(1000));
  REQUIRE(f.limiter.burst() == 20);
  CHECK(f.limiter.Available(f.t0) == 0);
  CHECK(f.limiter.TimeToTokens(f.t0, 10) == 10ms);
  CHECK(f.limiter.Available(f.t0 + 10ms) == 10);
  CHECK(f.limiter.Available(f.t0 + 1s) == 20);
  CHECK(f.limiter.TimeToTokens(f.t0 + 1s, 500) == 0ms);  // capped at 20
  for (int i = 0; i < 20; ++i) REQUIRE(f.limiter.TryAcquire(f.t0 + 1s) == 0ms);
  CHECK(f.limiter.Available(f.t0 + 1s) == 0);
}

TEST_CASE("an idle limiter refills up to the burst and no further") {
  Fixture f(10, 3);
  const auto later = f.t0 + 1h;
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(f.limiter.TryAcquire(later) == 0ms);
  }
  CHECK(f.limiter.TryAcquire(later) == 100ms);
}

TEST_CASE("a burst below one still lets one call through") {
  Fixture f(1, 0);
  CHECK(f.limiter.TryAcquire(f.t0 + 1s) == 0ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 1s) > 0ms);
}

TEST_CASE("a pause holds every call until it ends, then one call goes") {
  Fixture f(100, 5);
  f.limiter.PauseFor(f.t0, 2000ms);

  CHECK(f.limiter.TryAcquire(f.t0) == 2000ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 1500ms) == 500ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 1999ms) == 1ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 2000ms) == 0ms);
  CHECK(f.limiter.TryAcquire(f.t0 + 2000ms) == 10ms);
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
