// Each channel's pace as every process on one database shares it: a token
// bucket per channel (tokens left at a time, refilled at the channel's rate
// up to a small burst) and a pause (a 429's retry_after) that holds for all
// of them; and each chat's pace, kept as when its bucket is full again (the
// arithmetic is the sender's ChatPacer: storage only keeps the numbers).
// Senders take tokens in the transaction that claims their rows, so processes
// that write one at a time (Store::Write on PostgreSQL holds a database-wide
// lock) never take more than the rate between them. Times are Unix
// milliseconds, passed in: the arithmetic is exact under a test's clock. On
// PostgreSQL a take also locks the bucket's row (FOR UPDATE), so it is
// atomic even outside that lock; a chat's pace is read and then written by
// the caller, so that needs the lock (any Store::Write but an urgent one).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

struct ChannelGrant {
  int granted = 0;  // tokens taken, at most what was asked
  // When fewer than asked were granted: how long until the next token (or
  // until the pause ends); at least 1. 0 when everything was granted.
  int64_t wait_ms = 0;
  bool paused = false;  // a pause holds the channel at `now_ms`
};

// Refills `channel`'s bucket for the time since it was last refilled, at
// `rate_per_sec` up to `burst` tokens, then takes up to `wanted` whole
// tokens. A channel never paced before starts empty at `now_ms` (the first
// token comes 1/rate later, never a burst at once); during a pause nothing
// is granted and nothing refills. REQUIRES: a write transaction on `db`.
core::Result<ChannelGrant> TakeChannelTokens(Database& db,
                                             std::string_view channel,
                                             double rate_per_sec, double burst,
                                             int wanted, int64_t now_ms);

// Gives back `n` tokens taken and not spent (their rows were claimed by
// another process first), up to `burst`.
core::Status ReturnChannelTokens(Database& db, std::string_view channel, int n,
                                 double burst);

// No tokens for `channel` before `until_ms`, whichever process asks; then
// the bucket starts empty, so calls resume at the steady rate, not a burst.
// A pause is only ever lengthened, never shortened.
core::Status PauseChannel(Database& db, std::string_view channel,
                          int64_t until_ms);

// When `channel` is paused until (0: never paused); for the sender to stop
// rows it had already claimed, and for tests.
core::Result<int64_t> ChannelPausedUntil(Database& db,
                                         std::string_view channel);

// When each of `chats` of `channel` has its bucket full again (Unix ms), for
// those that have a row; chats without one are absent.
core::Result<std::map<std::string, int64_t>> ChatPaceFullAt(
    Database& db, std::string_view channel,
    const std::vector<std::string>& chats);

// Records when each chat's bucket is full again (a chat once at most).
core::Status SetChatPaceFullAt(
    Database& db, std::string_view channel,
    const std::vector<std::pair<std::string, int64_t>>& full_at);

// Forgets the chats whose bucket is full again at `now_ms` (remembering
// them would change nothing). Returns how many.
core::Result<int64_t> ForgetFullChatPace(Database& db, int64_t now_ms);

}  // namespace sportello::storage
