// The thread that fans broadcast notices out when they fall due
// (RunDueBroadcasts, bot/domain/broadcasts.h). All its state is in the
// database, so a restart picks up where it was.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "bot/core/clock.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/store.h"

namespace sportello {

// Runs RunDueBroadcasts when the next broadcast is due, and at least every
// `max_wait` (which also notices broadcasts created since and finished
// ones). `on_enqueued` runs on the scheduler's thread after rows were
// enqueued (wakes the sender).
class BroadcastScheduler {
 public:
  BroadcastScheduler(
      storage::Store& store, const core::Clock& clock,
      std::function<void()> on_enqueued,
      std::chrono::milliseconds max_wait = std::chrono::milliseconds(1000));
  ~BroadcastScheduler();  // Stop()
  core::Status Start();
  void Stop();

 private:
  void Loop();

  storage::Store& store_;
  const core::Clock& clock_;
  std::function<void()> on_enqueued_;
  std::chrono::milliseconds max_wait_;
  std::unique_ptr<storage::Database> reader_;
  core::Mutex mu_;
  core::CondVar cv_{&mu_};
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sportello
