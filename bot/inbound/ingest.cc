#include "bot/inbound/ingest.h"

#include <map>
#include <optional>
#include <string>

#include "bot/core/log.h"
#include "storage/codec.h"
#include "storage/inbox.h"

namespace sportello {
namespace {

// Enough to amortise one fsync over many requests, small enough that one
// transaction never holds the write lock for long.
constexpr size_t kMaxBatchUpdates = 1024;

std::string DeadKey(const core::DeadLetter& d) {
  if (!d.dedupe_key.empty()) return "dead:" + d.dedupe_key;
  uint64_t h =
      1469598103934665603ULL;  // FNV-1a of the body: the same junk is kept once
  for (unsigned char c : d.raw) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return "dead:h" + std::to_string(h);
}

// The inbox row for an update; false for updates that are not stored. Moves
// the raw body out (the encoders don't read it): afterwards only the update's
// alternative and channel are used.
bool ToInboxItem(core::Update& u, storage::NewInboxItem* item) {
  if (auto* m = std::get_if<core::InboundMessage>(&u)) {
    *item = {std::string(core::ChannelName(m->channel)),
             m->dedupe_key,
             "message",
             m->chat_id,
             EncodeInbound(*m),
             std::move(m->raw),
             false,
             ""};
    return true;
  }
  if (auto* s = std::get_if<core::StatusUpdate>(&u)) {
    *item = {std::string(core::ChannelName(s->channel)),
             s->dedupe_key,
             "status",
             s->recipient,
             EncodeStatusUpdate(*s),
             std::move(s->raw),
             false,
             ""};
    return true;
  }
  if (auto* b = std::get_if<core::MembershipChange>(&u)) {
    *item = {std::string(core::ChannelName(b->channel)),
             b->dedupe_key,
             "membership",
             b->chat_id,
             EncodeMembership(*b),
             std::move(b->raw),
             false,
             ""};
    return true;
  }
  if (auto* d = std::get_if<core::DeadLetter>(&u)) {
    *item = {std::string(core::ChannelName(d->channel)),
             DeadKey(*d),
             "dead_letter",
             "",
             "{}",
             std::move(d->raw),
             true,
             std::move(d->reason)};
    return true;
  }
  return false;
}

core::Channel ChannelOf(const core::Update& u) {
  return std::visit([](const auto& v) { return v.channel; }, u);
}

}  // namespace

Ingest::Ingest(storage::Store& store, const core::Clock& clock,
               Metrics* metrics,
               std::function<void(const std::vector<StoredUpdate>&)> on_stored)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      on_stored_(std::move(on_stored)) {
  for (int i = 0; i < store_.UrgentWriters(); ++i)
    writers_.emplace_back([this] { WriterLoop(); });
}

Ingest::~Ingest() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  for (auto& w : writers_) w.join();
}

Ingest::Request::Request(std::vector<core::Update> u, Done d)
    : updates(std::move(u)), done(std::move(d)) {
  // Encoded here, on the request's own thread, so the writer threads only
  // insert (and hold the write lock for less).
  items.reserve(updates.size());
  for (auto& update : updates) {
    storage::NewInboxItem item;
    if (!ToInboxItem(update, &item)) {
      ++ignored;
      continue;
    }
    const int shard = storage::ShardFor(item.channel, item.chat_id);
    items.push_back({std::move(item), shard});
  }
}

void Ingest::SubmitAsync(std::vector<core::Update> updates, Done done) {
  auto request = std::make_unique<Request>(std::move(updates), std::move(done));
  mu_.Lock();
  if (stopping_) {
    mu_.Unlock();
    request->done(core::Status::Unavailable("ingest: shutting down"));
    return;
  }
  queue_.push_back(std::move(request));
  // Only an idle writer needs waking; a busy one looks at the queue again
  // before it sleeps.
  if (idle_writers_ > 0) cv_.Signal();
  mu_.Unlock();
}

core::Result<IngestOutcome> Ingest::Submit(std::vector<core::Update> updates) {
  core::Mutex mu;
  core::CondVar cv(&mu);
  std::optional<core::Result<IngestOutcome>> result;
  SubmitAsync(std::move(updates), [&](core::Result<IngestOutcome> r) {
    core::MutexLock lock(&mu);
    result = std::move(r);
    cv.Signal();
  });
  core::MutexLock lock(&mu);
  cv.Wait([&] { return result.has_value(); });
  return std::move(*result);
}

void Ingest::WriterLoop() {
  std::vector<std::unique_ptr<Request>> batch;
  std::vector<Request*> view;
  mu_.Lock();
  for (;;) {
    ++idle_writers_;
    cv_.Wait([this]() REQUIRES(mu_) {
      return stopping_ || (!queue_.empty() && !filling_);
    });
    --idle_writers_;
    if (queue_.empty()) {  // stopping, nothing left
      mu_.Unlock();
      return;
    }
    filling_ = true;
    size_t n = 0;
    while (!queue_.empty() &&
           (batch.empty() ||
            n + queue_.front()->updates.size() <= kMaxBatchUpdates)) {
      n += queue_.front()->updates.size();
      view.push_back(queue_.front().get());
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const uint64_t ticket = next_ticket_++;
    mu_.Unlock();
    CommitBatch(view, ticket);
    for (auto& r : batch) r->done(std::move(r->result));
    batch.clear();
    view.clear();
    mu_.Lock();
  }
}

void Ingest::BatchSent() {
  {
    core::MutexLock lock(&mu_);
    filling_ = false;
    if (idle_writers_ == 0) return;  // a busy writer looks before it sleeps
  }
  cv_.SignalAll();
}

void Ingest::AwaitTurn(uint64_t ticket) {
  core::MutexLock lock(&turn_mu_);
  turn_cv_.Wait([&]() REQUIRES(turn_mu_) { return turn_ == ticket; });
}

void Ingest::PassTurn(uint64_t ticket) {
  {
    core::MutexLock lock(&turn_mu_);
    turn_ = ticket + 1;
  }
  turn_cv_.SignalAll();
}

void Ingest::CountBatch(const std::vector<Request*>& batch,
                        const std::vector<IngestOutcome>& outcomes) {
  // Summed per channel first: the registry takes a lock and builds a label
  // map per call, too much to pay per request at tens of thousands a second.
  struct Counts {
    int64_t ignored = 0, dead = 0, received = 0, duplicate = 0;
  };
  std::map<core::Channel, Counts> by_channel;
  for (size_t r = 0; r < batch.size(); ++r) {
    for (const auto& u : batch[r]->updates) {
      if (std::holds_alternative<core::Ignored>(u)) {
        ++by_channel[ChannelOf(u)].ignored;
      } else if (std::holds_alternative<core::DeadLetter>(u)) {
        ++by_channel[ChannelOf(u)].dead;
      }
    }
    // Received/duplicate are per request outcome; channel of the first update.
    if (batch[r]->updates.empty()) continue;
    Counts& c = by_channel[ChannelOf(batch[r]->updates.front())];
    c.received += static_cast<int64_t>(outcomes[r].stored.size());
    c.duplicate += outcomes[r].duplicates;
  }
  for (const auto& [ch, c] : by_channel) {
    const Metrics::Labels labels{
        {"channel", std::string(core::ChannelName(ch))}};
    if (c.ignored)
      metrics_->Inc("sportello_updates_ignored_total", labels, c.ignored);
    if (c.dead) metrics_->Inc("sportello_dead_letters_total", labels, c.dead);
    if (c.received)
      metrics_->Inc("sportello_updates_received_total", labels, c.received);
    if (c.duplicate)
      metrics_->Inc("sportello_updates_duplicate_total", labels, c.duplicate);
  }
}

void Ingest::CommitBatch(const std::vector<Request*>& batch, uint64_t ticket) {
  std::vector<IngestOutcome> outcomes(batch.size());
  std::vector<StoredUpdate> stored;
  const int64_t now = clock_.NowMillis();
  std::vector<const storage::NewInboxItem*> items;
  for (const Request* r : batch) {
    for (const auto& [item, shard] : r->items) items.push_back(&item);
  }
  // Batches in flight together take their chats' locks in the order they
  // left the queue, so that a chat's updates queued in two batches are
  // numbered in that order: the later batch waits for the earlier one's
  // locks, then (if they share a chat) for its commit. Only the locking goes
  // one batch at a time; inserting and committing run side by side.
  bool passed = false, sent = false;
  auto status = store_.Write(
      [&](storage::Database& db) -> core::Status {
        stored.clear();
        if (!passed) {
          AwaitTurn(ticket);
          const core::Status locked = storage::LockInboxChats(db, items);
          PassTurn(ticket);
          passed = true;
          if (!locked.ok()) return locked;
        }
        auto ids = storage::InsertInboxBatch(db, items, now);
        // While this commit waits for the disk, the next batch fills and
        // goes (on PostgreSQL, where writers are several).
        if (!sent) {
          sent = true;
          BatchSent();
        }
        if (!ids.ok()) return ids.status();
        size_t i = 0;
        for (size_t r = 0; r < batch.size(); ++r) {
          IngestOutcome& out = outcomes[r];
          out = IngestOutcome{};
          out.ignored = batch[r]->ignored;
          for (const auto& [item, shard] : batch[r]->items) {
            const std::optional<int64_t>& id = (*ids)[i++];
            if (!id) {
              ++out.duplicates;
            } else if (item.done) {
              ++out.dead_letters;
            } else {
              out.stored.push_back({*id, shard});
              stored.push_back({*id, shard});
            }
          }
        }
        return core::Status::Ok();
      },
      storage::Store::Priority::kUrgent);
  if (!passed) {  // the transaction failed to begin: still pass the turn on
    AwaitTurn(ticket);
    PassTurn(ticket);
  }
  if (!sent) BatchSent();
  if (!status.ok()) {
    core::LogError("ingest", "commit failed, deliveries answered 503: " +
                                 status.ToString());
    for (Request* r : batch)
      r->result = core::Status::Unavailable(status.message());
    return;
  }
  if (metrics_) CountBatch(batch, outcomes);
  if (on_stored_ && !stored.empty()) on_stored_(stored);
  for (size_t r = 0; r < batch.size(); ++r)
    batch[r]->result = std::move(outcomes[r]);
}

}  // namespace sportello
