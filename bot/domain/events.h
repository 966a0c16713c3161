// Events' rules: signing up (or joining the waiting list when it is full),
// cancelling, a reminder the day before, staff's edits and cancellations.
// A cancellation gives the freed place to the first person waiting, who is
// told at once. Nothing here reads the clock or touches the network: what
// must reach people later (reminders) or elsewhere (the promoted person)
// leaves as outbox rows in the caller's transaction. Used by the events
// flow, the console and broadcasts (an event's notice).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "storage/database.h"
#include "storage/events.h"

namespace sportello {

// The reminder leaves at this hour, Rome time, on the day before the event:
// an evening message about tomorrow, whatever time the event starts.
inline constexpr int kEventReminderHour = 18;
// Among due outbox rows, after replies (0): a notice never delays an answer.
inline constexpr int kEventNoticePriority = 1;

// The outbox dedupe key of a person's reminder:
// "event:<event>:<user>:reminder".
std::string EventReminderKey(int64_t event_id, int64_t user_id);
// When the reminder for an event starting at `starts_at` is due.
int64_t EventReminderDue(int64_t starts_at);

// "martedì 3 dicembre, ore 10:30 – 12:30" (Rome), and the place or link.
std::string EventWhen(std::string_view lang, const storage::Event& event);
std::string EventPlace(const Catalog& catalog, std::string_view lang,
                       const storage::Event& event);
// The catalogue text `key` with the event's {title}, {when} and {place}.
std::string EventText(const Catalog& catalog, std::string_view lang,
                      std::string_view key, const storage::Event& event);

// --- Changing. REQUIRES: inside a write transaction on `db`.

struct SignupOutcome {
  storage::Signup signup;
  bool already =
      false;  // signed up or waiting before this call: nothing changed
};
// Signs the person up (storage::SignUp) and, when they have a place,
// schedules their reminder in their language. Errors as storage::SignUp.
core::Result<SignupOutcome> SignUpForEvent(storage::Database& db,
                                           const Catalog& catalog,
                                           int64_t user_id, int64_t event_id,
                                           int64_t now_ms);

// Cancels the person's sign-up and its reminder; the person promoted from
// the waiting list is told (an outbox row due now) and gets the reminder.
// Errors as storage::CancelSignup.
core::Result<storage::Cancellation> CancelEventSignup(storage::Database& db,
                                                      const Catalog& catalog,
                                                      int64_t user_id,
                                                      int64_t event_id,
                                                      int64_t now_ms);

// Cancels every sign-up (or waiting-list place) the person holds for an
// event still to come, as CancelEventSignup does one: for erasing their
// data. Returns how many.
core::Result<int> CancelAllEventSignups(storage::Database& db,
                                        const Catalog& catalog, int64_t user_id,
                                        int64_t now_ms);

// Applies staff's edit (storage::UpdateEvent, same errors). The people
// signed up get their reminder again for the new time and text; when the
// capacity grew, the people waiting take the new places, first come first
// served, and are told as on a cancellation. Returns how many were promoted.
core::Result<int> EditEvent(storage::Database& db, const Catalog& catalog,
                            int64_t event_id, const storage::NewEvent& edit,
                            int64_t now_ms);

// Cancels the event (storage::CancelEvent, same errors): everyone signed up
// or waiting is told on their channel in their language, their reminders
// are called back, and notices about it not sent yet are cancelled. Returns
// how many people were told.
core::Result<int> CancelEventForAll(storage::Database& db,
                                    const Catalog& catalog, int64_t event_id,
                                    int64_t now_ms);

}  // namespace sportello
