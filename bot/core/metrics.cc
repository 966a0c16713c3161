#include "bot/core/metrics.h"

#include <charconv>
#include <cstdio>
#include <sstream>

namespace sportello {
namespace {

const std::map<std::string, std::string, std::less<>>& Help() {
  static const std::map<std::string, std::string, std::less<>> kHelp = {
      {"sportello_updates_received_total",
       "Updates accepted from a channel and stored."},
      {"sportello_updates_duplicate_total",
       "Deliveries of updates already stored (acknowledged, not processed "
       "again)."},
      {"sportello_updates_rejected_total", "Requests refused, by reason."},
      {"sportello_updates_ignored_total",
       "Valid updates of no interest (unknown kinds, groups, edits)."},
      {"sportello_dead_letters_total",
       "Authenticated updates that could not be used, stored for review."},
      {"sportello_sends_total",
       "Outbound API calls by channel and result (ok, failed, retried)."},
      {"sportello_processing_errors_total",
       "Inbox rows whose processing failed."},
      {"sportello_inbox_pruned_total",
       "Processed inbox rows deleted after SPORTELLO_INBOX_RETENTION_DAYS."},
  };
  return kHelp;
}

std::string LabelText(const Metrics::Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char c : labels[i].second) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Shortest text that reads back as the same double: counts stay exact.
std::string Number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

}  // namespace

void Metrics::Inc(std::string_view name, const Labels& labels, int64_t by) {
  core::MutexLock lock(&mu_);
  auto it = counters_.find(name);
  if (it == counters_.end())
    it =
        counters_.emplace(std::string(name), std::map<Labels, int64_t>{}).first;
  it->second[labels] += by;
}

int64_t Metrics::Get(std::string_view name, const Labels& labels) const {
  core::MutexLock lock(&mu_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto v = it->second.find(labels);
  return v == it->second.end() ? 0 : v->second;
}

void Metrics::ObserveProcessingSeconds(double seconds) {
  if (!(seconds > 0)) seconds = 0;  // a clock stepped back: count it, as zero
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  bucket_counts_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6),
                            std::memory_order_relaxed);
}

void Metrics::SetGauge(std::string name, std::string help,
                       std::function<double()> read) {
  core::MutexLock lock(&mu_);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read)};
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::map<std::string, Gauge> gauges;
  {
    core::MutexLock lock(&mu_);
    for (const auto& [name, help] : Help()) {
      out << "# HELP " << name << ' ' << help << "\n# TYPE " << name
          << " counter\n";
      auto it = counters_.find(name);
      if (it == counters_.end()) continue;
      for (const auto& [labels, value] : it->second)
        out << name << LabelText(labels) << ' ' << value << '\n';
    }
    for (const auto& [name, series] : counters_) {
      if (Help().count(name)) continue;
      out << "# TYPE " << name << " counter\n";
      for (const auto& [labels, value] : series)
        out << name << LabelText(labels) << ' ' << value << '\n';
    }
    gauges = gauges_;
  }
  const char* h = "sportello_processing_seconds";
  out << "# HELP " << h
      << " Time from receiving an update to committing its processing.\n";
  out << "# TYPE " << h << " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i].load(std::memory_order_relaxed);
    out << h << "_bucket{le=\"" << Number(kBuckets[i]) << "\"} " << cumulative
        << '\n';
  }
  cumulative += bucket_counts_[kBuckets.size()].load(std::memory_order_relaxed);
  out << h << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
  out << h << "_sum " << Number(latency_sum_us_.load() / 1e6) << '\n';
  out << h << "_count " << latency_count_.load() << '\n';
  // Gauges read the database: outside the lock, so a slow read blocks no
  // counter.
  for (const auto& [name, g] : gauges) {
    out << "# HELP " << name << ' ' << g.help << "\n# TYPE " << name
        << " gauge\n";
    out << name << ' ' << Number(g.read()) << '\n';
  }
  return out.str();
}

}  // namespace sportello
