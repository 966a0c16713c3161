#include "bot/core/clock.h"

namespace sportello::core {

int64_t ToMillis(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

Clock::time_point FromMillis(int64_t millis) {
  return Clock::time_point(std::chrono::milliseconds(millis));
}

int64_t Clock::NowMillis() const { return ToMillis(Now()); }

FakeClock::FakeClock(int64_t start_millis) : millis_(start_millis) {}

Clock::time_point FakeClock::Now() const { return FromMillis(millis_.load()); }

}  // namespace sportello::core
