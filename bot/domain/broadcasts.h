// Broadcast notices as staff compose them: a text or an event's notice (with
// "Mi iscrivo" / "Non mi interessa"), an audience, a time, an optional
// WhatsApp template, and the fan-out of those due. The thread that runs it
// is bot/outbound/broadcast_scheduler.h; the storage side (audiences,
// fan-out, counters) is storage/broadcasts.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "storage/broadcasts.h"
#include "storage/database.h"
#include "storage/store.h"

namespace sportello {

// The id of "Non mi interessa" under a notice: the router only acknowledges
// it.
inline constexpr std::string_view kNoticeDismissButton = "notice:dismiss";

struct NoticeTemplate {
  std::string name;      // an approved WhatsApp template
  std::string language;  // e.g. "it"
  std::vector<std::string> params;
};

struct BroadcastRequest {
  std::string text;                 // or
  std::optional<int64_t> event_id;  // an event's notice
  storage::Audience audience;
  // Province codes ("BA"): their comuni join audience.comuni (people in
  // any of these places). Needs CreateBroadcast's `places`.
  std::vector<std::string> provinces;
  std::optional<int64_t> send_at;  // unix ms; nullopt: now
  std::optional<NoticeTemplate> whatsapp_template;
  std::optional<std::string> created_by;  // a staff username
  // The centre sending it; nullopt: the region's.
  std::optional<int64_t> centre_id = storage::kFirstCentre;
};

// Stores the broadcast, status 'scheduled' (fanned out by the scheduler, or
// by FanOutDueBroadcasts). InvalidArgument for neither or both of text and
// event, NotFound for an unknown event, InvalidArgument for a province
// `places` does not know (or no `places`). REQUIRES: inside a write
// transaction.
core::Result<int64_t> CreateBroadcast(
    storage::Database& db, const Catalog& catalog,
    const BroadcastRequest& request, int64_t now_ms,
    const VacancyVocabulary* places = nullptr);

// Fans out what is due and closes finished broadcasts, in one write
// transaction. Returns the outbox rows enqueued.
core::Result<int64_t> RunDueBroadcasts(storage::Store& store, int64_t now_ms);

}  // namespace sportello
