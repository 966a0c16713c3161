// Signing up and cancelling (bot/domain/events.h): the storage calls with
// what must reach people, the reminder and the promoted person's notice, as
// outbox rows in the same transaction.
#include "bot/domain/events.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "storage/broadcasts.h"
#include "storage/codec.h"
#include "storage/outbox.h"
#include "storage/users.h"

namespace sportello {
namespace {

using core::Status;

// A text for a person who is not the one writing: their channel and language.
Status Enqueue(storage::Database& db, const storage::User& user,
               const std::string& text, std::vector<core::Button> buttons,
               std::optional<std::string> dedupe_key, int64_t due_at,
               int64_t now_ms) {
  const auto channel = core::ParseChannel(user.channel);
  if (!channel) {
    return Status::Internal("events: user " + std::to_string(user.id) +
                            " has unknown channel '" + user.channel + "'");
  }
  core::OutboundMessage msg;
  msg.channel = *channel;
  msg.chat_id = user.chat_id;
  msg.kind = core::OutboundKind::kText;
  msg.text = text;
  msg.buttons = std::move(buttons);
  storage::NewOutboxRow row;
  row.channel = user.channel;
  row.chat_id = user.chat_id;
  row.user_id = user.id;
  row.kind = std::string(core::OutboundKindName(msg.kind));
  row.payload = EncodeOutbound(msg);
  row.priority = kEventNoticePriority;
  row.dedupe_key = std::move(dedupe_key);
  row.due_at = due_at;
  return storage::EnqueueOutbox(db, row, now_ms).status();
}

core::Result<storage::User> LoadUser(storage::Database& db, int64_t user_id) {
  auto user = storage::FindUserById(db, user_id);
  if (!user.ok()) return user.status();
  if (!user->has_value())
    return Status::NotFound("events: no user " + std::to_string(user_id));
  return std::move(**user);
}

core::Result<storage::Event> LoadEvent(storage::Database& db,
                                       int64_t event_id) {
  auto event = storage::FindEvent(db, event_id);
  if (!event.ok()) return event.status();
  if (!event->has_value())
    return Status::NotFound("events: no event " + std::to_string(event_id));
  return std::move(**event);
}

// Schedules the day-before reminder, unless that time has passed. A key left
// by a cancelled reminder is freed first: the person signed up again.
Status ScheduleReminder(storage::Database& db, const Catalog& catalog,
                        const storage::User& user, const storage::Event& event,
                        int64_t now_ms) {
  const int64_t due = EventReminderDue(event.starts_at);
  if (due <= now_ms) return Status::Ok();
  const std::string key = EventReminderKey(event.id, user.id);
  if (auto freed = storage::ReleaseCancelledOutboxKey(db, key); !freed.ok())
    return freed.status();
  const std::string text = EventText(catalog, SupportedLanguage(user.language),
                                     "events.reminder", event);
  return Enqueue(db, user, text, {}, key, due, now_ms);
}

// The promoted person's notice and reminder.
Status TellPromoted(storage::Database& db, const Catalog& catalog,
                    const storage::User& user, const storage::Event& event,
                    int64_t now_ms) {
  const std::string lang = SupportedLanguage(user.language);
  const std::string text = EventText(catalog, lang, "events.promoted", event);
  std::vector<core::Button> buttons = {
      {"events:show:" + std::to_string(event.id),
       catalog.Text(lang, "events.details")}};
  if (auto s = Enqueue(db, user, text, std::move(buttons), std::nullopt, now_ms,
                       now_ms);
      !s.ok()) {
    return s;
  }
  return ScheduleReminder(db, catalog, user, event, now_ms);
}

}  // namespace

std::string EventReminderKey(int64_t event_id, int64_t user_id) {
  return "event:" + std::to_string(event_id) + ":" + std::to_string(user_id) +
         ":reminder";
}

int64_t EventReminderDue(int64_t starts_at) {
  const std::chrono::sys_days day{core::RomeDate(core::FromMillis(starts_at))};
  const std::chrono::year_month_day before{day - std::chrono::days{1}};
  return core::ToMillis(core::FromRome(before, kEventReminderHour, 0));
}

std::string EventWhen(std::string_view lang, const storage::Event& event) {
  const auto start_day = core::RomeDate(core::FromMillis(event.starts_at));
  const auto end_day = core::RomeDate(core::FromMillis(event.ends_at));
  const std::string end = start_day == end_day
                              ? booking::FormatTime(event.ends_at)
                              : booking::FormatWhen(lang, event.ends_at);
  return booking::FormatWhen(lang, event.starts_at) + " – " + end;
}

std::string EventPlace(const Catalog& catalog, std::string_view lang,
                       const storage::Event& event) {
  if (event.online())
    return catalog.Text(lang, "events.place_online",
                        {{"link", event.link.value_or("")}});
  if (event.link) return event.place + " · " + *event.link;
  return event.place;
}

std::string EventText(const Catalog& catalog, std::string_view lang,
                      std::string_view key, const storage::Event& event) {
  const std::string when = EventWhen(lang, event);
  const std::string place = EventPlace(catalog, lang, event);
  return catalog.Text(
      lang, key, {{"title", event.title}, {"when", when}, {"place", place}});
}

core::Result<SignupOutcome> SignUpForEvent(storage::Database& db,
                                           const Catalog& catalog,
                                           int64_t user_id, int64_t event_id,
                                           int64_t now_ms) {
  storage::Savepoint sp(db);
  if (!sp.status().ok()) return sp.status();
  auto before = storage::FindSignup(db, event_id, user_id);
  if (!before.ok()) return before.status();
  auto signup = storage::SignUp(db, event_id, user_id, now_ms);
  if (!signup.ok()) return signup.status();
  SignupOutcome outcome{std::move(*signup), false};
  outcome.already = before->has_value() &&
                    (*before)->state != storage::SignupState::kCancelled;
  if (!outcome.already &&
      outcome.signup.state == storage::SignupState::kSignedUp) {
    auto user = LoadUser(db, user_id);
    if (!user.ok()) return user.status();
    auto event = LoadEvent(db, event_id);
    if (!event.ok()) return event.status();
    if (auto s = ScheduleReminder(db, catalog, *user, *event, now_ms); !s.ok())
      return s;
  }
  if (auto s = sp.Release(); !s.ok()) return s;
  return outcome;
}

core::Result<storage::Cancellation> CancelEventSignup(storage::Database& db,
                                                      const Catalog& catalog,
                                                      int64_t user_id,
                                                      int64_t event_id,
                                                      int64_t now_ms) {
  storage::Savepoint sp(db);
  if (!sp.status().ok()) return sp.status();
  auto cancellation = storage::CancelSignup(db, event_id, user_id, now_ms);
  if (!cancellation.ok()) return cancellation.status();
  auto cancelled =
      storage::CancelOutboxByDedupeKey(db, EventReminderKey(event_id, user_id));
  if (!cancelled.ok()) return cancelled.status();
  if (cancellation->promoted && cancellation->promoted->user_id) {
    auto user = LoadUser(db, *cancellation->promoted->user_id);
    if (!user.ok()) return user.status();
    auto event = LoadEvent(db, event_id);
    if (!event.ok()) return event.status();
    if (auto s = TellPromoted(db, catalog, *user, *event, now_ms); !s.ok())
      return s;
  }
  if (auto s = sp.Release(); !s.ok()) return s;
  return std::move(*cancellation);
}

core::Result<int> EditEvent(storage::Database& db, const Catalog& catalog,
                            int64_t event_id, const storage::NewEvent& edit,
                            int64_t now_ms) {
  storage::Savepoint sp(db);
  if (!sp.status().ok()) return sp.status();
  auto before = LoadEvent(db, event_id);
  if (!before.ok()) return before.status();
  if (auto s = storage::UpdateEvent(db, event_id, edit, now_ms); !s.ok())
    return s;
  auto promoted = storage::PromoteWaiting(db, event_id, now_ms);
  if (!promoted.ok()) return promoted.status();
  auto event = LoadEvent(db, event_id);
  if (!event.ok()) return event.status();
  for (const auto& p : *promoted) {
    if (!p.user_id) continue;
    auto user = LoadUser(db, *p.user_id);
    if (!user.ok()) return user.status();
    if (auto s = TellPromoted(db, catalog, *user, *event, now_ms); !s.ok())
      return s;
  }
  // People who planned their day around the old time or place are told at
  // once (the ones just promoted were told the new details already).
  const bool moved = before->starts_at != event->starts_at ||
                     before->ends_at != event->ends_at ||
                     before->place != event->place ||
                     before->link.value_or("") != event->link.value_or("");
  // A reminder already queued says the old time (and leaves at the old
  // one): it is written again from the edited event.
  auto active = storage::ActiveSignupsForEvent(db, event_id);
  if (!active.ok()) return active.status();
  for (const auto& signup : *active) {
    if (!signup.user_id) continue;
    const bool just_promoted = std::any_of(
        promoted->begin(), promoted->end(),
        [&](const storage::Signup& p) { return p.id == signup.id; });
    if (moved && !just_promoted) {
      auto user = LoadUser(db, *signup.user_id);
      if (!user.ok()) return user.status();
      const std::string text =
          EventText(catalog, SupportedLanguage(user->language),
                    "events.event_changed", *event);
      if (auto s = Enqueue(db, *user, text, {}, std::nullopt, now_ms, now_ms);
          !s.ok())
        return s;
    }
    if (signup.state != storage::SignupState::kSignedUp) continue;
    auto cancelled = storage::CancelOutboxByDedupeKey(
        db, EventReminderKey(event_id, *signup.user_id));
    if (!cancelled.ok()) return cancelled.status();
    auto user = LoadUser(db, *signup.user_id);
    if (!user.ok()) return user.status();
    if (auto s = ScheduleReminder(db, catalog, *user, *event, now_ms); !s.ok())
      return s;
  }
  if (auto s = sp.Release(); !s.ok()) return s;
  return static_cast<int>(promoted->size());
}

core::Result<int> CancelEventForAll(storage::Database& db,
                                    const Catalog& catalog, int64_t event_id,
                                    int64_t now_ms) {
  storage::Savepoint sp(db);
  if (!sp.status().ok()) return sp.status();
  if (auto s = storage::CancelEvent(db, event_id, now_ms); !s.ok()) return s;
  auto event = LoadEvent(db, event_id);
  if (!event.ok()) return event.status();
  auto active = storage::ActiveSignupsForEvent(db, event_id);
  if (!active.ok()) return active.status();
  int told = 0;
  for (const auto& signup : *active) {
    if (!signup.user_id) continue;  // erased: nobody to tell
    auto cancelled = storage::CancelOutboxByDedupeKey(
        db, EventReminderKey(event_id, *signup.user_id));
    if (!cancelled.ok()) return cancelled.status();
    auto user = LoadUser(db, *signup.user_id);
    if (!user.ok()) return user.status();
    const std::string text =
        EventText(catalog, SupportedLanguage(user->language),
                  "events.event_cancelled", *event);
    if (auto s = Enqueue(db, *user, text, {}, std::nullopt, now_ms, now_ms);
        !s.ok())
      return s;
    ++told;
  }
  // A notice inviting people to an event that will not be is not sent.
  auto notices = storage::OpenBroadcastsForEvent(db, event_id);
  if (!notices.ok()) return notices.status();
  for (int64_t id : *notices) {
    if (auto s = storage::CancelBroadcast(db, id, now_ms); !s.ok()) return s;
  }
  if (auto s = sp.Release(); !s.ok()) return s;
  return told;
}

core::Result<int> CancelAllEventSignups(storage::Database& db,
                                        const Catalog& catalog, int64_t user_id,
                                        int64_t now_ms) {
  auto active = storage::ActiveSignupsForUser(db, user_id, now_ms);
  if (!active.ok()) return active.status();
  for (const auto& s : *active) {
    auto cancelled =
        CancelEventSignup(db, catalog, user_id, s.event_id, now_ms);
    if (!cancelled.ok()) return cancelled.status();
  }
  return static_cast<int>(active->size());
}

}  // namespace sportello
