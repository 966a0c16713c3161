// The pace of one channel: at most `rate` calls per second, smoothly, and a
// pause for the whole channel when the platform says "too many requests".
// Thread-safe.
//
// It is a token bucket kept as a theoretical arrival time (GCRA) in steady
// clock nanoseconds, so waits add up exactly at any rate. It starts empty:
// the first call goes 1/rate after construction, never a second's worth at
// once. Any window of W seconds holds at most burst + W * rate calls: with
// SmoothBurst that is at most 27 calls in any second at 25/s (Telegram's
// ~30/s bulk limit) and 120 in any 100 ms at 1,000/s.
#pragma once

#include <chrono>
#include <cstdint>

#include "bot/core/mutex.h"

namespace sportello {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // The burst the sender uses for `rate_per_sec`: 20 ms of tokens, at least
  // 2, so a caller that can only wait whole milliseconds still keeps the
  // rate (an unused fraction of a millisecond is carried, not lost).
  static double SmoothBurst(double rate_per_sec);

  // `start`: when the (empty) bucket begins to fill; tests pass a fixed time.
  RateLimiter(double rate_per_sec, double burst,
              Clock::time_point start = Clock::now());

  // Takes a token if one is available now; otherwise returns how long until
  // one is (and takes nothing).
  std::chrono::milliseconds TryAcquire(Clock::time_point now);
  // How long until TryAcquire would succeed (0: now). Takes nothing.
  std::chrono::milliseconds TimeToToken(Clock::time_point now);
  // How long until `n` calls in a row would succeed (n is capped at the
  // burst), so a caller can take tokens in small batches. Takes nothing.
  std::chrono::milliseconds TimeToTokens(Clock::time_point now, int n);
  // How many calls in a row would succeed now (0 while paused).
  int Available(Clock::time_point now);
  // The most calls in a row the limiter ever allows.
  int burst() const;
  // What is left of a PauseFor at `now` (0: not paused).
  std::chrono::milliseconds PauseLeft(Clock::time_point now);

  // No calls before now + `pause` (429 retry_after); then one call, and the
  // steady rate after it, not a burst.
  void PauseFor(Clock::time_point now, std::chrono::milliseconds pause);

 private:
  // Until `n` calls in a row may go.
  std::chrono::milliseconds Wait(Clock::time_point now, int n = 1) const
      REQUIRES(mu_);

  const std::chrono::nanoseconds interval_;   // 1 / rate
  const std::chrono::nanoseconds tolerance_;  // (burst - 1) * interval
  core::Mutex mu_;
  // When the next call would be due at the steady rate; a call may go
  // `tolerance_` before it.
  Clock::time_point tat_ GUARDED_BY(mu_);
  Clock::time_point paused_until_ GUARDED_BY(mu_) = {};
};

}  // namespace sportello
