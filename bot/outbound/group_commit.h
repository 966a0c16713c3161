// Group commit for many threads' small writes: each Run waits while one
// transaction (and, with kFlush, one fsync) carries the work of every
// thread that asked meanwhile. The first thread waiting runs the batch for
// all; the rest sleep until it is committed. Each piece of work runs in its
// own savepoint, so one that fails is rolled back alone and only its caller
// sees the error. Thread-safe; `store` must outlive it.
//
// The sender uses it where hundreds of threads each write a row at a time:
// one transaction per message would cap the rate at the writer's commits
// per second (with kFlush, the disk's fsyncs per second).
#pragma once

#include <functional>
#include <vector>

#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/store.h"

namespace sportello {

class GroupCommit {
 public:
  GroupCommit(storage::Store& store, storage::Store::Durability durability)
      : store_(store), durability_(durability) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `fn` in a write transaction shared with other callers and returns
  // once it is committed: fn's status, or the commit's when that failed.
  core::Status Run(const std::function<core::Status(storage::Database&)>& fn);

 private:
  struct Waiter;
  storage::Store& store_;
  const storage::Store::Durability durability_;
  core::Mutex mu_;
  core::CondVar cv_{&mu_};
  std::vector<Waiter*> queue_ GUARDED_BY(mu_);
  bool committing_ GUARDED_BY(mu_) = false;
};

}  // namespace sportello
