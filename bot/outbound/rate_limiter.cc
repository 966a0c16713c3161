#include "bot/outbound/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace sportello {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

nanoseconds Interval(double rate_per_sec) {
  const double rate = rate_per_sec > 0 ? rate_per_sec : 1e-9;
  return nanoseconds(static_cast<int64_t>(std::llround(1e9 / rate)));
}

}  // namespace

double RateLimiter::SmoothBurst(double rate_per_sec) {
  return std::max(2.0, std::floor(rate_per_sec / 50.0));
}

RateLimiter::RateLimiter(double rate_per_sec, double burst,
                         Clock::time_point start)
    : interval_(Interval(rate_per_sec)),
      tolerance_(static_cast<int64_t>(std::floor(std::max(1.0, burst)) - 1.0) *
                 interval_),
      // Empty: as if `burst` calls had just been made at `start`.
      tat_(start + interval_ + tolerance_) {}

int RateLimiter::burst() const {
  return static_cast<int>(tolerance_ / interval_) + 1;
}

milliseconds RateLimiter::Wait(Clock::time_point now, int n) const {
  if (now < paused_until_)
    return std::chrono::ceil<milliseconds>(paused_until_ - now);
  n = std::clamp(n, 1, burst());
  const Clock::time_point allowed = tat_ - tolerance_ + (n - 1) * interval_;
  if (now >= allowed) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(allowed - now);
}

milliseconds RateLimiter::TryAcquire(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  const milliseconds wait = Wait(now);
  if (wait.count() == 0) tat_ = std::max(tat_, now) + interval_;
  return wait;
}

milliseconds RateLimiter::TimeToToken(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  return Wait(now);
}

milliseconds RateLimiter::TimeToTokens(Clock::time_point now, int n) {
  core::MutexLock lock(&mu_);
  return Wait(now, n);
}

int RateLimiter::Available(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  if (now < paused_until_) return 0;
  const Clock::time_point allowed = tat_ - tolerance_;
  if (now < allowed) return 0;
  const int64_t n = (now - allowed) / interval_ + 1;
  return static_cast<int>(std::min<int64_t>(n, burst()));
}

milliseconds RateLimiter::PauseLeft(Clock::time_point now) {
  core::MutexLock lock(&mu_);
  if (now >= paused_until_) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(paused_until_ - now);
}

void RateLimiter::PauseFor(Clock::time_point now, milliseconds pause) {
  core::MutexLock lock(&mu_);
  paused_until_ = std::max(paused_until_, now + pause);
  tat_ = std::max(tat_, paused_until_ + tolerance_);
}

}  // namespace sportello
