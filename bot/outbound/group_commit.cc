#include "bot/outbound/group_commit.h"

namespace sportello {

struct GroupCommit::Waiter {
  const std::function<core::Status(storage::Database&)>* fn = nullptr;
  bool queued = false;
  bool done = false;  // set, under mu_, by the thread that committed it
  core::Status status;
};

core::Status GroupCommit::Run(
    const std::function<core::Status(storage::Database&)>& fn) {
  Waiter me;
  me.fn = &fn;
  for (;;) {
    std::vector<Waiter*> batch;
    {
      core::MutexLock lock(&mu_);
      if (!me.queued) {
        queue_.push_back(&me);
        me.queued = true;
      }
      cv_.Wait([&]() REQUIRES(mu_) { return me.done || !committing_; });
      if (me.done) return me.status;
      committing_ = true;
      batch.swap(queue_);  // holds `me`: queued and not done yet
    }
    const core::Status committed = store_.Write(
        [&](storage::Database& db) -> core::Status {
          for (Waiter* w : batch) {
            storage::Savepoint step(db);
            if (!step.status().ok()) return step.status();
            w->status = (*w->fn)(db);
            // Undone on destruction unless released: a failed step alone.
            if (w->status.ok()) {
              if (auto s = step.Release(); !s.ok()) return s;
            }
          }
          return core::Status::Ok();
        },
        storage::Store::Priority::kNormal, durability_);
    {
      core::MutexLock lock(&mu_);
      for (Waiter* w : batch) {
        if (!committed.ok() && w->status.ok()) w->status = committed;
        w->done = true;
      }
      committing_ = false;
    }
    cv_.SignalAll();
  }
}

}  // namespace sportello
