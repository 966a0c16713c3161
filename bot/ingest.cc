#include "bot/ingest.h"

#include <string>

#include "bot/codec.h"
#include "bot/core/log.h"
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

// The inbox row for an update; false for updates that are not stored.
bool ToInboxItem(const core::Update& u, storage::NewInboxItem* item) {
  if (const auto* m = std::get_if<core::InboundMessage>(&u)) {
    *item = {std::string(core::ChannelName(m->channel)),
             m->dedupe_key,
             "message",
             m->chat_id,
             EncodeInbound(*m),
             m->raw,
             false,
             ""};
    return true;
  }
  if (const auto* s = std::get_if<core::StatusUpdate>(&u)) {
    *item = {std::string(core::ChannelName(s->channel)),
             s->dedupe_key,
             "status",
             s->recipient,
             EncodeStatusUpdate(*s),
             s->raw,
             false,
             ""};
    return true;
  }
  if (const auto* b = std::get_if<core::MembershipChange>(&u)) {
    *item = {std::string(core::ChannelName(b->channel)),
             b->dedupe_key,
             "membership",
             b->chat_id,
             EncodeMembership(*b),
             b->raw,
             false,
             ""};
    return true;
  }
  if (const auto* d = std::get_if<core::DeadLetter>(&u)) {
    *item = {std::string(core::ChannelName(d->channel)),
             DeadKey(*d),
             "dead_letter",
             "",
             "{}",
             d->raw,
             true,
             d->reason};
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
  writer_ = std::thread([this] { WriterLoop(); });
}

Ingest::~Ingest() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

core::Result<IngestOutcome> Ingest::Submit(std::vector<core::Update> updates) {
  Request request{std::move(updates), {}};
  auto future = request.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return core::Status::Unavailable("ingest: shutting down");
    queue_.push_back(&request);
  }
  cv_.notify_one();
  return future.get();
}

void Ingest::WriterLoop() {
  std::vector<Request*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      size_t n = 0;
      while (!queue_.empty() &&
             (batch.empty() ||
              n + queue_.front()->updates.size() <= kMaxBatchUpdates)) {
        n += queue_.front()->updates.size();
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void Ingest::CommitBatch(std::vector<Request*>& batch) {
  std::vector<IngestOutcome> outcomes(batch.size());
  std::vector<StoredUpdate> stored;
  const int64_t now = clock_.NowMillis();
  auto status = store_.Write(
      [&](storage::Database& db) -> core::Status {
        stored.clear();
        for (size_t r = 0; r < batch.size(); ++r) {
          IngestOutcome& out = outcomes[r];
          out = IngestOutcome{};
          for (const auto& u : batch[r]->updates) {
            storage::NewInboxItem item;
            if (!ToInboxItem(u, &item)) {
              ++out.ignored;
              continue;
            }
            auto id = storage::InsertInbox(db, item, now);
            if (!id.ok()) return id.status();
            if (!id->has_value()) {
              ++out.duplicates;
            } else if (item.done) {
              ++out.dead_letters;
            } else {
              StoredUpdate s{**id,
                             storage::ShardFor(item.channel, item.chat_id)};
              out.stored.push_back(s);
              stored.push_back(s);
            }
          }
        }
        return core::Status::Ok();
      },
      storage::Store::Priority::kUrgent);
  if (!status.ok()) {
    core::LogError("ingest", "commit failed, deliveries answered 503: " +
                                 status.ToString());
    for (Request* r : batch)
      r->done.set_value(core::Status::Unavailable(status.message()));
    return;
  }
  if (metrics_) {
    for (size_t r = 0; r < batch.size(); ++r) {
      for (const auto& u : batch[r]->updates) {
        const std::string channel(core::ChannelName(ChannelOf(u)));
        if (std::holds_alternative<core::Ignored>(u)) {
          metrics_->Inc("sportello_updates_ignored_total",
                        {{"channel", channel}});
        } else if (std::holds_alternative<core::DeadLetter>(u)) {
          metrics_->Inc("sportello_dead_letters_total", {{"channel", channel}});
        }
      }
      // Received/duplicate are per request outcome; channel of the first
      // update.
      if (!batch[r]->updates.empty()) {
        const std::string channel(
            core::ChannelName(ChannelOf(batch[r]->updates.front())));
        if (!outcomes[r].stored.empty()) {
          metrics_->Inc("sportello_updates_received_total",
                        {{"channel", channel}},
                        static_cast<int64_t>(outcomes[r].stored.size()));
        }
        if (outcomes[r].duplicates) {
          metrics_->Inc("sportello_updates_duplicate_total",
                        {{"channel", channel}}, outcomes[r].duplicates);
        }
      }
    }
  }
  if (on_stored_ && !stored.empty()) on_stored_(stored);
  for (size_t r = 0; r < batch.size(); ++r)
    batch[r]->done.set_value(std::move(outcomes[r]));
}

}  // namespace sportello
