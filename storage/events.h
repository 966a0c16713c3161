// Events the centre runs (recruiting days, workshops, seminars) and the
// people signed up for them, with a waiting list once the places are taken.
// The rules about people (notices, reminders) live in bot/flows/events.h;
// this is the tables. Times are unix milliseconds.
//
// Capacity holds under concurrency: a sign-up counts the places taken and
// writes in one transaction, and SQLite lets one writer commit at a time (a
// transaction that read before another's commit cannot write), so of two
// people racing for the last place exactly one gets it and the other waits.
// A trigger refuses any write that would seat more than `capacity` people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/centres.h"
#include "storage/database.h"

namespace sportello::storage {

inline constexpr std::string_view kEventOnline =
    "online";  // Event::place of an online event

struct NewEvent {
  std::optional<std::string> external_id;  // "demo-recruiting-day": loaded once
  std::string title;
  std::string description;
  int64_t starts_at = 0;
  int64_t ends_at = 0;              // REQUIRES: after starts_at
  std::string place;                // an address, or kEventOnline
  std::optional<std::string> link;  // REQUIRES: set when place is kEventOnline
  int capacity = 0;                 // REQUIRES: > 0
  std::vector<std::string> tags;    // "recruiting", "workshop", ...; no commas
  // The centre running it; nullopt: regional, offered to everyone.
  std::optional<int64_t> centre_id = kFirstCentre;
};

struct Event {
  int64_t id = 0;
  std::optional<std::string> external_id;
  std::string title;
  std::string description;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  std::string place;
  std::optional<std::string> link;
  int capacity = 0;
  std::vector<std::string> tags;
  int signed_up = 0;  // places taken
  int waiting = 0;    // people on the waiting list
  int64_t created_at = 0;
  std::optional<int64_t> updated_at;    // last edit, if any
  std::optional<int64_t> cancelled_at;  // a cancelled event is never offered
  std::optional<int64_t> centre_id;     // nullopt: regional

  bool online() const { return place == kEventOnline; }
  bool cancelled() const { return cancelled_at.has_value(); }
  int free_places() const {
    return signed_up < capacity ? capacity - signed_up : 0;
  }
};

enum class SignupState { kSignedUp, kWaiting, kCancelled };
std::string_view SignupStateName(
    SignupState state);  // "signed_up" | "waiting" | "cancelled"

struct Signup {
  int64_t id = 0;
  int64_t event_id = 0;
  std::optional<int64_t> user_id;  // nullopt once the person's data is erased
  SignupState state = SignupState::kSignedUp;
  int64_t queued_at =
      0;  // when this (re)sign-up was made: the waiting list's order
  int64_t updated_at = 0;
};

// Adds an event. InvalidArgument for an empty title or place, an end not
// after the start, a capacity below 1, online without a link, or a tag with
// a comma; AlreadyExists when external_id is taken.
core::Result<int64_t> AddEvent(Database& db, const NewEvent& event,
                               int64_t now_ms);

// The event if it is regional or of one of `scope`'s centres.
core::Result<std::optional<Event>> FindEvent(
    Database& db, int64_t event_id,
    const CentreScope& scope = CentreScope::Every());
core::Result<std::optional<Event>> FindEventByExternalId(
    Database& db, std::string_view external_id);

// Replaces an event's fields (external_id is kept). InvalidArgument as
// AddEvent, or for a capacity below the people signed up, or for a cancelled
// event; NotFound for no such event. A capacity raised while people wait
// leaves them waiting: PromoteWaiting gives them the new places.
core::Status UpdateEvent(Database& db, int64_t event_id, const NewEvent& event,
                         int64_t now_ms);

// Gives free places to the people waiting, first come first served.
// Returns their sign-ups, now kSignedUp. REQUIRES: inside a write
// transaction.
core::Result<std::vector<Signup>> PromoteWaiting(Database& db, int64_t event_id,
                                                 int64_t now_ms);

// Marks the event cancelled; its sign-ups stay as they were (who was
// coming). NotFound for no such event, InvalidArgument when it is cancelled
// already.
core::Status CancelEvent(Database& db, int64_t event_id, int64_t now_ms);

// The sign-ups still holding a place or waiting for one, in queue order.
core::Result<std::vector<Signup>> ActiveSignupsForEvent(Database& db,
                                                        int64_t event_id);

// Staff's list: regional events and those of `scope`'s centres not
// cancelled and not ended at `now_ms`, soonest first; with `all`, also past
// and cancelled ones. At most `limit`.
core::Result<std::vector<Event>> ListEvents(
    Database& db, int64_t now_ms, bool all, int limit,
    const CentreScope& scope = CentreScope::Every());

// Events starting after `now_ms` and not cancelled, soonest first, skipping
// `offset`, at most `limit`: regional ones and those of `scope`'s centres
// (what a person is offered: Only({their centre})).
core::Result<std::vector<Event>> UpcomingEvents(
    Database& db, int64_t now_ms, int offset, int limit,
    const CentreScope& scope = CentreScope::Every());
core::Result<int> CountUpcomingEvents(
    Database& db, int64_t now_ms,
    const CentreScope& scope = CentreScope::Every());

core::Result<std::optional<Signup>> FindSignup(Database& db, int64_t event_id,
                                               int64_t user_id);

// Signs the person up: kSignedUp while a place is free, else kWaiting at the
// end of the waiting list. A person signed up or waiting already keeps their
// place (returned unchanged); one who cancelled is signed up again, as new.
// NotFound for an unknown event or person; InvalidArgument once the event has
// started or when it was cancelled. REQUIRES: inside a write transaction.
core::Result<Signup> SignUp(Database& db, int64_t event_id, int64_t user_id,
                            int64_t now_ms);

struct Cancellation {
  Signup cancelled;  // the person's sign-up, now kCancelled
  std::optional<Signup>
      promoted;  // the first waiting person, given the freed place
};
// Cancels the person's sign-up (or their place on the waiting list). When it
// freed a place, the first person waiting takes it. NotFound when the person
// is neither signed up nor waiting; InvalidArgument once the event has
// started. REQUIRES: inside a write transaction.
core::Result<Cancellation> CancelSignup(Database& db, int64_t event_id,
                                        int64_t user_id, int64_t now_ms);

// 1 for the first person on the waiting list, and so on; 0 for a sign-up
// that is not waiting.
core::Result<int> WaitingPosition(Database& db, const Signup& signup);

// The person's sign-ups (kSignedUp or kWaiting) for events starting after
// `now_ms` and not cancelled, soonest event first.
core::Result<std::vector<Signup>> ActiveSignupsForUser(Database& db,
                                                       int64_t user_id,
                                                       int64_t now_ms);

// For erasing a person's data (GDPR art. 17): their sign-ups, whatever the
// state, lose their user_id (the counts of past events stay right). Returns
// how many. Cancel the upcoming ones first (CancelAllEventSignups in
// bot/flows/events.h) so that their places go to the people waiting.
core::Result<int64_t> AnonymiseEventSignups(Database& db, int64_t user_id);

// Frees an outbox dedupe key held by a row that was cancelled before being
// sent (a reminder of a cancelled sign-up), so that signing up again can
// schedule the reminder anew. Rows sent or pending are left alone. Returns
// whether a row was freed.
// TODO(events): belongs in storage/outbox.h beside CancelOutboxByDedupeKey.
core::Result<bool> ReleaseCancelledOutboxKey(Database& db,
                                             std::string_view dedupe_key);

}  // namespace sportello::storage
