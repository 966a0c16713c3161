// Runs the dispatcher over the inbox, off the request threads: one thread per
// inbox shard, so a conversation's updates are processed in arrival order
// while different conversations proceed in parallel. The inbox in the
// database is the queue: after a crash, pending rows are simply picked up.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/core/mutex.h"
#include "bot/inbound/dispatcher.h"
#include "bot/inbound/ingest.h"
#include "storage/inbox.h"
#include "storage/store.h"

namespace sportello {

class Processor {
 public:
  // `on_outbox` runs after a commit that wrote outbox rows (the sender's
  // wake-up). `metrics` may be null.
  Processor(storage::Store& store, const Dispatcher& dispatcher,
            const core::Clock& clock, Metrics* metrics,
            std::function<void()> on_outbox);
  ~Processor();  // Stop()
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  void Start();
  // Finishes the batch in hand, then stops. Pending rows stay for next time.
  void Stop();

  // New rows were stored (Ingest's callback).
  void Notify(const std::vector<StoredUpdate>& stored);

  // Blocks until inbox row `id` of `shard` is processed or `timeout` passes.
  bool WaitProcessed(int shard, int64_t id, std::chrono::milliseconds timeout);

 private:
  struct Shard {
    core::Mutex mu;  // also orders done_upto's update with its waiters
    core::CondVar cv{&mu};
    // Check the inbox now (true at start: recover pending rows).
    bool wake GUARDED_BY(mu) = true;
    std::atomic<int64_t> done_upto{
        0};  // every row of the shard with id <= this is processed
    core::CondVar done_cv{&mu};
    std::thread thread;
    // Prepared, not yet applied (a batch cut short). The shard's thread only.
    std::vector<Dispatcher::Prepared> carried;
  };
  void Loop(int shard);
  // Processes up to one batch; returns how many rows it handled.
  size_t RunBatch(int shard, storage::Database& reader);

  storage::Store& store_;
  const Dispatcher& dispatcher_;
  const core::Clock& clock_;
  Metrics* metrics_;
  std::function<void()> on_outbox_;
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace sportello
