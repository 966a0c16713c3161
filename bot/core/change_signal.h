// A "something changed" signal for threads that wait for news and then look
// for themselves: a generation counter that Notify() moves on, and a wait
// for it to move, bounded by a timeout. It carries no data and loses
// nothing: a waiter that compares against the generation it last saw never
// misses a Notify that came between two waits, and many Notify() calls
// before it wakes read as one.
//
//   uint64_t seen = signal.generation();
//   for (;;) {
//     seen = signal.WaitChange(seen, std::chrono::seconds(5));
//     LookAtTheDatabase();  // after a change, or after 5 s all the same
//   }
//
// The console's live stream waits on the store's (storage::Store::
// console_changes()); storage notifies it after a commit that touched what
// the stream shows. Thread-safe; not copyable.
#pragma once

#include <chrono>
#include <cstdint>

#include "bot/core/mutex.h"

namespace sportello::core {

class ChangeSignal {
 public:
  ChangeSignal() = default;
  ChangeSignal(const ChangeSignal&) = delete;
  ChangeSignal& operator=(const ChangeSignal&) = delete;

  // The current generation; it only grows.
  uint64_t generation() const {
    MutexLock lock(&mu_);
    return generation_;
  }

  // Moves the generation on and wakes every waiter.
  void Notify() {
    {
      MutexLock lock(&mu_);
      ++generation_;
    }
    cv_.SignalAll();
  }

  // Returns the generation once it differs from `seen`, or after `timeout`
  // at the latest (then possibly still `seen`).
  template <typename Rep, typename Period>
  uint64_t WaitChange(uint64_t seen,
                      std::chrono::duration<Rep, Period> timeout) const {
    MutexLock lock(&mu_);
    cv_.WaitFor(timeout, [&]() REQUIRES(mu_) { return generation_ != seen; });
    return generation_;
  }

 private:
  mutable Mutex mu_;
  mutable CondVar cv_{&mu_};
  uint64_t generation_ GUARDED_BY(mu_) = 0;
};

}  // namespace sportello::core
