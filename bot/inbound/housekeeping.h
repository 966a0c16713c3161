// Housekeeping: what the service stores only for a while is deleted once its
// time is up, a little at a time, behind the work that answers people. For
// now that is the inbox: every update as received (raw JSON, dedupe keys),
// which after processing is needed only to recognise a redelivery.
#pragma once

#include <cstdint>
#include <thread>

#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "storage/store.h"

namespace sportello {

class Housekeeper {
 public:
  // Processed inbox rows older than `inbox_retention_days` (0: never) go.
  // `metrics` may be null.
  Housekeeper(storage::Store& store, const core::Clock& clock, Metrics* metrics,
              int inbox_retention_days);
  ~Housekeeper();  // Stop()
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;

  // A round a minute after start, then one an hour.
  void Start();
  void Stop();

  // One round now: deletes in batches, each its own transaction, giving way
  // to acknowledgements between them. Returns how many rows went.
  core::Result<int64_t> RunOnce();

 private:
  void Loop();

  storage::Store& store_;
  const core::Clock& clock_;
  Metrics* metrics_;
  const int inbox_retention_days_;
  core::Mutex mu_;
  core::CondVar cv_{&mu_};
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sportello
