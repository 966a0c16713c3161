// Events as people see them: upcoming recruiting days, workshops and
// seminars three at a time, the details of one, signing up (or joining the
// waiting list when it is full), cancelling, and a reminder the day before.
// A cancellation gives the freed place to the first person waiting, who is
// told at once. Like a flow, it never reads the clock or touches the
// network: what must reach people later (reminders) or elsewhere (the
// promoted person) leaves as outbox rows.
//
// The flow waits for no typed answer, so it never holds the conversation;
// its buttons come back by their prefix:
//   events:list:<offset>   a page of upcoming events
//   events:show:<event>    details, with sign up / cancel
//   events:join:<event>    sign up (or join the waiting list)
//   events:leave:<event>   asks to confirm the cancellation
//   events:leave_ok:<event>
//   events:mine            the person's sign-ups
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/domain/catalog.h"
#include "bot/core/status.h"
#include "bot/flows/flow.h"
#include "storage/database.h"
#include "storage/events.h"

namespace sportello::flows {

inline constexpr int kEventsPerPage = 3;
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

// The demo events (storage/demo/events.json, compiled in), each placed its
// `in_days` from `now_ms`'s Rome date (a weekend moved to the Monday) at its
// Rome wall-clock times. Adds those not there yet, by external id, so it can
// run again. Internal if the embedded file is broken. REQUIRES: inside a
// write transaction (all or nothing).
struct DemoEventsSummary {
  int added = 0;
  int existing = 0;
};
core::Result<DemoEventsSummary> AddDemoEvents(storage::Database& db,
                                              int64_t now_ms);

class EventsFlow : public Flow {
 public:
  explicit EventsFlow(FlowDeps deps) : deps_(deps) {}
  std::string_view name() const override;
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  std::vector<Reply> List(Turn& turn, int offset,
                          const char* empty_key = "events.none") const;
  std::vector<Reply> Details(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Join(Turn& turn, int64_t event_id) const;
  std::vector<Reply> AskLeave(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Leave(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Mine(Turn& turn) const;
  // Signing up for a cancelled event: refused, politely.
  std::vector<Reply> NoLonger(Turn& turn, const storage::Event& event) const;
  std::vector<Reply> Failed(Turn& turn, const core::Status& why) const;

  FlowDeps deps_;
};

}  // namespace sportello::flows
