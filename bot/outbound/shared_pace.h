// The pace that processes sending from one database share (PostgreSQL,
// where several `serve` may run): each channel's rate and 429 pause, and
// each chat's pace, kept in the database (storage/channel_pace.h) and
// settled inside the sender's claim transaction. On PostgreSQL that
// transaction runs under the database-wide writer lock, so no two
// processes settle at once and between them no more is claimed than one
// process alone would claim.
// The claimer first decides with its own RateLimiter and ChatPacers (cheap,
// and smooth between claims); SharedPace then corrects that decision with
// what the other processes spent, and brings the claimer's ChatPacers up
// to date with it. Not thread-safe: the claimer owns it.
//
//   in the claim transaction:
//     auto admission = shared.Admit(db, rows, now);   // which rows may go
//     ... claim the rows admitted, noting which were still pending ...
//     shared.Settle(db, rows, claimed, now);          // record what went
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"
#include "bot/outbound/chat_pacer.h"
#include "storage/database.h"
#include "storage/outbox.h"

namespace sportello {

class SharedPace {
 public:
  // `rate_per_sec`: the channels with a rate. `pacers`: the claimer's, per
  // channel with per-chat pacing (not owned; must outlive this).
  SharedPace(std::map<core::Channel, double> rate_per_sec,
             std::map<core::Channel, ChatPacer>* pacers);

  struct Admission {
    std::vector<bool> go;  // per row of Admit's `rows`: may be claimed
    // Rows whose chat another process wrote to lately: not before `until`.
    std::vector<std::pair<int64_t, int64_t>> deferred;  // row id, until
    // Some rows were refused for want of their channel's tokens (they stay
    // as they were): the next token comes in this long. 0: none refused.
    std::chrono::milliseconds wait{0};
    // Channels that a 429 paused (maybe another process's), for how long.
    std::map<core::Channel, std::chrono::milliseconds> paused;
  };

  // In the claim transaction, before claiming: takes the channels' tokens
  // for `rows` (each chosen by the local pace, its chat's local token
  // taken) and checks their chats against what every process sent.
  core::Result<Admission> Admit(storage::Database& db,
                                const std::vector<storage::OutboxRow>& rows,
                                int64_t now_ms);
  // In the same transaction, after claiming: `claimed[i]` tells whether
  // admitted row i was claimed (false: another process took it first, and
  // its tokens go back). Records the claimed rows' chats for every process.
  core::Status Settle(storage::Database& db,
                      const std::vector<storage::OutboxRow>& rows,
                      const std::vector<bool>& claimed, int64_t now_ms);

  // Whether `row` is paced per chat: its channel has a chat pace and it is
  // not a callback answer (the claimer's rule).
  bool ChatPaced(const storage::OutboxRow& row) const;

 private:
  ChatPacer* PacerFor(const storage::OutboxRow& row) const;

  std::map<core::Channel, double> rate_per_sec_;
  std::map<core::Channel, ChatPacer>* pacers_;
  // Between Admit and Settle: the channel tokens taken and not yet spent.
  std::map<core::Channel, int> unspent_;
  std::vector<bool> admitted_;  // Admission::go
  int64_t forget_at_ms_ = 0;    // next sweep of chats whose bucket is full
};

}  // namespace sportello
