// The one way our code reads the time, so tests can move it (FakeClock).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sportello::core {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point Now() const = 0;
  // Unix milliseconds: how times are stored in the database.
  int64_t NowMillis() const;
};

class SystemClock final : public Clock {
 public:
  time_point Now() const override { return std::chrono::system_clock::now(); }
};

// Starts at a fixed instant; moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 1'795'000'000'000);  // Nov 2026
  time_point Now() const override;
  void Advance(std::chrono::milliseconds by) { millis_ += by.count(); }
  void SetMillis(int64_t millis) { millis_ = millis; }

 private:
  std::atomic<int64_t> millis_;
};

int64_t ToMillis(Clock::time_point t);
Clock::time_point FromMillis(int64_t millis);

}  // namespace sportello::core
