#include "bot/core/change_signal.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace sportello::core {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a waiter wakes when the signal is notified, not at its timeout") {
  ChangeSignal signal;
  const uint64_t seen = signal.generation();
  std::atomic<uint64_t> woke_at{seen};
  std::thread waiter(
      [&] { woke_at = signal.WaitChange(seen, std::chrono::hours(1)); });
  signal.Notify();
  waiter.join();  // with an hour's timeout, only the notification ends it
  CHECK(woke_at.load() != seen);
}

TEST_CASE("a notification before the wait is not missed") {
  ChangeSignal signal;
  const uint64_t seen = signal.generation();
  signal.Notify();
  signal.Notify();  // several read as one change
  const uint64_t now = signal.WaitChange(seen, std::chrono::hours(1));
  CHECK(now != seen);
  CHECK(signal.WaitChange(now, 10ms) == now);  // nothing new: timed out
}

}  // namespace
}  // namespace sportello::core
