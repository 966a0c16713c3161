// Durable intake of updates with group commit: request threads hand their
// updates to one writer thread, which stores whatever has queued up in one
// transaction (synchronous=FULL), then releases every waiting request at once.
// A request is answered 200 only after its updates are committed.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/message.h"
#include "bot/core/metrics.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "storage/inbox.h"
#include "storage/store.h"

namespace sportello {

struct StoredUpdate {
  int64_t inbox_id = 0;
  int shard = 0;
};

struct IngestOutcome {
  std::vector<StoredUpdate> stored;  // new updates, to be processed
  int duplicates = 0;  // already stored: acknowledged, not processed again
  int dead_letters = 0;
  int ignored = 0;
};

class Ingest {
 public:
  // `on_stored` runs on the writer thread after each commit with the new rows
  // (the processor's wake-up). `metrics` may be null.
  Ingest(storage::Store& store, const core::Clock& clock, Metrics* metrics,
         std::function<void(const std::vector<StoredUpdate>&)> on_stored);
  ~Ingest();  // finishes queued work, then stops the writer
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  using Done = std::function<void(core::Result<IngestOutcome>)>;

  // Stores `updates` and calls `done` once they are committed, on the writer
  // thread (or at once on this thread when shutting down). No thread waits
  // for the disk: `done` answers the request. Unavailable when the database
  // could not commit (the caller answers 5xx so the channel retries). `done`
  // must be quick: the next batch waits for it.
  void SubmitAsync(std::vector<core::Update> updates, Done done);

  // The same, returning once committed.
  core::Result<IngestOutcome> Submit(std::vector<core::Update> updates);

 private:
  struct Request {
    Request(std::vector<core::Update> u, Done d);
    // Their strings are moved into `items`; kept for metrics (alternative
    // and channel).
    std::vector<core::Update> updates;
    std::vector<std::pair<storage::NewInboxItem, int>> items;  // row, shard
    int ignored = 0;  // updates not stored
    core::Result<IngestOutcome> result{core::Status::Internal("ingest: unset")};
    Done done;
  };
  void WriterLoop();
  // Commits `batch` and fills in each request's result.
  void CommitBatch(const std::vector<Request*>& batch);
  void CountBatch(const std::vector<Request*>& batch,
                  const std::vector<IngestOutcome>& outcomes);

  storage::Store& store_;
  const core::Clock& clock_;
  Metrics* metrics_;
  std::function<void(const std::vector<StoredUpdate>&)> on_stored_;

  core::Mutex mu_;
  core::CondVar cv_{&mu_};  // wakes the writer
  std::deque<std::unique_ptr<Request>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool writer_idle_ GUARDED_BY(mu_) = false;  // the writer waits on cv_
  std::thread writer_;
};

}  // namespace sportello
