// A token bucket per channel: at most `rate` calls per second on average,
// bursts up to `burst`, and a pause for the whole channel when the platform
// says "too many requests". Thread-safe.
#pragma once

#include <chrono>

#include "bot/core/mutex.h"

namespace sportello {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_sec, double burst);

  // Takes a token if one is available now; otherwise returns how long until
  // one is (and takes nothing).
  std::chrono::milliseconds TryAcquire(Clock::time_point now);
  // How long until TryAcquire would succeed (0: now). Takes nothing.
  std::chrono::milliseconds TimeToToken(Clock::time_point now);
  // What is left of a PauseFor at `now` (0: not paused).
  std::chrono::milliseconds PauseLeft(Clock::time_point now);

  // No calls before now + `pause` (429 retry_after).
  void PauseFor(Clock::time_point now, std::chrono::milliseconds pause);

 private:
  void Refill(Clock::time_point now) REQUIRES(mu_);
  std::chrono::milliseconds Wait() const REQUIRES(mu_);

  const double rate_;
  const double burst_;
  core::Mutex mu_;
  double tokens_ GUARDED_BY(mu_);
  Clock::time_point last_ GUARDED_BY(mu_);
  Clock::time_point paused_until_ GUARDED_BY(mu_) = {};
};

}  // namespace sportello
