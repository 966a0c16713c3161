#include "bot/inbound/housekeeping.h"

#include <string>

#include "bot/core/background.h"
#include "bot/core/log.h"
#include "storage/inbox.h"

namespace sportello {
namespace {

// Rows per transaction: a few milliseconds of the write lock.
constexpr int kBatchRows = 1000;
constexpr auto kFirstRound = std::chrono::minutes(1);
constexpr auto kEveryRound = std::chrono::hours(1);
// Like processing, housekeeping waits while webhooks are being acknowledged.
constexpr auto kIngestQuiet = std::chrono::microseconds(1000);
constexpr auto kMaxYield = std::chrono::milliseconds(200);

}  // namespace

Housekeeper::Housekeeper(storage::Store& store, const core::Clock& clock,
                         Metrics* metrics, int inbox_retention_days)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      inbox_retention_days_(inbox_retention_days) {}

Housekeeper::~Housekeeper() { Stop(); }

void Housekeeper::Start() {
  if (inbox_retention_days_ <= 0 || thread_.joinable()) return;
  {
    core::MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Housekeeper::Stop() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

core::Result<int64_t> Housekeeper::RunOnce() {
  if (inbox_retention_days_ <= 0) return int64_t{0};
  const int64_t before =
      clock_.NowMillis() - int64_t{inbox_retention_days_} * 24 * 3600 * 1000;
  int64_t total = 0;
  for (;;) {
    {
      core::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    store_.YieldToUrgent(kIngestQuiet, kMaxYield);
    int64_t n = 0;
    auto s = store_.Write([&](storage::Database& db) -> core::Status {
      auto pruned = storage::PruneInbox(db, before, kBatchRows);
      if (!pruned.ok()) return pruned.status();
      n = *pruned;
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    total += n;
    if (metrics_ && n > 0) metrics_->Inc("sportello_inbox_pruned_total", {}, n);
    if (n < kBatchRows) break;
  }
  return total;
}

void Housekeeper::Loop() {
  core::MarkThisThreadBackground();
  auto wait =
      std::chrono::duration_cast<std::chrono::milliseconds>(kFirstRound);
  for (;;) {
    {
      core::MutexLock lock(&mu_);
      if (cv_.WaitFor(wait, [&]() REQUIRES(mu_) { return stopping_; })) return;
    }
    auto n = RunOnce();
    if (!n.ok()) {
      core::LogError("housekeeping",
                     "pruning the inbox failed: " + n.status().ToString());
    } else if (*n > 0) {
      core::LogInfo("housekeeping", std::to_string(*n) +
                                        " processed update(s) older than " +
                                        std::to_string(inbox_retention_days_) +
                                        " days removed from the inbox");
    }
    wait = std::chrono::duration_cast<std::chrono::milliseconds>(kEveryRound);
  }
}

}  // namespace sportello
