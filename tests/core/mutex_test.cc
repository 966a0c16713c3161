#include "bot/core/mutex.h"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

namespace sportello::core {
namespace {

using std::chrono::milliseconds;

// A one-slot mailbox, annotated as the header's manual says.
class Slot {
 public:
  void Put(int v) {
    {
      MutexLock lock(&mu_);
      value_ = v;
      full_ = true;
    }
    cv_.Signal();
  }
  int Take() {
    MutexLock lock(&mu_);
    cv_.Wait([&]() REQUIRES(mu_) { return full_; });
    full_ = false;
    return value_;
  }
  bool TakeWithin(milliseconds timeout, int* out) {
    MutexLock lock(&mu_);
    if (!cv_.WaitFor(timeout, [&]() REQUIRES(mu_) { return full_; }))
      return false;
    full_ = false;
    *out = value_;
    return true;
  }

 private:
  Mutex mu_;
  CondVar cv_{&mu_};
  bool full_ GUARDED_BY(mu_) = false;
  int value_ GUARDED_BY(mu_) = 0;
};

TEST_CASE("a wait with a predicate returns once another thread makes it true") {
  Slot slot;
  std::thread writer([&] { slot.Put(42); });
  CHECK(slot.Take() == 42);
  writer.join();
}

TEST_CASE("a timed wait whose predicate stays false reports the timeout") {
  Slot slot;
  int v = 0;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(slot.TakeWithin(milliseconds(20), &v));
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(20));
}

TEST_CASE("a timed wait whose predicate is already true returns at once") {
  Slot slot;
  slot.Put(7);
  int v = 0;
  REQUIRE(slot.TakeWithin(milliseconds(0), &v));
  CHECK(v == 7);
}

}  // namespace
}  // namespace sportello::core
