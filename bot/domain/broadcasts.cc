#include "bot/domain/broadcasts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bot/core/log.h"
#include "bot/domain/events.h"
#include "storage/codec.h"
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
    m.text = EventText(catalog, lang, "broadcast.event", *event);
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
  b.centre_id = request.centre_id;
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

}  // namespace sportello
