// Durable intake of updates with group commit: request threads hand their
// updates to a writer thread, which stores whatever has queued up in one
// transaction (synchronous=FULL), then releases every waiting request at once.
// A request is answered 200 only after its updates are committed. There are
// as many writers as the store runs urgent writes at once (one on SQLite,
// several on PostgreSQL, whose commits then wait for the disk together);
// batches still reach the inbox in the order they were queued, chat by chat.
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
  // `on_stored` runs on a writer thread after each commit with the new rows
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
  // Called once the taken batch's rows are sent (or its transaction failed):
  // lets the next writer take what has queued meanwhile.
  void BatchSent();
  // Commits `batch`, the `ticket`-th taken from the queue, and fills in
  // each request's result.
  void CommitBatch(const std::vector<Request*>& batch, uint64_t ticket);
  // Batches take their chats' locks in ticket order (see CommitBatch): these
  // wait for a batch's turn, and give it to the next batch.
  void AwaitTurn(uint64_t ticket);
  void PassTurn(uint64_t ticket);
  void CountBatch(const std::vector<Request*>& batch,
                  const std::vector<IngestOutcome>& outcomes);

  storage::Store& store_;
  const core::Clock& clock_;
  Metrics* metrics_;
  std::function<void(const std::vector<StoredUpdate>&)> on_stored_;

  core::Mutex mu_;
  core::CondVar cv_{&mu_};  // wakes a writer
  std::deque<std::unique_ptr<Request>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  int idle_writers_ GUARDED_BY(mu_) = 0;  // writers waiting on cv_
  // A writer has taken a batch and not yet sent its rows. The next batch is
  // taken only then: what arrives meanwhile joins it, instead of starting a
  // transaction of one or two requests beside it.
  bool filling_ GUARDED_BY(mu_) = false;
  uint64_t next_ticket_ GUARDED_BY(mu_) = 0;
  core::Mutex turn_mu_;
  core::CondVar turn_cv_{&turn_mu_};
  uint64_t turn_ GUARDED_BY(turn_mu_) = 0;  // the batch whose turn it is
  std::vector<std::thread> writers_;
};

}  // namespace sportello
