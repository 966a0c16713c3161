// Delivers the outbox: claims due rows, sends each through its channel's
// ChannelSender from a pool of threads (a chat's rows one at a time, in
// order), and records the outcome: sent, retried later with exponential
// backoff and jitter, rate-limited (the whole channel waits), or failed
// (permanent errors, unreachable users, WhatsApp's closed 24 h window).
// Whoever wrote a row, it is fitted to its channel's limits
// (channels::FitToChannel) right before its call; a row that needs several
// calls (a text too long for one) sends them in order.
// Pacing is decided when a row is claimed, never after: a row is claimed
// only when its channel has a token and its chat may have a message now;
// a chat that must wait has its row deferred in the database, so workers
// never sit on a claimed row. Notices (broadcast rows) are held in quiet
// hours and while the person is answering the bot's questions, and a sent
// notice is written into the person's history.
// A row is "handed over" (a durable mark, storage::MarkOutboxHandedOver)
// right before its HTTP call starts. After a crash, rows claimed but not
// handed over are sent as if nothing happened; of those handed over,
// replies and reminders are sent again (at-least-once) and notices are
// counted "in doubt" (at most one per thread: the calls really in flight).
// Channels are claimed side by side, each at its own smooth pace
// (RateLimiter), so one channel's backlog never starves another.
// On PostgreSQL several processes may send from one database: there each
// claim also settles with the pace they share (SharedPace: the channel's
// token bucket and 429 pause, each chat's pace, kept in the database), so
// the rates hold for all processes together and a 429 stops them all. The
// local limiter still spreads each process's calls between claims.
// (SQLite has one process per file: the local pace is exact there, and the
// database's would only cost writes in every claim.)
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bot/channels/api_client.h"
#include "bot/core/clock.h"
#include "bot/core/message.h"
#include "bot/core/metrics.h"
#include "bot/core/mutex.h"
#include "bot/domain/quiet_hours.h"
#include "bot/outbound/chat_pacer.h"
#include "bot/outbound/group_commit.h"
#include "bot/outbound/rate_limiter.h"
#include "bot/outbound/sender_threads.h"
#include "bot/outbound/shared_pace.h"
#include "storage/outbox.h"
#include "storage/store.h"

namespace sportello {

struct SenderOptions {
  // Calls in flight at most. Each thread waits on one HTTP call, so the
  // rate is at most threads / latency: 1,000/s at Meta's 100-300 ms needs
  // 100-300. 0: SenderThreadsFor the sum of `rate_per_sec`, a channel
  // without a rate counting as 1,000/s (the most a platform allows).
  int threads = 0;
  int max_attempts = 12;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{std::chrono::minutes(15)};
  std::map<core::Channel, double>
      rate_per_sec;  // per channel; absent = unlimited
  // What one chat may receive: `per_sec` on average, `burst` at once, so a
  // bot reply of 2-3 parts is not delayed. Telegram's Bot FAQ: "avoid
  // sending more than one message per second" to a chat, short bursts
  // tolerated before 429. WhatsApp Cloud API throughput: a business may
  // send one message every 6 s to the same user, bursts of up to ~45
  // borrowing from later (error 131056 beyond): 10 keeps a person tapping
  // quickly through a flow from waiting, well inside that. Absent channel:
  // no per-chat pacing.
  struct ChatPace {
    double per_sec = 1;
    int burst = 1;
  };
  std::map<core::Channel, ChatPace> chat_pace = {
      {core::Channel::kTelegram, {1.0, 3}},
      {core::Channel::kWhatsApp, {1.0 / 6, 10}},
  };
  // SPORTELLO_QUIET_HOURS: notices are held inside; nullopt: never.
  std::optional<QuietHours> quiet_hours;
  // A notice to someone answering the bot's questions (mode bot, a flow
  // running) waits until they have been quiet this long.
  std::chrono::milliseconds notice_idle{std::chrono::minutes(15)};
  // An approved WhatsApp template with one body parameter
  // (WHATSAPP_FALLBACK_TEMPLATE): what a message becomes when it is due
  // after the person's 24 h window closed (a reminder, a place freed on a
  // waiting list). Empty: such messages fail with the reason.
  std::string whatsapp_fallback_template;
};

// `msg` as the fallback template `name` in the person's language: its text
// as the one parameter, on one line (Meta refuses newlines and tabs in
// parameters) and cut to fit the template body; its buttons dropped.
core::OutboundMessage AsFallbackTemplate(const core::OutboundMessage& msg,
                                         const std::string& name,
                                         const std::string& language);

class OutboxSender {
 public:
  // `senders` maps each channel it delivers to its ChannelSender (not owned).
  // `metrics` may be null.
  OutboxSender(storage::Store& store, const core::Clock& clock,
               Metrics* metrics,
               std::map<core::Channel, channels::ChannelSender*> senders,
               SenderOptions options);
  ~OutboxSender();  // Stop()

  // Rows left by a crash: those never handed over are requeued; of those
  // handed over, replies and reminders are requeued and notices marked
  // failed "in doubt" (storage::kInDoubt). Then starts the threads.
  core::Status Start();
  // Lets sends in flight finish and stops; unsent rows stay in the outbox.
  void Stop();
  // New rows may be due (after a commit that wrote the outbox).
  void Wake();

  // The delay before attempt `attempts` + 1 (exposed for tests): base *
  // 2^(n-1), capped, with +-50% jitter.
  std::chrono::milliseconds Backoff(int attempts) const;

 private:
  // What one pass of the claimer did.
  struct Round {
    std::vector<storage::OutboxRow> claimed;
    bool again = false;  // rows were claimed or deferred: look again now
    std::chrono::milliseconds wait{0};  // otherwise, sleep at most this
  };
  void ClaimLoop();
  Round ClaimRound(storage::Database& reader, int free_slots);
  // When a notice to `user_id` may go: later than `now_ms` while they are
  // in the middle of the bot's questions.
  int64_t NoticeHeldUntil(storage::Database& reader, int64_t user_id,
                          int64_t now_ms) const;
  void WorkerLoop();
  void Deliver(const storage::OutboxRow& row);
  // A reader connection for a worker's lookups, borrowed from a few shared
  // by all workers (hundreds of threads need not hold a connection each
  // while they wait on HTTP).
  class ReaderLease;
  // Records, flushed, that row `id` is handed to the HTTP client now.
  core::Status HandOver(int64_t id);
  // `notice_text`: for a broadcast row, what goes into the history when sent.
  void Record(const storage::OutboxRow& row,
              const channels::SendOutcome& outcome,
              std::string_view notice_text = {});
  void Fail(const storage::OutboxRow& row, const std::string& reason);

  storage::Store& store_;
  const core::Clock& clock_;
  Metrics* metrics_;
  std::map<core::Channel, channels::ChannelSender*> senders_;
  std::vector<std::string> channel_names_;
  SenderOptions options_;  // threads resolved: at least 1
  std::map<core::Channel, std::unique_ptr<RateLimiter>> limiters_;
  // The same pace once more, just before each call (see Deliver).
  std::map<core::Channel, std::unique_ptr<RateLimiter>> gates_;
  std::map<core::Channel, ChatPacer> pacers_;  // the claimer's only
  // On PostgreSQL (other processes may send from the same database): the
  // pace they all share. Null on SQLite.
  std::unique_ptr<SharedPace> shared_;

  core::Mutex mu_;
  core::CondVar claim_cv_{&mu_};
  core::CondVar work_cv_{&mu_};
  std::deque<storage::OutboxRow> queue_ GUARDED_BY(mu_);
  int in_flight_ GUARDED_BY(mu_) = 0;  // claimed rows not yet recorded
  bool wake_ GUARDED_BY(mu_) = true;
  bool stopping_ GUARDED_BY(mu_) = false;
  core::Mutex readers_mu_;
  core::CondVar readers_cv_{&readers_mu_};
  std::vector<std::unique_ptr<storage::Database>> readers_
      GUARDED_BY(readers_mu_);
  // Threads handing over, or recording outcomes, at the same time share a
  // transaction: one commit per batch, not per message. Hand-overs are
  // flushed (they must be durable before the call); outcomes are not (the
  // next hand-over's flush carries them).
  GroupCommit hand_overs_{store_, storage::Store::Durability::kFlush};
  GroupCommit outcomes_{store_, storage::Store::Durability::kDeferred};
  std::thread claimer_;
  std::vector<std::thread> workers_;
};

}  // namespace sportello
