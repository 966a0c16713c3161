// Broadcast notices as staff compose them: a text or an event's notice (with
// "Mi iscrivo" / "Non mi interessa"), an audience, a time, an optional
// WhatsApp template; and the scheduler that fans them out when due. The
// storage side (audiences, fan-out, counters) is storage/broadcasts.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bot/domain/catalog.h"
#include "bot/core/clock.h"
#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "bot/flows/router.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "storage/broadcasts.h"
#include "storage/database.h"
#include "storage/store.h"

namespace sportello {

// The id of "Non mi interessa": the router only acknowledges it.
inline constexpr std::string_view kNoticeDismissButton = flows::kNoticeDismiss;

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

// A thread that runs RunDueBroadcasts when the next broadcast is due (and at
// least every `max_wait`, which also notices broadcasts created since and
// finished ones). All its state is in the database, so a restart picks up
// where it was. `on_enqueued` runs after rows were enqueued (wakes the
// sender).
class BroadcastScheduler {
 public:
  BroadcastScheduler(
      storage::Store& store, const core::Clock& clock,
      std::function<void()> on_enqueued,
      std::chrono::milliseconds max_wait = std::chrono::milliseconds(1000));
  ~BroadcastScheduler();  // Stop()
  core::Status Start();
  void Stop();

 private:
  void Loop();

  storage::Store& store_;
  const core::Clock& clock_;
  std::function<void()> on_enqueued_;
  std::chrono::milliseconds max_wait_;
  std::unique_ptr<storage::Database> reader_;
  core::Mutex mu_;
  core::CondVar cv_{&mu_};
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sportello
