// Per-chat pacing: a token bucket per chat, so one person never gets more
// than the platform allows to one chat (bursts up to `burst`, then one per
// interval). Kept as each chat's theoretical arrival time (GCRA) in the
// injected clock's Unix milliseconds: integer arithmetic, so a test that
// moves a FakeClock by exactly the interval sees the next message go.
// Only chats that spent tokens are remembered, and a chat whose bucket is
// full again is dropped, which keeps the map to the chats written to
// lately. Not thread-safe: the sender's claimer owns it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sportello {

class ChatPacer {
 public:
  ChatPacer(double rate_per_sec, int burst);

  // 0 when `chat` may have a message at `now_ms`, else how many ms until
  // it may. Takes nothing.
  int64_t WaitMs(std::string_view chat, int64_t now_ms) const;
  // Spends one token of `chat`. REQUIRES: WaitMs(chat, now_ms) == 0.
  void Take(std::string_view chat, int64_t now_ms);
  // Undoes a Take at the same `now_ms` whose message was not claimed after
  // all (another process took the row, or the channel's token).
  void GiveBack(std::string_view chat, int64_t now_ms);
  // When `chat`'s bucket is full again (0: it is, as far as this pacer
  // knows).
  int64_t FullAt(std::string_view chat) const;
  // What another process spent on `chat`: its bucket is full again no
  // sooner than `full_at`.
  void Merge(std::string_view chat, int64_t full_at, int64_t now_ms);

  size_t TrackedChats() const { return next_.size(); }

 private:
  void DropFullBuckets(int64_t now_ms);

  int64_t interval_ms_;  // one token per interval
  int64_t burst_span_;   // (burst - 1) intervals may be spent ahead
  // Per chat: when its bucket is full again. A message may go while
  // now >= full_at - burst_span_.
  std::unordered_map<std::string, int64_t> next_;
  size_t sweep_at_;  // DropFullBuckets when the map reaches this size
};

}  // namespace sportello
