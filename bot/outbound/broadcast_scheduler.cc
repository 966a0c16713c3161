#include "bot/outbound/broadcast_scheduler.h"

#include <algorithm>
#include <utility>

#include "bot/core/log.h"
#include "bot/domain/broadcasts.h"
#include "storage/broadcasts.h"

namespace sportello {

BroadcastScheduler::BroadcastScheduler(storage::Store& store,
                                       const core::Clock& clock,
                                       std::function<void()> on_enqueued,
                                       std::chrono::milliseconds max_wait)
    : store_(store),
      clock_(clock),
      on_enqueued_(std::move(on_enqueued)),
      max_wait_(max_wait) {}

BroadcastScheduler::~BroadcastScheduler() { Stop(); }

core::Status BroadcastScheduler::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);
  {
    core::MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return core::Status::Ok();
}

void BroadcastScheduler::Stop() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void BroadcastScheduler::Loop() {
  for (;;) {
    const int64_t now = clock_.NowMillis();
    auto work = storage::HasBroadcastWork(*reader_, now);
    core::Result<int64_t> n = int64_t{0};
    if (!work.ok()) {
      n = work.status();
    } else if (*work) {
      n = RunDueBroadcasts(store_, now);
    }
    if (!n.ok()) {
      core::LogError("broadcasts", "fan-out failed: " + n.status().ToString());
    } else if (*n > 0) {
      core::LogInfo("broadcasts", std::to_string(*n) + " notice(s) enqueued");
      if (on_enqueued_) on_enqueued_();
    }
    std::chrono::milliseconds wait = max_wait_;
    if (!n.ok()) {
      // Retried after max_wait_, not in a tight loop.
    } else if (auto next = storage::NextBroadcastDue(*reader_);
               next.ok() && *next) {
      const int64_t until = **next - clock_.NowMillis();
      wait = std::clamp(std::chrono::milliseconds(until),
                        std::chrono::milliseconds(0), max_wait_);
    }
    core::MutexLock lock(&mu_);
    if (cv_.WaitFor(wait, [&]() REQUIRES(mu_) { return stopping_; })) return;
  }
}

}  // namespace sportello
