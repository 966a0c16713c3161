#include "bot/outbox_sender.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "bot/codec.h"
#include "bot/core/log.h"
#include "storage/broadcasts.h"
#include "storage/messages.h"
#include "storage/users.h"

namespace sportello {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kWhatsAppWindowMs = 24LL * 3600 * 1000;
// How long the claimer sleeps at most when nothing is due: a safety net, since
// Wake() is the normal path and due times are known.
constexpr milliseconds kIdleWait{1000};

std::string ChannelLabel(const storage::OutboxRow& row) { return row.channel; }

// Claiming waits for a lull in acknowledgements, at most kMaxYield.
constexpr auto kIngestQuiet = std::chrono::microseconds(1000);
constexpr auto kMaxYield = std::chrono::milliseconds(50);

}  // namespace

OutboxSender::OutboxSender(
    storage::Store& store, const core::Clock& clock, Metrics* metrics,
    std::map<core::Channel, channels::ChannelSender*> senders,
    SenderOptions options)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      senders_(std::move(senders)),
      options_(std::move(options)) {
  for (const auto& [channel, sender] : senders_) {
    channel_names_.emplace_back(core::ChannelName(channel));
    auto rate = options_.rate_per_sec.find(channel);
    if (rate != options_.rate_per_sec.end()) {
      limiters_[channel] =
          std::make_unique<RateLimiter>(rate->second, rate->second);
    }
  }
}

OutboxSender::~OutboxSender() { Stop(); }

core::Status OutboxSender::Start() {
  if (senders_.empty()) return core::Status::Ok();  // nothing to deliver to
  auto requeued = store_.Write([](storage::Database& db) {
    auto n = storage::RequeueInFlightOutbox(db);
    if (n.ok() && *n > 0) {
      core::LogWarn(
          "sender",
          std::to_string(*n) +
              " message(s) were in flight at the last stop: sending again");
    }
    return n.status();
  });
  if (!requeued.ok()) return requeued;
  stopping_ = false;
  claimer_ = std::thread([this] { ClaimLoop(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  return core::Status::Ok();
}

void OutboxSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
  // Rows claimed but never started go back to pending for the next start.
  std::deque<storage::OutboxRow> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
  }
  if (!left.empty()) {
    (void)store_.Write([&](storage::Database& db) -> core::Status {
      for (const auto& row : left) {
        if (auto s = storage::MarkOutboxRetry(db, row.id, row.next_attempt_at,
                                              "stopped");
            !s.ok()) {
          return s;
        }
      }
      return core::Status::Ok();
    });
  }
}

void OutboxSender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  claim_cv_.notify_one();
}

milliseconds OutboxSender::Backoff(int attempts) const {
  const int exp = std::clamp(attempts - 1, 0, 30);
  const double base =
      static_cast<double>(options_.backoff_base.count()) * std::pow(2.0, exp);
  const double capped =
      std::min(base, static_cast<double>(options_.backoff_cap.count()));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return milliseconds(static_cast<int64_t>(capped * jitter(rng)));
}

void OutboxSender::ClaimLoop() {
  const int capacity = std::max(1, options_.threads) * 2;
  auto reader = store_.OpenReader();
  if (!reader.ok()) {
    core::LogError("sender",
                   "cannot open a reader: " + reader.status().ToString());
    return;
  }
  for (;;) {
    int free_slots = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
      free_slots = capacity - in_flight_;
      wake_ = false;
    }
    std::vector<storage::OutboxRow> claimed;
    std::optional<int64_t> next_due;
    if (free_slots > 0) {
      // Sending is background work: let a webhook burst go first (the
      // processor does the same; see kIngestQuiet there).
      store_.YieldToUrgent(kIngestQuiet, kMaxYield);
      // The search runs on a reader: the write lock is held only to claim.
      const int64_t now = clock_.NowMillis();
      auto due =
          storage::FindDueOutbox(**reader, now, free_slots, channel_names_);
      if (!due.ok()) {
        core::LogError("sender", "finding due messages failed: " +
                                     due.status().ToString());
      } else if (!due->empty()) {
        auto s = store_.Write([&](storage::Database& db) -> core::Status {
          claimed.clear();
          for (auto& row : *due) {
            auto ok = storage::ClaimOutboxRow(db, row.id);
            if (!ok.ok()) return ok.status();
            if (!*ok)
              continue;  // taken by another process sharing the database
            row.state = "sending";
            ++row.attempts;
            claimed.push_back(row);
          }
          return core::Status::Ok();
        });
        if (!s.ok()) {
          claimed.clear();
          core::LogError("sender",
                         "claiming due messages failed: " + s.ToString());
        }
      }
      if (claimed.empty()) {
        auto next = storage::NextOutboxDue(**reader);
        if (next.ok()) next_due = *next;
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!claimed.empty()) {
      in_flight_ += static_cast<int>(claimed.size());
      for (auto& row : claimed) queue_.push_back(std::move(row));
      work_cv_.notify_all();
      continue;  // there may be more
    }
    milliseconds wait = kIdleWait;
    // A row already due but not claimable waits for its chat's row in
    // flight: the worker that finishes it wakes us, so no polling.
    if (next_due && *next_due > clock_.NowMillis()) {
      wait = std::min(milliseconds(*next_due - clock_.NowMillis()), kIdleWait);
    }
    claim_cv_.wait_for(lock, wait, [&] { return stopping_ || wake_; });
  }
}

void OutboxSender::WorkerLoop() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) {
    core::LogError("sender",
                   "cannot open a reader: " + reader.status().ToString());
    return;
  }
  for (;;) {
    storage::OutboxRow row;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      row = std::move(queue_.front());
      queue_.pop_front();
    }
    Deliver(**reader, row);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      wake_ = true;
    }
    claim_cv_.notify_one();
  }
}

void OutboxSender::Deliver(storage::Database& reader,
                           const storage::OutboxRow& row) {
  auto msg = DecodeOutbound(row.payload);
  if (!msg.ok()) return Fail(row, msg.status().message());
  auto sender = senders_.find(msg->channel);
  if (sender == senders_.end()) return Fail(row, "no sender for this channel");

  if (row.user_id && msg->kind != core::OutboundKind::kCallbackAnswer) {
    auto user = storage::FindUserById(reader, *row.user_id);
    if (user.ok() && user->has_value()) {
      const storage::User& u = **user;
      // Checked at send time, not only at fan-out: an opt-out (or a block)
      // that arrives while a broadcast runs stops the rest of it.
      if (row.broadcast_id) {
        if (!u.notify) return Fail(row, std::string(storage::kSkippedOptedOut));
        if (u.blocked || u.unreachable)
          return Fail(row, std::string(storage::kSkippedUnreachable));
      }
      if (u.blocked) return Fail(row, "the person blocked the bot");
      if (u.unreachable)
        return Fail(row, "the person cannot be reached on this channel");
      if (msg->channel == core::Channel::kWhatsApp &&
          msg->kind != core::OutboundKind::kTemplate &&
          u.last_inbound_at.value_or(0) <
              clock_.NowMillis() - kWhatsAppWindowMs) {
        // A message carrying its own approved template (a broadcast's)
        // goes as that; any other as the generic fallback, if configured.
        if (!msg->template_name.empty()) {
          msg->kind = core::OutboundKind::kTemplate;
          msg->buttons.clear();
        } else if (options_.whatsapp_fallback_template.empty()) {
          return Fail(row,
                      "outside WhatsApp's 24 h window: only a template can be "
                      "sent (set WHATSAPP_FALLBACK_TEMPLATE)");
        } else {
          *msg = AsFallbackTemplate(*msg, options_.whatsapp_fallback_template,
                                    u.language.empty() ? "it" : u.language);
        }
      }
    }
  }

  if (auto limiter = limiters_.find(msg->channel); limiter != limiters_.end()) {
    for (;;) {
      const milliseconds wait =
          limiter->second->TryAcquire(RateLimiter::Clock::now());
      if (wait.count() == 0) break;
      std::unique_lock<std::mutex> lock(mu_);
      if (work_cv_.wait_for(lock, wait, [&] { return stopping_; })) {
        // Stopping before the send: not attempted, so not counted.
        lock.unlock();
        (void)store_.Write([&](storage::Database& db) {
          return storage::MarkOutboxRetry(db, row.id, row.next_attempt_at,
                                          "stopped");
        });
        return;
      }
    }
  }
  Record(row, sender->second->Send(*msg));
}

core::OutboundMessage AsFallbackTemplate(const core::OutboundMessage& msg,
                                         const std::string& name,
                                         const std::string& language) {
  // Meta: a body parameter has no newline, tab or run of more than four
  // spaces, and the body stays within 1,024 characters with the template's
  // own words.
  constexpr size_t kMaxParamBytes = 900;
  std::string text;
  for (char c : msg.text) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space) {
      if (!text.empty() && text.back() != ' ') text += ' ';
    } else {
      text += c;
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > kMaxParamBytes) {
    size_t cut = kMaxParamBytes;
    // Never split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
      --cut;
    text = text.substr(0, cut) + "…";
  }
  core::OutboundMessage t;
  t.channel = msg.channel;
  t.chat_id = msg.chat_id;
  t.kind = core::OutboundKind::kTemplate;
  t.template_name = name;
  t.template_language = language;
  t.template_params = {text};
  return t;
}

void OutboxSender::Fail(const storage::OutboxRow& row,
                        const std::string& reason) {
  channels::SendOutcome outcome;
  outcome.kind = channels::SendOutcome::Kind::kPermanent;
  outcome.error = reason;
  Record(row, outcome);
}

void OutboxSender::Record(const storage::OutboxRow& row,
                          const channels::SendOutcome& outcome) {
  using Kind = channels::SendOutcome::Kind;
  const int64_t now = clock_.NowMillis();
  std::string result;
  auto s = store_.Write([&](storage::Database& db) -> core::Status {
    auto fail = [&](const std::string& why) -> core::Status {
      result = "failed";
      if (auto s2 = storage::MarkOutboxFailed(db, row.id, why, now); !s2.ok())
        return s2;
      if (row.message_id)
        return storage::MarkMessageFailed(db, *row.message_id, why, now);
      return core::Status::Ok();
    };
    const std::string error =
        outcome.error_code
            ? std::to_string(outcome.error_code) + " " + outcome.error
            : outcome.error;
    switch (outcome.kind) {
      case Kind::kOk: {
        result = "ok";
        if (auto s2 = storage::MarkOutboxSent(db, row.id,
                                              outcome.provider_message_id, now);
            !s2.ok()) {
          return s2;
        }
        if (row.message_id) {
          return storage::MarkMessageSent(db, *row.message_id, row.channel,
                                          outcome.provider_message_id, now);
        }
        return core::Status::Ok();
      }
      case Kind::kRetry:
        if (row.attempts >= options_.max_attempts)
          return fail("gave up after retries: " + error);
        result = "retried";
        return storage::MarkOutboxRetry(
            db, row.id, now + Backoff(row.attempts).count(), error);
      case Kind::kRateLimited: {
        if (row.attempts >= options_.max_attempts)
          return fail("gave up after retries: " + error);
        result = "retried";
        const int64_t wait_ms = std::max(1, outcome.retry_after_s) * 1000LL;
        return storage::MarkOutboxRetry(db, row.id, now + wait_ms, error);
      }
      case Kind::kUnreachable:
        if (row.user_id) {
          if (auto s2 = storage::SetUserUnreachable(db, *row.user_id, true);
              !s2.ok())
            return s2;
        }
        return fail(error);
      case Kind::kWindowClosed:
        return fail("outside WhatsApp's 24 h window: " + error);
      case Kind::kPermanent:
        return fail(error);
    }
    return core::Status::Internal("sender: unknown outcome");
  });
  if (!s.ok()) {
    // The outcome is lost; the row stays 'sending' and is sent again after a
    // restart (at-least-once).
    core::LogError("sender", "recording outbox " + std::to_string(row.id) +
                                 " failed: " + s.ToString());
    return;
  }
  // A limit on one recipient (WhatsApp 131056, 131049) delays only that row;
  // any other slows the whole channel down.
  if (outcome.kind == Kind::kRateLimited && !outcome.recipient_only) {
    auto channel = core::ParseChannel(row.channel);
    if (channel) {
      if (auto limiter = limiters_.find(*channel); limiter != limiters_.end()) {
        limiter->second->PauseFor(
            RateLimiter::Clock::now(),
            milliseconds(std::max(1, outcome.retry_after_s) * 1000LL));
      }
    }
  }
  if (result != "ok") {
    core::LogWarn("sender", row.channel + " outbox " + std::to_string(row.id) +
                                " " + result + ": " + outcome.error);
  }
  if (metrics_)
    metrics_->Inc("sportello_sends_total",
                  {{"channel", ChannelLabel(row)}, {"result", result}});
}

}  // namespace sportello
