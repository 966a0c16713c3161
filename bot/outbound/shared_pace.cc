#include "bot/outbound/shared_pace.h"

#include <algorithm>
#include <string>

#include "bot/outbound/rate_limiter.h"
#include "storage/channel_pace.h"

namespace sportello {
namespace {

using std::chrono::milliseconds;

// How often chats whose bucket is full again are forgotten.
constexpr int64_t kForgetEveryMs = 60'000;

}  // namespace

SharedPace::SharedPace(std::map<core::Channel, double> rate_per_sec,
                       std::map<core::Channel, ChatPacer>* pacers)
    : rate_per_sec_(std::move(rate_per_sec)), pacers_(pacers) {}

ChatPacer* SharedPace::PacerFor(const storage::OutboxRow& row) const {
  const auto channel = core::ParseChannel(row.channel);
  if (!channel ||
      row.kind == core::OutboundKindName(core::OutboundKind::kCallbackAnswer))
    return nullptr;
  auto it = pacers_->find(*channel);
  return it == pacers_->end() ? nullptr : &it->second;
}

bool SharedPace::ChatPaced(const storage::OutboxRow& row) const {
  return PacerFor(row) != nullptr;
}

core::Result<SharedPace::Admission> SharedPace::Admit(
    storage::Database& db, const std::vector<storage::OutboxRow>& rows,
    int64_t now_ms) {
  Admission out;
  out.go.assign(rows.size(), false);
  unspent_.clear();

  // Each channel's tokens, for as many rows as it has here.
  std::map<core::Channel, int> wanted;
  for (const auto& row : rows) {
    const auto channel = core::ParseChannel(row.channel);
    if (channel && rate_per_sec_.count(*channel)) ++wanted[*channel];
  }
  std::map<core::Channel, int> granted;
  for (const auto& [channel, n] : wanted) {
    const double rate = rate_per_sec_.at(channel);
    auto grant =
        storage::TakeChannelTokens(db, core::ChannelName(channel), rate,
                                   RateLimiter::SmoothBurst(rate), n, now_ms);
    if (!grant.ok()) return grant.status();
    granted[channel] = grant->granted;
    unspent_[channel] = grant->granted;
    if (grant->wait_ms > 0) {
      const milliseconds wait(grant->wait_ms);
      out.wait = out.wait.count() == 0 ? wait : std::min(out.wait, wait);
      if (grant->paused) out.paused[channel] = wait;
    }
  }

  // What every process spent on these chats.
  std::map<core::Channel, std::vector<std::string>> chats;
  for (const auto& row : rows) {
    if (PacerFor(row))
      chats[*core::ParseChannel(row.channel)].push_back(row.chat_id);
  }
  std::map<core::Channel, std::map<std::string, int64_t>> full_at;
  for (const auto& [channel, ids] : chats) {
    auto known = storage::ChatPaceFullAt(db, core::ChannelName(channel), ids);
    if (!known.ok()) return known.status();
    full_at[channel] = std::move(*known);
  }

  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto channel = core::ParseChannel(row.channel);
    if (!channel) continue;
    ChatPacer* pacer = PacerFor(row);
    auto tokens = granted.find(*channel);
    if (tokens != granted.end() && tokens->second == 0) {
      // No token: the row stays as it was, its chat's token back.
      if (pacer) pacer->GiveBack(row.chat_id, now_ms);
      continue;
    }
    if (pacer) {
      const auto& known = full_at[*channel];
      if (auto it = known.find(row.chat_id); it != known.end()) {
        // Decide again, with the other processes' messages counted.
        pacer->GiveBack(row.chat_id, now_ms);
        pacer->Merge(row.chat_id, it->second, now_ms);
        if (const int64_t wait = pacer->WaitMs(row.chat_id, now_ms); wait > 0) {
          out.deferred.emplace_back(row.id, now_ms + wait);
          continue;  // its channel token stays unspent
        }
        pacer->Take(row.chat_id, now_ms);
      }
    }
    if (tokens != granted.end()) --tokens->second;
    out.go[i] = true;
  }
  admitted_ = out.go;
  return out;
}

core::Status SharedPace::Settle(storage::Database& db,
                                const std::vector<storage::OutboxRow>& rows,
                                const std::vector<bool>& claimed,
                                int64_t now_ms) {
  std::map<core::Channel, std::vector<std::pair<std::string, int64_t>>> sent;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto channel = core::ParseChannel(row.channel);
    if (!channel) continue;
    ChatPacer* pacer = PacerFor(row);
    if (!claimed[i]) {
      // Admitted, but another process claimed it first: its chat's token
      // back too.
      if (i < admitted_.size() && admitted_[i] && pacer)
        pacer->GiveBack(row.chat_id, now_ms);
      continue;
    }
    if (auto it = unspent_.find(*channel); it != unspent_.end()) --it->second;
    if (pacer)
      sent[*channel].emplace_back(row.chat_id, pacer->FullAt(row.chat_id));
  }
  for (const auto& [channel, chats] : sent) {
    if (auto s =
            storage::SetChatPaceFullAt(db, core::ChannelName(channel), chats);
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [channel, n] : unspent_) {
    const double rate = rate_per_sec_.at(channel);
    if (auto s = storage::ReturnChannelTokens(db, core::ChannelName(channel), n,
                                              RateLimiter::SmoothBurst(rate));
        !s.ok()) {
      return s;
    }
  }
  unspent_.clear();
  admitted_.clear();
  if (now_ms >= forget_at_ms_) {
    auto forgotten = storage::ForgetFullChatPace(db, now_ms);
    if (!forgotten.ok()) return forgotten.status();
    forget_at_ms_ = now_ms + kForgetEveryMs;
  }
  return core::Status::Ok();
}

}  // namespace sportello
