// Delivers the outbox: claims due rows, sends each through its channel's
// ChannelSender from a pool of threads (a chat's rows one at a time, in
// order), and records the outcome: sent, retried later with exponential
// backoff and jitter, rate-limited (the whole channel waits), or failed
// (permanent errors, unreachable users, WhatsApp's closed 24 h window).
// At-least-once: a row in flight at a crash is sent again after restart.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bot/channels/api_client.h"
#include "bot/core/clock.h"
#include "bot/core/message.h"
#include "bot/metrics.h"
#include "bot/rate_limiter.h"
#include "storage/outbox.h"
#include "storage/store.h"

namespace sportello {

struct SenderOptions {
  int threads = 8;
  int max_attempts = 12;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{std::chrono::minutes(15)};
  std::map<core::Channel, double>
      rate_per_sec;  // per channel; absent = unlimited
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

  // Requeues rows left in flight by a crash, then starts the threads.
  core::Status Start();
  // Lets sends in flight finish and stops; unsent rows stay in the outbox.
  void Stop();
  // New rows may be due (after a commit that wrote the outbox).
  void Wake();

  // The delay before attempt `attempts` + 1 (exposed for tests): base *
  // 2^(n-1), capped, with +-50% jitter.
  std::chrono::milliseconds Backoff(int attempts) const;

 private:
  void ClaimLoop();
  void WorkerLoop();
  void Deliver(storage::Database& reader, const storage::OutboxRow& row);
  void Record(const storage::OutboxRow& row,
              const channels::SendOutcome& outcome);
  void Fail(const storage::OutboxRow& row, const std::string& reason);

  storage::Store& store_;
  const core::Clock& clock_;
  Metrics* metrics_;
  std::map<core::Channel, channels::ChannelSender*> senders_;
  std::vector<std::string> channel_names_;
  SenderOptions options_;
  std::map<core::Channel, std::unique_ptr<RateLimiter>> limiters_;

  std::mutex mu_;  // guards queue_, in_flight_, wake_, stopping_
  std::condition_variable claim_cv_;
  std::condition_variable work_cv_;
  std::deque<storage::OutboxRow> queue_;
  int in_flight_ = 0;  // claimed rows not yet recorded
  bool wake_ = true;
  bool stopping_ = false;
  std::thread claimer_;
  std::vector<std::thread> workers_;
};

}  // namespace sportello
