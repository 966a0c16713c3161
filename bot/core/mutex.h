// A mutex the compiler checks. Members name the mutex that guards them
// (GUARDED_BY), private helpers name the one their caller holds (REQUIRES),
// and clang's -Wthread-safety reports any access without it, at compile time
// (bot/core/thread_annotations.h). leveldb's port::Mutex and port::CondVar,
// on std::mutex and std::condition_variable.
//
//   class Mailbox {
//    public:
//     void Put(std::string m) {
//       {
//         core::MutexLock lock(&mu_);
//         items_.push_back(std::move(m));
//       }
//       cv_.Signal();
//     }
//     std::string Take() {
//       core::MutexLock lock(&mu_);
//       cv_.Wait([&]() REQUIRES(mu_) { return !items_.empty(); });
//       return PopFront();
//     }
//
//    private:
//     std::string PopFront() REQUIRES(mu_);
//     core::Mutex mu_;
//     core::CondVar cv_{&mu_};
//     std::deque<std::string> items_ GUARDED_BY(mu_);
//   };
//
// A lambda is a function of its own to the analysis, which does not know
// that the lock around it is held: a predicate reading guarded members says
// so with REQUIRES, as above. Where a lock is released and taken again in a
// loop, call Lock() and Unlock() directly; MutexLock covers the rest.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "bot/core/thread_annotations.h"

namespace sportello::core {

// Not recursive; not copyable or movable (guarded members name it).
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis the calling thread holds this mutex where it cannot
  // see it (a callback run under the lock). Checks nothing at run time.
  void AssertHeld() ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to the end of the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable bound to one Mutex for its lifetime. Every Wait
// REQUIRES: the mutex held by the caller; it is released while blocked and
// held again on return. Signal and SignalAll may be called with or without
// it. The waits are not annotated REQUIRES (the analysis cannot tie this
// object's mutex to the caller's name for it): the contract is this comment.
class CondVar {
 public:
  explicit CondVar(Mutex* mu) : mu_(mu) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Blocks until signalled, or spuriously: callers loop on their condition,
  // or use the predicate form.
  void Wait() {
    Adopted held(mu_->mu_);
    cv_.wait(held.lock);
  }
  // Returns once pred() is true (checked with the mutex held).
  template <typename Predicate>
  void Wait(Predicate pred) NO_THREAD_SAFETY_ANALYSIS {
    Adopted held(mu_->mu_);
    cv_.wait(held.lock, std::move(pred));
  }
  // Blocks until signalled, `timeout` passed, or spuriously.
  template <typename Rep, typename Period>
  void WaitFor(std::chrono::duration<Rep, Period> timeout) {
    Adopted held(mu_->mu_);
    (void)cv_.wait_for(held.lock, timeout);
  }
  // Returns once pred() is true, or after `timeout` at the latest: pred()'s
  // last value, so false means timed out.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout,
               Predicate pred) NO_THREAD_SAFETY_ANALYSIS {
    Adopted held(mu_->mu_);
    return cv_.wait_for(held.lock, timeout, std::move(pred));
  }

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  // The caller's hold on the mutex, lent to std::condition_variable for one
  // wait and left held however the wait ends (a predicate may throw).
  struct Adopted {
    explicit Adopted(std::mutex& m) : lock(m, std::adopt_lock) {}
    ~Adopted() { lock.release(); }
    std::unique_lock<std::mutex> lock;
  };

  Mutex* const mu_;
  std::condition_variable cv_;
};

}  // namespace sportello::core
