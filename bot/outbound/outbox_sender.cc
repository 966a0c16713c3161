#include "bot/outbound/outbox_sender.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "bot/channels/outbound.h"
#include "bot/core/log.h"
#include "bot/core/utf8.h"
#include "storage/broadcasts.h"
#include "storage/channel_pace.h"
#include "storage/codec.h"
#include "storage/conversations.h"
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

// Reader connections the workers share for their lookups.
constexpr int kWorkerReaders = 4;

// Claiming waits for a lull in acknowledgements, at most kMaxYield.
constexpr auto kIngestQuiet = std::chrono::microseconds(1000);
constexpr auto kMaxYield = std::chrono::milliseconds(50);

// A sent notice joins the person's history like any message out, so the
// counsellor sees what they were told, and its provider id lets receipts
// (WhatsApp delivered/read) find it. Imported contacts who never wrote get
// their conversation here; last_message_at stays unset, so their first
// message is still greeted as a first contact.
core::Status AddNoticeToHistory(storage::Database& db,
                                const storage::OutboxRow& row,
                                std::string_view text,
                                const std::string& provider_message_id,
                                int64_t now_ms) {
  auto conv = storage::GetOrCreateConversation(db, *row.user_id, now_ms);
  if (!conv.ok()) return conv.status();
  storage::NewMessage m;
  m.conversation_id = conv->id;
  m.direction = "out";
  m.author = "broadcast";
  m.kind = row.kind;
  m.text = std::string(text);
  auto id = storage::InsertMessage(db, m, now_ms);
  if (!id.ok()) return id.status();
  return storage::MarkMessageSent(db, *id, row.channel, provider_message_id,
                                  now_ms);
}

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
  if (options_.threads < 1) {
    double calls_per_sec = 0;
    for (const auto& [channel, sender] : senders_) {
      (void)sender;
      auto rate = options_.rate_per_sec.find(channel);
      calls_per_sec +=
          rate != options_.rate_per_sec.end() ? rate->second : 1000.0;
    }
    options_.threads = SenderThreadsFor(calls_per_sec);
  }
  for (const auto& [channel, sender] : senders_) {
    channel_names_.emplace_back(core::ChannelName(channel));
    auto rate = options_.rate_per_sec.find(channel);
    if (rate != options_.rate_per_sec.end()) {
      limiters_[channel] = std::make_unique<RateLimiter>(
          rate->second, RateLimiter::SmoothBurst(rate->second));
      // A tenth faster than the pace, so time it sits idle is made up
      // (the claims keep the average); any window still holds at most
      // burst + 1.1 x rate x W calls: 29 in a second at 25/s, 130 in
      // 100 ms at 1,000/s.
      gates_[channel] = std::make_unique<RateLimiter>(
          rate->second * 1.1, RateLimiter::SmoothBurst(rate->second));
    }
    auto pace = options_.chat_pace.find(channel);
    if (pace != options_.chat_pace.end()) {
      pacers_.emplace(channel,
                      ChatPacer(pace->second.per_sec, pace->second.burst));
    }
  }
  // SQLite has one process per file: its local pace is the whole pace, and
  // the database's would only add writes to every claim.
  if (store_.is_postgres()) {
    std::map<core::Channel, double> rates;
    for (const auto& [channel, limiter] : limiters_)
      rates[channel] = options_.rate_per_sec.at(channel);
    shared_ = std::make_unique<SharedPace>(std::move(rates), &pacers_);
  }
}

OutboxSender::~OutboxSender() { Stop(); }

core::Status OutboxSender::Start() {
  if (senders_.empty()) return core::Status::Ok();  // nothing to deliver to
  const int64_t now = clock_.NowMillis();
  auto requeued = store_.Write([now](storage::Database& db) -> core::Status {
    // Claimed but never handed to the HTTP client: did not leave.
    auto unsent = storage::RequeueUnsentOutbox(db);
    if (!unsent.ok()) return unsent.status();
    // Notices first, so the requeue below leaves them alone.
    auto in_doubt = storage::FailInDoubtBroadcastRows(db, now);
    if (!in_doubt.ok()) return in_doubt.status();
    auto n = storage::RequeueInFlightOutbox(db);
    if (!n.ok()) return n.status();
    if (*unsent > 0) {
      core::LogInfo("sender", std::to_string(*unsent) +
                                  " message(s) were claimed but not sent at "
                                  "the last stop: sending them");
    }
    if (*in_doubt > 0) {
      core::LogWarn("sender", std::to_string(*in_doubt) +
                                  " notice(s) were in flight at the last stop: "
                                  "not sent again, counted in doubt");
    }
    if (*n > 0) {
      core::LogWarn(
          "sender",
          std::to_string(*n) +
              " message(s) were in flight at the last stop: sending again");
    }
    return core::Status::Ok();
  });
  if (!requeued.ok()) return requeued;
  {
    core::MutexLock lock(&readers_mu_);
    while (static_cast<int>(readers_.size()) <
           std::min(kWorkerReaders, options_.threads)) {
      auto reader = store_.OpenReader();
      if (!reader.ok()) return reader.status();
      readers_.push_back(std::move(*reader));
    }
  }
  {
    core::MutexLock lock(&mu_);
    stopping_ = false;
  }
  claimer_ = std::thread([this] { ClaimLoop(); });
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  return core::Status::Ok();
}

void OutboxSender::Stop() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  claim_cv_.SignalAll();
  work_cv_.SignalAll();
  if (claimer_.joinable()) claimer_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
  // Rows claimed but never started go back to pending for the next start.
  std::deque<storage::OutboxRow> left;
  {
    core::MutexLock lock(&mu_);
    left.swap(queue_);
  }
  if (!left.empty()) {
    (void)store_.Write([&](storage::Database& db) -> core::Status {
      for (const auto& row : left) {
        if (auto s = storage::UnclaimOutboxRow(db, row.id, row.next_attempt_at);
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
    core::MutexLock lock(&mu_);
    wake_ = true;
  }
  claim_cv_.Signal();
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
  // Rows claimed and not recorded: the threads' own, plus a few waiting so a
  // thread that finishes finds its next row at once. Few: tokens are taken
  // at the claim, and rows queued behind busy threads would leave in a
  // bunch when the threads come free, past the pace's burst.
  const int threads = options_.threads;
  const int capacity = threads + std::min(threads, 8);
  auto reader = store_.OpenReader();
  if (!reader.ok()) {
    core::LogError("sender",
                   "cannot open a reader: " + reader.status().ToString());
    return;
  }
  for (;;) {
    int free_slots = 0;
    {
      core::MutexLock lock(&mu_);
      if (stopping_) return;
      free_slots = capacity - in_flight_;
      wake_ = false;
    }
    Round round;
    // All workers busy: the one that finishes wakes us.
    round.wait = kIdleWait;
    if (free_slots > 0) {
      // Sending is background work: let a webhook burst go first (the
      // processor does the same; see kIngestQuiet there).
      store_.YieldToUrgent(kIngestQuiet, kMaxYield);
      round = ClaimRound(**reader, free_slots);
    }
    core::MutexLock lock(&mu_);
    if (!round.claimed.empty()) {
      in_flight_ += static_cast<int>(round.claimed.size());
      // One waiting worker per row, not all of them: waking hundreds of
      // threads for a round of ten rows made the lock hand-offs and
      // context switches most of the sender's CPU at 1,000/s.
      for (auto& row : round.claimed) {
        queue_.push_back(std::move(row));
        work_cv_.Signal();
      }
    }
    if (round.again) continue;
    claim_cv_.WaitFor(std::max(round.wait, milliseconds(1)),
                      [&]() REQUIRES(mu_) { return stopping_ || wake_; });
  }
}

OutboxSender::Round OutboxSender::ClaimRound(storage::Database& reader,
                                             int free_slots) {
  Round round;
  round.wait = kIdleWait;
  const int64_t now = clock_.NowMillis();
  const auto steady_now = RateLimiter::Clock::now();
  const bool quiet =
      options_.quiet_hours && options_.quiet_hours->Contains(now);
  if (quiet) {
    round.wait = std::min(
        round.wait, milliseconds(options_.quiet_hours->EndAfter(now) - now));
  }
  // Each channel is searched on its own, for at most the tokens it has, and
  // the finds are interleaved: a paused or spent channel must not fill the
  // batch, and a channel with a long backlog must not take every free
  // thread while another waits. A paced channel is searched once a few
  // tokens have gathered (a fiftieth of a second's worth at most), not for
  // every single one, so claiming costs a round per batch, not per call.
  std::vector<std::vector<storage::OutboxRow>> found;
  for (const auto& [channel, sender] : senders_) {
    (void)sender;
    int limit = free_slots;
    auto limiter = limiters_.find(channel);
    if (limiter != limiters_.end()) {
      const int batch = std::clamp(limiter->second->burst() / 2, 1, free_slots);
      const milliseconds wait =
          limiter->second->TimeToTokens(steady_now, batch);
      if (wait.count() > 0) {
        round.wait = std::min(round.wait, wait);
        continue;
      }
      limit = std::min(limit, limiter->second->Available(steady_now));
    }
    // The search runs on a reader: the write lock is held only to claim
    // and defer.
    auto due = storage::FindDueOutbox(
        reader, now, limit, {std::string(core::ChannelName(channel))}, !quiet);
    if (!due.ok()) {
      core::LogError("sender",
                     "finding due messages failed: " + due.status().ToString());
      continue;
    }
    if (!due->empty()) found.push_back(std::move(*due));
  }
  std::vector<storage::OutboxRow> interleaved;
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (auto& rows : found) {
      if (i >= rows.size()) continue;
      any = true;
      interleaved.push_back(std::move(rows[i]));
    }
    if (!any) break;
  }
  std::vector<storage::OutboxRow>* due = &interleaved;
  std::vector<storage::OutboxRow> to_claim;
  std::vector<std::pair<int64_t, int64_t>> deferred;  // row id, until
  std::vector<core::Channel> spent;  // out of tokens in this round
  for (auto& row : *due) {
    const auto channel = core::ParseChannel(row.channel);
    if (!channel) continue;  // FindDueOutbox returns only ours
    if (std::find(spent.begin(), spent.end(), *channel) != spent.end())
      continue;
    if (row.broadcast_id && row.user_id) {
      const int64_t until = NoticeHeldUntil(reader, *row.user_id, now);
      if (until > now) {
        deferred.emplace_back(row.id, until);
        continue;
      }
    }
    auto pacer = pacers_.find(*channel);
    const bool paced =
        pacer != pacers_.end() &&
        row.kind != core::OutboundKindName(core::OutboundKind::kCallbackAnswer);
    if (paced) {
      const int64_t wait = pacer->second.WaitMs(row.chat_id, now);
      if (wait > 0) {
        deferred.emplace_back(row.id, now + wait);
        continue;
      }
    }
    if (auto limiter = limiters_.find(*channel); limiter != limiters_.end()) {
      const milliseconds wait = limiter->second->TryAcquire(steady_now);
      if (wait.count() > 0) {
        spent.push_back(*channel);
        round.wait = std::min(round.wait, wait);
        continue;
      }
    }
    if (paced) pacer->second.Take(row.chat_id, now);
    to_claim.push_back(std::move(row));
  }
  if (!to_claim.empty() || !deferred.empty()) {
    SharedPace::Admission admission;  // shared_ only
    // Not flushed: a claim lost to a power cut only leaves the row pending,
    // and nothing leaves before the flushed hand-over (HandOver).
    auto s = store_.Write(
        [&](storage::Database& db) -> core::Status {
          round.claimed.clear();
          for (const auto& [id, until] : deferred) {
            auto ok = storage::DeferOutboxRow(db, id, until);
            if (!ok.ok()) return ok.status();
          }
          std::vector<bool> claimed(to_claim.size(), false);
          if (shared_) {
            auto admitted = shared_->Admit(db, to_claim, now);
            if (!admitted.ok()) return admitted.status();
            admission = std::move(*admitted);
            for (const auto& [id, until] : admission.deferred) {
              auto ok = storage::DeferOutboxRow(db, id, until);
              if (!ok.ok()) return ok.status();
            }
          }
          for (size_t i = 0; i < to_claim.size(); ++i) {
            if (shared_ && !admission.go[i]) continue;
            const auto& row = to_claim[i];
            auto ok = storage::ClaimOutboxRow(db, row.id);
            if (!ok.ok()) return ok.status();
            if (!*ok)
              continue;  // taken by another process sharing the database
            claimed[i] = true;
            round.claimed.push_back(row);
            round.claimed.back().state = "sending";
            ++round.claimed.back().attempts;
          }
          if (shared_) return shared_->Settle(db, to_claim, claimed, now);
          return core::Status::Ok();
        },
        storage::Store::Priority::kNormal,
        storage::Store::Durability::kDeferred);
    if (!s.ok()) {
      round.claimed.clear();
      core::LogError("sender", "claiming due messages failed: " + s.ToString());
      return round;
    }
    round.again = true;
    if (shared_) {
      // Another process's 429: rows this one claimed already go back too
      // (Deliver checks the local pause).
      for (const auto& [channel, pause] : admission.paused)
        limiters_.at(channel)->PauseFor(steady_now, pause);
      // Out of shared tokens with nothing done: sleep until the next one
      // rather than spin on the bucket.
      if (admission.wait.count() > 0 && round.claimed.empty() &&
          deferred.empty() && admission.deferred.empty()) {
        round.again = false;
        round.wait = std::min(round.wait, admission.wait);
      }
    }
    return round;
  }
  if (!spent.empty() || free_slots <= static_cast<int>(interleaved.size()))
    return round;  // the next token, or a free thread, ends the wait
  auto next = storage::NextOutboxDue(reader, !quiet);
  if (next.ok() && *next && **next > now) {
    round.wait = std::min(round.wait, milliseconds(**next - now));
  }
  // A row already due but not claimable waits for its chat's row in
  // flight: the worker that finishes it wakes us, so no polling.
  return round;
}

int64_t OutboxSender::NoticeHeldUntil(storage::Database& reader,
                                      int64_t user_id, int64_t now_ms) const {
  auto conv = storage::FindConversationByUser(reader, user_id);
  if (!conv.ok() || !conv->has_value()) return 0;
  const storage::Conversation& c = **conv;
  // A counsellor's conversation is not interrupted by the bot's questions:
  // the notice goes.
  if (c.mode != storage::ConversationMode::kBot || c.flow.empty() ||
      !c.last_message_at) {
    return 0;
  }
  const int64_t until = *c.last_message_at + options_.notice_idle.count();
  return until > now_ms ? until : 0;
}

class OutboxSender::ReaderLease {
 public:
  explicit ReaderLease(OutboxSender& sender) : sender_(sender) {
    core::MutexLock lock(&sender_.readers_mu_);
    sender_.readers_cv_.Wait([&]() REQUIRES(sender_.readers_mu_) {
      return !sender_.readers_.empty();
    });
    db_ = std::move(sender_.readers_.back());
    sender_.readers_.pop_back();
  }
  ~ReaderLease() {
    {
      core::MutexLock lock(&sender_.readers_mu_);
      sender_.readers_.push_back(std::move(db_));
    }
    sender_.readers_cv_.Signal();
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  storage::Database& db() { return *db_; }

 private:
  OutboxSender& sender_;
  std::unique_ptr<storage::Database> db_;
};

void OutboxSender::WorkerLoop() {
  for (;;) {
    storage::OutboxRow row;
    {
      core::MutexLock lock(&mu_);
      work_cv_.Wait([&]()
                        REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      row = std::move(queue_.front());
      queue_.pop_front();
    }
    Deliver(row);
    {
      core::MutexLock lock(&mu_);
      --in_flight_;
      wake_ = true;
    }
    claim_cv_.Signal();
  }
}

void OutboxSender::Deliver(const storage::OutboxRow& row) {
  auto msg = DecodeOutbound(row.payload);
  if (!msg.ok()) return Fail(row, msg.status().message());
  auto sender = senders_.find(msg->channel);
  if (sender == senders_.end()) return Fail(row, "no sender for this channel");
  // Before any template conversion: the history shows what the notice said.
  std::string notice_text;
  if (row.broadcast_id) {
    notice_text = msg->text;
    if (notice_text.empty() && !msg->template_params.empty())
      notice_text = msg->template_params.front();
  }

  // A button press is answered by the bot it was pressed in (a centre's
  // own, maybe), whatever the person's state.
  if (row.user_id && msg->kind == core::OutboundKind::kCallbackAnswer &&
      msg->channel == core::Channel::kTelegram) {
    ReaderLease reader(*this);
    auto user = storage::FindUserById(reader.db(), *row.user_id);
    if (user.ok() && user->has_value()) msg->account = (*user)->account;
  }
  if (row.user_id && msg->kind != core::OutboundKind::kCallbackAnswer) {
    core::Result<std::optional<storage::User>> user{
        std::optional<storage::User>()};
    {
      ReaderLease reader(*this);
      user = storage::FindUserById(reader.db(), *row.user_id);
    }
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
      // From the number or bot the person last wrote to (a centre's own).
      if (msg->channel == core::Channel::kWhatsApp ||
          msg->channel == core::Channel::kTelegram)
        msg->account = u.account;
    }
  }

  // Every row is fitted to its channel here, whoever wrote it: replies come
  // fitted already (a no-op), while notices, reminders, handoff messages and
  // broadcasts are written by code that knows no channel's limits. A row
  // that does not fit one call goes as several, in order; nothing to call
  // (a callback answer on WhatsApp) is left to the channel's sender.
  std::vector<core::OutboundMessage> calls = channels::FitToChannel(*msg);
  if (calls.empty()) calls.push_back(*msg);

  // Tokens were taken at the claim; only a pause that began since (a 429
  // on another row) holds this one back: it goes back, not attempted.
  if (auto limiter = limiters_.find(msg->channel); limiter != limiters_.end()) {
    const milliseconds pause =
        limiter->second->PauseLeft(RateLimiter::Clock::now());
    if (pause.count() > 0) {
      (void)store_.Write([&](storage::Database& db) {
        return storage::UnclaimOutboxRow(db, row.id,
                                         clock_.NowMillis() + pause.count());
      });
      return;
    }
  }
  // From this commit on a crash leaves the row in doubt: it is flushed
  // before the call starts, so "in doubt" is never more than the calls in
  // flight.
  if (auto s = HandOver(row.id); !s.ok()) {
    core::LogError(
        "sender",
        "outbox " + std::to_string(row.id) +
            ": not sent, the hand-over was not recorded: " + s.ToString());
    (void)store_.Write([&](storage::Database& db) {
      return storage::UnclaimOutboxRow(db, row.id, clock_.NowMillis() + 1000);
    });
    return;
  }
  // Rows were claimed at the pace, but a group commit releases its threads
  // together: the gate spreads their calls out again at about the rate, so
  // the calls themselves, not only the claims, keep the pace's bounds. It
  // never holds a call longer than such a bunch takes at the rate.
  // The parts of a row that did not fit one call pass the gate each; the
  // first that fails decides the row's outcome (a retry sends them all
  // again: at-least-once, as for any reply).
  channels::SendOutcome outcome;
  for (const core::OutboundMessage& call : calls) {
    if (auto gate = gates_.find(msg->channel); gate != gates_.end()) {
      for (;;) {
        const milliseconds wait =
            gate->second->TryAcquire(RateLimiter::Clock::now());
        if (wait.count() == 0) break;
        std::this_thread::sleep_for(wait);
      }
    }
    outcome = sender->second->Send(call);
    if (outcome.kind != channels::SendOutcome::Kind::kOk) break;
  }
  Record(row, outcome, notice_text);
}

core::Status OutboxSender::HandOver(int64_t id) {
  const int64_t now = clock_.NowMillis();
  return hand_overs_.Run([&](storage::Database& db) {
    return storage::MarkOutboxHandedOver(db, id, now);
  });
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
    text = text.substr(0, core::utf8::PrefixWithinBytes(text, kMaxParamBytes)) +
           "…";
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
                          const channels::SendOutcome& outcome,
                          std::string_view notice_text) {
  using Kind = channels::SendOutcome::Kind;
  const int64_t now = clock_.NowMillis();
  std::string result;
  auto s = outcomes_.Run([&](storage::Database& db) -> core::Status {
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
        if (row.broadcast_id && row.user_id)
          return AddNoticeToHistory(db, row, notice_text,
                                    outcome.provider_message_id, now);
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
        if (auto s2 =
                storage::MarkOutboxRetry(db, row.id, now + wait_ms, error);
            !s2.ok()) {
          return s2;
        }
        // The platform counts every process's calls: all of them wait.
        if (const auto channel = core::ParseChannel(row.channel);
            shared_ && !outcome.recipient_only && channel &&
            limiters_.count(*channel)) {
          return storage::PauseChannel(db, row.channel, now + wait_ms);
        }
        return core::Status::Ok();
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
