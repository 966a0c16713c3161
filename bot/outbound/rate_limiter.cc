#include "bot/outbound/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace sportello {

RateLimiter::RateLimiter(double rate_per_sec, double burst)
    : rate_(rate_per_sec),
      burst_(std::max(1.0, burst)),
      tokens_(burst_),
      last_(Clock::now()) {}

void RateLimiter::Refill(Clock::time_point now) {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
}

std::chrono::milliseconds RateLimiter::Wait() const {
  if (tokens_ >= 1.0) return std::chrono::milliseconds(0);
  const double wait_s = (1.0 - tokens_) / rate_;
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil(wait_s * 1000.0)));
}

std::chrono::milliseconds RateLimiter::TryAcquire(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  if (now < paused_until_) {
    return std::chrono::ceil<std::chrono::milliseconds>(paused_until_ - now);
  }
  Refill(now);
  const std::chrono::milliseconds wait = Wait();
  if (wait.count() == 0) tokens_ -= 1.0;
  return wait;
}

std::chrono::milliseconds RateLimiter::TimeToToken(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  if (now < paused_until_) {
    return std::chrono::ceil<std::chrono::milliseconds>(paused_until_ - now);
  }
  Refill(now);
  return Wait();
}

std::chrono::milliseconds RateLimiter::PauseLeft(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  if (now >= paused_until_) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(paused_until_ - now);
}

void RateLimiter::PauseFor(Clock::time_point now,
                           std::chrono::milliseconds pause) {
  core::MutexLock lock(&mu_);
  paused_until_ = std::max(paused_until_, now + pause);
  // Restart at the steady rate after the pause (one call, then 1/rate),
  // not with a full burst.
  tokens_ = 1;
  last_ = std::max(last_, paused_until_);
}

}  // namespace sportello
