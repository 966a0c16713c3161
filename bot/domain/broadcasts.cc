#include "bot/domain/broadcasts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "storage/codec.h"
#include "bot/core/log.h"
#include "bot/flows/events.h"
#include "storage/events.h"

namespace sportello {
namespace {

// The outbound message in `lang`; channel and chat_id are the recipient's,
// filled in by the fan-out.
std::string Payload(const Catalog& catalog, std::string_view lang,
                    const BroadcastRequest& request,
                    const std::optional<storage::Event>& event) {
  core::OutboundMessage m;
  m.kind = core::OutboundKind::kText;
  if (event) {
    m.text = flows::EventText(catalog, lang, "broadcast.event", *event);
    m.buttons = {
        {"events:join:" + std::to_string(event->id),
         catalog.Text(lang, "broadcast.join")},
        {std::string(kNoticeDismissButton),
         catalog.Text(lang, "broadcast.dismiss")},
    };
  } else {
    m.text = request.text;
  }
  return EncodeOutbound(m);
}

}  // namespace

core::Result<int64_t> CreateBroadcast(storage::Database& db,
                                      const Catalog& catalog,
                                      const BroadcastRequest& request,
                                      int64_t now_ms,
                                      const VacancyVocabulary* places) {
  if (request.text.empty() == !request.event_id) {
    return core::Status::InvalidArgument(
        "broadcasts: give either a text or an event");
  }
  std::optional<storage::Event> event;
  if (request.event_id) {
    auto found = storage::FindEvent(db, *request.event_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return core::Status::NotFound("broadcasts: no event " +
                                    std::to_string(*request.event_id));
    }
    event = std::move(**found);
  }
  storage::NewBroadcast b;
  b.event_id = request.event_id;
  b.payload_it = Payload(catalog, "it", request, event);
  b.payload_en = Payload(catalog, "en", request, event);
  if (const auto& t = request.whatsapp_template) {
    if (t->name.empty())
      return core::Status::InvalidArgument("broadcasts: template name missing");
    nlohmann::json j = {{"name", t->name},
                        {"language", t->language.empty() ? "it" : t->language},
                        {"params", t->params}};
    b.whatsapp_template =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  b.audience = request.audience;
  for (const auto& province : request.provinces) {
    const auto comuni =
        places ? places->ComuniOf(province) : std::vector<std::string>();
    if (comuni.empty()) {
      return core::Status::InvalidArgument("broadcasts: unknown province '" +
                                           province + "'");
    }
    b.audience.comuni.insert(b.audience.comuni.end(), comuni.begin(),
                             comuni.end());
  }
  b.send_at = request.send_at.value_or(now_ms);
  b.created_by = request.created_by;
  return storage::CreateBroadcast(db, b, now_ms);
}

core::Result<int64_t> RunDueBroadcasts(storage::Store& store, int64_t now_ms) {
  int64_t enqueued = 0;
  auto s = store.Write([&](storage::Database& db) -> core::Status {
    auto n = storage::FanOutDueBroadcasts(db, now_ms);
    if (!n.ok()) return n.status();
    enqueued = *n;
    auto finished = storage::FinishBroadcasts(db, now_ms);
    return finished.status();
  });
  if (!s.ok()) return s;
  return enqueued;
}

BroadcastScheduler::BroadcastScheduler(storage::Store& store,
                                       const core::Clock& clock,
                                       std::function<void()> on_enqueued,
                                       std::chrono::milliseconds max_wait)
    : store_(store),
      clock_(clock),
      on_enqueued_(std::move(on_enqueued)),
      max_wait_(max_wait) {}

BroadcastScheduler::~BroadcastScheduler() { Stop(); }

core::Status BroadcastScheduler::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);
  {
    core::MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return core::Status::Ok();
}

void BroadcastScheduler::Stop() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void BroadcastScheduler::Loop() {
  for (;;) {
    const int64_t now = clock_.NowMillis();
    auto work = storage::HasBroadcastWork(*reader_, now);
    core::Result<int64_t> n = int64_t{0};
    if (!work.ok()) {
      n = work.status();
    } else if (*work) {
      n = RunDueBroadcasts(store_, now);
    }
    if (!n.ok()) {
      core::LogError("broadcasts", "fan-out failed: " + n.status().ToString());
    } else if (*n > 0) {
      core::LogInfo("broadcasts", std::to_string(*n) + " notice(s) enqueued");
      if (on_enqueued_) on_enqueued_();
    }
    std::chrono::milliseconds wait = max_wait_;
    if (!n.ok()) {
      // Retried after max_wait_, not in a tight loop.
    } else if (auto next = storage::NextBroadcastDue(*reader_);
               next.ok() && *next) {
      const int64_t until = **next - clock_.NowMillis();
      wait = std::clamp(std::chrono::milliseconds(until),
                        std::chrono::milliseconds(0), max_wait_);
    }
    core::MutexLock lock(&mu_);
    if (cv_.WaitFor(wait, [&]() REQUIRES(mu_) { return stopping_; })) return;
  }
}

}  // namespace sportello
