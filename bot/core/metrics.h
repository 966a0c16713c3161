// Counters and a latency histogram, exposed in Prometheus text format on
// GET /metrics. Thread-safe; cheap enough for the request path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/mutex.h"

namespace sportello {

class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Adds `by` to the counter `name` with `labels` (created at first use).
  void Inc(std::string_view name, const Labels& labels, int64_t by = 1);
  int64_t Get(std::string_view name, const Labels& labels) const;

  // Seconds from receipt of an update to the commit of its processing.
  void ObserveProcessingSeconds(double seconds);

  // Gauges computed at scrape time (e.g. outbox depth from the database).
  void SetGauge(std::string name, std::string help,
                std::function<double()> read);

  // The Prometheus text exposition of everything.
  std::string Render() const;

  static constexpr std::array<double, 12> kBuckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

 private:
  struct Gauge {
    std::string help;
    std::function<double()> read;
  };
  mutable core::Mutex mu_;
  std::map<std::string, std::map<Labels, int64_t>, std::less<>> counters_
      GUARDED_BY(mu_);
  std::map<std::string, Gauge> gauges_ GUARDED_BY(mu_);
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> bucket_counts_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_us_{0};
};

}  // namespace sportello
