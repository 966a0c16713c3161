#include "bot/outbound/chat_pacer.h"

#include <algorithm>
#include <cmath>

namespace sportello {
namespace {

// Below this many chats a sweep is not worth its scan.
constexpr size_t kMinSweep = 1024;

}  // namespace

ChatPacer::ChatPacer(double rate_per_sec, int burst)
    : interval_ms_(std::max<int64_t>(
          1, std::llround(1000.0 / std::max(rate_per_sec, 1e-6)))),
      burst_span_(interval_ms_ * (std::max(1, burst) - 1)),
      sweep_at_(kMinSweep) {}

int64_t ChatPacer::WaitMs(std::string_view chat, int64_t now_ms) const {
  auto it = next_.find(std::string(chat));
  if (it == next_.end()) return 0;
  return std::max<int64_t>(0, it->second - burst_span_ - now_ms);
}

void ChatPacer::Take(std::string_view chat, int64_t now_ms) {
  auto [it, added] = next_.try_emplace(std::string(chat), now_ms);
  it->second = std::max(it->second, now_ms) + interval_ms_;
  if (added && next_.size() >= sweep_at_) DropFullBuckets(now_ms);
}

void ChatPacer::GiveBack(std::string_view chat, int64_t now_ms) {
  auto it = next_.find(std::string(chat));
  if (it == next_.end()) return;
  it->second -= interval_ms_;
  if (it->second <= now_ms) next_.erase(it);
}

int64_t ChatPacer::FullAt(std::string_view chat) const {
  auto it = next_.find(std::string(chat));
  return it == next_.end() ? 0 : it->second;
}

void ChatPacer::Merge(std::string_view chat, int64_t full_at, int64_t now_ms) {
  if (full_at <= now_ms) return;  // full already: nothing to remember
  auto [it, added] = next_.try_emplace(std::string(chat), full_at);
  if (!added) it->second = std::max(it->second, full_at);
}

void ChatPacer::DropFullBuckets(int64_t now_ms) {
  for (auto it = next_.begin(); it != next_.end();) {
    it = it->second <= now_ms ? next_.erase(it) : std::next(it);
  }
  // Amortised: the next sweep waits until the map has doubled again.
  sweep_at_ = std::max(kMinSweep, next_.size() * 2);
}

}  // namespace sportello
