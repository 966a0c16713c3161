#include "bot/inbound/processor.h"

#include <string>

#include "bot/core/background.h"
#include "bot/core/log.h"
#include "bot/core/rome_time.h"

namespace sportello {
namespace {

// Rows per transaction: one commit for many updates, small enough that a
// batch holds the write lock for a few milliseconds.
constexpr int kBatchRows = 32;
// ... and while webhooks are being acknowledged, fewer: an acknowledgement
// that arrives mid-batch waits for the commit of the rows applied so far
// (about ten WAL pages a row). Measured at 1,000 updates/s on the 2-core
// VM: p99 of the acknowledgement 3.5 ms with 32, 2.3-2.6 ms with 8,
// 2.0-2.2 ms with 4; the backlog after a burst, which runs with no
// acknowledgement waiting, keeps the large batches (~11k rows/s against
// ~8k/s with 4 throughout).
constexpr int kBatchRowsWhileAcknowledging = 4;
constexpr auto kAcknowledgingWindow = std::chrono::milliseconds(20);
// How long to wait before retrying after the database failed.
constexpr auto kRetryAfterError = std::chrono::milliseconds(500);
// Processing is background work: a batch waits while acknowledgements are
// being committed (and for this long after the last one), so a webhook
// burst gets the CPU and the write lock; ...
constexpr auto kIngestQuiet = std::chrono::microseconds(1000);
// ... but never longer than this per batch, so processing keeps advancing
// (4 shards x kBatchRowsWhileAcknowledging rows per period) under sustained
// load.
constexpr auto kMaxYield = std::chrono::milliseconds(50);

}  // namespace

Processor::Processor(storage::Store& store, const Dispatcher& dispatcher,
                     const core::Clock& clock, Metrics* metrics,
                     std::function<void()> on_outbox)
    : store_(store),
      dispatcher_(dispatcher),
      clock_(clock),
      metrics_(metrics),
      on_outbox_(std::move(on_outbox)) {
  for (int i = 0; i < storage::kInboxShards; ++i)
    shards_.push_back(std::make_unique<Shard>());
}

Processor::~Processor() { Stop(); }

void Processor::Start() {
  stopping_ = false;
  for (int i = 0; i < storage::kInboxShards; ++i) {
    if (!shards_[i]->thread.joinable())
      shards_[i]->thread = std::thread([this, i] { Loop(i); });
  }
}

void Processor::Stop() {
  stopping_ = true;
  for (auto& s : shards_) {
    {
      core::MutexLock lock(&s->mu);
      s->wake = true;
    }
    s->cv.SignalAll();
    s->done_cv.SignalAll();
  }
  for (auto& s : shards_) {
    if (s->thread.joinable()) s->thread.join();
  }
}

void Processor::Notify(const std::vector<StoredUpdate>& stored) {
  bool touched[storage::kInboxShards] = {};
  for (const auto& s : stored) touched[s.shard] = true;
  for (int i = 0; i < storage::kInboxShards; ++i) {
    if (!touched[i]) continue;
    {
      core::MutexLock lock(&shards_[i]->mu);
      shards_[i]->wake = true;
    }
    shards_[i]->cv.Signal();
  }
}

bool Processor::WaitProcessed(int shard, int64_t id,
                              std::chrono::milliseconds timeout) {
  Shard& s = *shards_.at(shard);
  core::MutexLock lock(&s.mu);
  return s.done_cv.WaitFor(timeout, [&] {
    return s.done_upto.load() >= id || stopping_;
  }) && s.done_upto.load() >= id;
}

void Processor::Loop(int shard) {
  core::MarkThisThreadBackground();
  Shard& s = *shards_[shard];
  auto reader = store_.OpenReader();
  if (!reader.ok()) {
    core::LogError("processor",
                   "cannot open a reader: " + reader.status().ToString());
    return;
  }
  while (!stopping_) {
    {
      core::MutexLock lock(&s.mu);
      // The timed wake-up is a safety net only; Notify() is the normal path.
      s.cv.WaitFor(std::chrono::seconds(2),
                   [&]() REQUIRES(s.mu) { return s.wake || stopping_.load(); });
      s.wake = false;
    }
    while (!stopping_) {
      const size_t n = RunBatch(shard, **reader);
      if (n == 0) break;
    }
  }
}

size_t Processor::RunBatch(int shard, storage::Database& reader) {
  store_.YieldToUrgent(kIngestQuiet, kMaxYield);
  if (stopping_) return 0;
  // Another process sharing the database is on this shard: it takes the
  // rows (it is woken by its own ingest, and this one comes back on its
  // next wake-up or timer), rather than both classifying them.
  auto claimed = storage::TryClaimInboxShard(reader, shard);
  if (!claimed.ok() || !*claimed) return 0;
  struct Release {
    storage::Database& db;
    int shard;
    ~Release() { (void)storage::ReleaseInboxShard(db, shard); }
  } release{reader, shard};
  Shard& s = *shards_[shard];
  // Rows prepared last time and left when the batch was cut short come
  // first (they are the shard's oldest pending rows): classifying is the
  // costly part, not worth doing twice.
  std::vector<Dispatcher::Prepared> prepared = std::move(s.carried);
  s.carried.clear();
  if (prepared.empty()) {
    const int limit = store_.UrgentWithin(kAcknowledgingWindow)
                          ? kBatchRowsWhileAcknowledging
                          : kBatchRows;
    auto rows = storage::PendingInbox(reader, shard, limit);
    if (!rows.ok()) {
      core::LogError("processor",
                     "reading the inbox failed: " + rows.status().ToString());
      std::this_thread::sleep_for(kRetryAfterError);
      return 0;
    }
    if (rows->empty()) return 0;
    const auto today = core::RomeDate(clock_.Now());
    prepared.reserve(rows->size());
    for (const auto& row : *rows)
      prepared.push_back(dispatcher_.Prepare(row, today));
  }

  bool wrote_outbox = false;
  const int64_t now = clock_.NowMillis();
  size_t applied_rows = 0;
  auto apply_all = [&](storage::Database& db) -> core::Status {
    wrote_outbox = false;
    applied_rows = 0;
    for (const auto& p : prepared) {
      // An acknowledgement is waiting for the write lock: commit what is
      // done, so it waits for one row rather than the batch; the rest of the
      // batch comes round again.
      if (applied_rows > 0 && store_.UrgentWaiting()) break;
      auto applied = dispatcher_.Apply(db, p, now);
      if (!applied.ok()) return applied.status();
      wrote_outbox = wrote_outbox || applied->wrote_outbox;
      ++applied_rows;
    }
    return core::Status::Ok();
  };
  // Deferred durability: a lost commit leaves its updates pending, to be
  // processed again, and its replies reach nobody before the sender's
  // flushed claim (storage/store.h).
  constexpr auto kDeferred = storage::Store::Durability::kDeferred;
  // Beside other shards' batches, of this process or another: each keeps to
  // its conversations, and locks what they share (storage/store.h).
  auto status = store_.WriteBeside(apply_all, kDeferred);
  if (status.ok() && applied_rows < prepared.size()) {
    s.carried.assign(std::make_move_iterator(prepared.begin() +
                                             static_cast<long>(applied_rows)),
                     std::make_move_iterator(prepared.end()));
    prepared.resize(applied_rows);
  }
  bool unavailable = false;
  if (!status.ok()) {
    // One bad row must not hold up its shard: retry one by one, and mark a
    // row that fails alone as processed with its error (a poison message).
    core::LogWarn("processor",
                  "batch failed, retrying row by row: " + status.ToString());
    for (size_t i = 0; i < prepared.size(); ++i) {
      const auto& p = prepared[i];
      auto one = store_.WriteBeside(
          [&](storage::Database& db) -> core::Status {
            auto applied = dispatcher_.Apply(db, p, now);
            if (!applied.ok()) return applied.status();
            wrote_outbox = wrote_outbox || applied->wrote_outbox;
            return core::Status::Ok();
          },
          kDeferred);
      if (one.ok()) continue;
      if (one.code() == core::Status::Code::kUnavailable) {
        // The database is down, or ended this turn to break a deadlock:
        // this row and the rest stay pending, taken again after a pause;
        // those before it are done, and told below.
        prepared.resize(i);
        unavailable = true;
        break;
      }
      core::LogError("processor", "inbox " + std::to_string(p.row.id) +
                                      " failed, set aside: " + one.ToString());
      if (metrics_) metrics_->Inc("sportello_processing_errors_total", {});
      (void)store_.Write([&](storage::Database& db) {
        return storage::MarkInboxProcessed(db, p.row.id, now, one.ToString());
      });
    }
  }
  if (!prepared.empty()) {
    if (metrics_) {
      for (const auto& p : prepared) {
        metrics_->ObserveProcessingSeconds(
            static_cast<double>(now - p.row.received_at) / 1000.0);
      }
    }
    {
      core::MutexLock lock(&s.mu);
      s.done_upto = prepared.back().row.id;
    }
    s.done_cv.SignalAll();
    if (wrote_outbox && on_outbox_) on_outbox_();
  }
  if (unavailable) std::this_thread::sleep_for(kRetryAfterError);
  return prepared.size();
}

}  // namespace sportello
