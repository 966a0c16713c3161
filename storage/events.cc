#include "storage/events.h"

#include <utility>

namespace sportello::storage {
namespace {

using core::Status;

// An event with its places taken and its waiting list.
constexpr const char* kEventSelect =
    "SELECT e.id, e.external_id, e.title, e.description, e.starts_at, "
    "e.ends_at, e.place,"
    " e.link, e.capacity, e.tags,"
    " (SELECT count(*) FROM event_signups s WHERE s.event_id = e.id AND "
    "s.state = 'signed_up'),"
    " (SELECT count(*) FROM event_signups s WHERE s.event_id = e.id AND "
    "s.state = 'waiting'),"
    " e.created_at, e.updated_at, e.cancelled_at, e.centre_id"
    " FROM events e";

constexpr const char* kSignupColumns =
    "id, event_id, user_id, state, queued_at, updated_at";

std::vector<std::string> SplitTags(std::string_view joined) {
  std::vector<std::string> tags;
  while (!joined.empty()) {
    const size_t comma = joined.find(',');
    const std::string_view tag = joined.substr(0, comma);
    if (!tag.empty()) tags.emplace_back(tag);
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return tags;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string joined;
  for (const auto& t : tags) {
    if (t.empty()) continue;
    if (!joined.empty()) joined += ',';
    joined += t;
  }
  return joined;
}

Event ReadEvent(const Statement& st) {
  Event e;
  e.id = st.Int(0);
  e.external_id = st.OptionalText(1);
  e.title = st.Text(2);
  e.description = st.Text(3);
  e.starts_at = st.Int(4);
  e.ends_at = st.Int(5);
  e.place = st.Text(6);
  e.link = st.OptionalText(7);
  e.capacity = static_cast<int>(st.Int(8));
  e.tags = SplitTags(st.Text(9));
  e.signed_up = static_cast<int>(st.Int(10));
  e.waiting = static_cast<int>(st.Int(11));
  e.created_at = st.Int(12);
  e.updated_at = st.OptionalInt(13);
  e.cancelled_at = st.OptionalInt(14);
  e.centre_id = st.OptionalInt(15);
  return e;
}

SignupState ParseState(std::string_view s) {
  if (s == "signed_up") return SignupState::kSignedUp;
  if (s == "waiting") return SignupState::kWaiting;
  return SignupState::kCancelled;
}

Signup ReadSignup(const Statement& st) {
  Signup s;
  s.id = st.Int(0);
  s.event_id = st.Int(1);
  s.user_id = st.OptionalInt(2);
  s.state = ParseState(st.Text(3));
  s.queued_at = st.Int(4);
  s.updated_at = st.Int(5);
  return s;
}

core::Result<std::optional<Event>> FindOneEvent(Database& db,
                                                const std::string& where,
                                                std::string_view key,
                                                int64_t id) {
  Statement st = db.Prepare(std::string(kEventSelect) + " WHERE " + where);
  if (key.empty()) {
    st.Bind(1, id);
  } else {
    st.Bind(1, key);
  }
  if (st.Step()) return std::optional<Event>(ReadEvent(st));
  if (!st.status().ok()) return st.status();
  return std::optional<Event>();
}

Status ValidateEvent(const NewEvent& e) {
  if (e.title.empty()) return Status::InvalidArgument("events: title missing");
  if (e.place.empty()) return Status::InvalidArgument("events: place missing");
  if (e.ends_at <= e.starts_at) {
    return Status::InvalidArgument("events: '" + e.title +
                                   "' ends before it starts");
  }
  if (e.capacity < 1) {
    return Status::InvalidArgument("events: '" + e.title +
                                   "' needs a capacity of at least 1");
  }
  if (e.place == kEventOnline && (!e.link || e.link->empty())) {
    return Status::InvalidArgument("events: '" + e.title +
                                   "' is online but has no link");
  }
  for (const auto& t : e.tags) {
    if (t.find(',') != std::string::npos) {
      return Status::InvalidArgument("events: tag '" + t +
                                     "' contains a comma");
    }
  }
  return Status::Ok();
}

// Makes the changes of one event's places run one at a time, to the end of
// the transaction: two sign-ups must not both count the last free place.
// SQLite's writers already do (BEGIN IMMEDIATE); PostgreSQL's locks rows,
// and a READ COMMITTED statement after the wait sees the other's commit.
// Outside a transaction it holds nothing, and needs to hold nothing.
Status LockEvent(Database& db, int64_t event_id) {
  if (!db.is_postgres()) return Status::Ok();
  Statement st = db.Prepare("SELECT 1 FROM events WHERE id = ?1 FOR UPDATE");
  st.Bind(1, event_id);
  return st.Run();
}

core::Result<bool> UserExists(Database& db, int64_t user_id) {
  Statement st = db.Prepare("SELECT 1 FROM users WHERE id = ?1");
  st.Bind(1, user_id);
  if (st.Step()) return true;
  if (!st.status().ok()) return st.status();
  return false;
}

Status SetSignupState(Database& db, int64_t signup_id, SignupState state,
                      int64_t now_ms, bool requeue) {
  Statement st =
      db.Prepare(requeue ? "UPDATE event_signups SET state = ?2, queued_at = "
                           "?3, updated_at = ?3 WHERE id = ?1"
                         : "UPDATE event_signups SET state = ?2, updated_at = "
                           "?3 WHERE id = ?1");
  st.Bind(1, signup_id).Bind(2, SignupStateName(state)).Bind(3, now_ms);
  return st.Run();
}

core::Result<Signup> SignupById(Database& db, int64_t signup_id) {
  Statement st = db.Prepare(std::string("SELECT ") + kSignupColumns +
                            " FROM event_signups WHERE id = ?1");
  st.Bind(1, signup_id);
  if (st.Step()) return ReadSignup(st);
  if (!st.status().ok()) return st.status();
  return Status::Internal("events: sign-up " + std::to_string(signup_id) +
                          " vanished");
}

}  // namespace

std::string_view SignupStateName(SignupState state) {
  switch (state) {
    case SignupState::kSignedUp:
      return "signed_up";
    case SignupState::kWaiting:
      return "waiting";
    case SignupState::kCancelled:
      return "cancelled";
  }
  return "cancelled";
}

core::Result<int64_t> AddEvent(Database& db, const NewEvent& event,
                               int64_t now_ms) {
  if (auto s = ValidateEvent(event); !s.ok()) return s;
  Statement st = db.Prepare(
      "INSERT INTO events(external_id, title, description, starts_at, ends_at, "
      "place, link,"
      " capacity, tags, created_at, centre_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
      " ?7, ?8, ?9, ?10, ?11)");
  st.Bind(1, event.external_id)
      .Bind(2, event.title)
      .Bind(3, event.description)
      .Bind(4, event.starts_at)
      .Bind(5, event.ends_at)
      .Bind(6, event.place)
      .Bind(7, event.link)
      .Bind(8, event.capacity)
      .Bind(9, JoinTags(event.tags))
      .Bind(10, now_ms)
      .Bind(11, event.centre_id);
  if (auto s = st.Run(); !s.ok()) {
    if (s.code() == Status::Code::kAlreadyExists) {
      return Status::AlreadyExists("events: external id '" +
                                   event.external_id.value_or("") +
                                   "' exists already");
    }
    return s;
  }
  return db.LastInsertRowId();
}

core::Result<std::optional<Event>> FindEvent(Database& db, int64_t event_id,
                                             const CentreScope& scope) {
  return FindOneEvent(db,
                      "e.id = ?1 AND " + CentreCondition("e.centre_id", scope,
                                                         /*regional_too=*/true),
                      "", event_id);
}

core::Result<std::optional<Event>> FindEventByExternalId(
    Database& db, std::string_view external_id) {
  if (external_id.empty()) return std::optional<Event>();
  return FindOneEvent(db, "e.external_id = ?1", external_id, 0);
}

core::Status UpdateEvent(Database& db, int64_t event_id, const NewEvent& event,
                         int64_t now_ms) {
  if (auto s = ValidateEvent(event); !s.ok()) return s;
  if (auto s = LockEvent(db, event_id); !s.ok()) return s;
  auto found = FindEvent(db, event_id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return Status::NotFound("events: no event " + std::to_string(event_id));
  if ((*found)->cancelled()) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " was cancelled");
  }
  if (event.capacity < (*found)->signed_up) {
    return Status::InvalidArgument(
        "events: capacity " + std::to_string(event.capacity) +
        " is below the " + std::to_string((*found)->signed_up) +
        " people signed up");
  }
  Statement st = db.Prepare(
      "UPDATE events SET title = ?2, description = ?3, starts_at = ?4,"
      " ends_at = ?5, place = ?6, link = ?7, capacity = ?8, tags = ?9,"
      " updated_at = ?10 WHERE id = ?1");
  st.Bind(1, event_id)
      .Bind(2, event.title)
      .Bind(3, event.description)
      .Bind(4, event.starts_at)
      .Bind(5, event.ends_at)
      .Bind(6, event.place)
      .Bind(7, event.link)
      .Bind(8, event.capacity)
      .Bind(9, JoinTags(event.tags))
      .Bind(10, now_ms);
  return st.Run();
}

core::Result<std::vector<Signup>> PromoteWaiting(Database& db, int64_t event_id,
                                                 int64_t now_ms) {
  if (auto s = LockEvent(db, event_id); !s.ok()) return s;
  auto event = FindEvent(db, event_id);
  if (!event.ok()) return event.status();
  std::vector<Signup> promoted;
  if (!event->has_value() || (*event)->cancelled()) return promoted;
  int free = (*event)->free_places();
  if (free == 0 || (*event)->waiting == 0) return promoted;
  std::vector<int64_t> ids;
  {
    Statement next = db.Prepare(
        "SELECT id FROM event_signups WHERE event_id = ?1 AND state ="
        " 'waiting' ORDER BY queued_at, id LIMIT ?2");
    next.Bind(1, event_id).Bind(2, free);
    while (next.Step()) ids.push_back(next.Int(0));
    if (!next.status().ok()) return next.status();
  }
  for (int64_t id : ids) {
    if (auto s = SetSignupState(db, id, SignupState::kSignedUp, now_ms, false);
        !s.ok())
      return s;
    auto signup = SignupById(db, id);
    if (!signup.ok()) return signup.status();
    promoted.push_back(std::move(*signup));
  }
  return promoted;
}

core::Status CancelEvent(Database& db, int64_t event_id, int64_t now_ms) {
  if (auto s = LockEvent(db, event_id); !s.ok()) return s;
  auto found = FindEvent(db, event_id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return Status::NotFound("events: no event " + std::to_string(event_id));
  if ((*found)->cancelled()) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " is cancelled already");
  }
  Statement st = db.Prepare(
      "UPDATE events SET cancelled_at = ?2, updated_at = ?2 WHERE id = ?1");
  st.Bind(1, event_id).Bind(2, now_ms);
  return st.Run();
}

core::Result<std::vector<Signup>> ActiveSignupsForEvent(Database& db,
                                                        int64_t event_id) {
  Statement st = db.Prepare(std::string("SELECT ") + kSignupColumns +
                            " FROM event_signups WHERE event_id = ?1 AND"
                            " state IN ('signed_up', 'waiting')"
                            " ORDER BY queued_at, id");
  st.Bind(1, event_id);
  std::vector<Signup> signups;
  while (st.Step()) signups.push_back(ReadSignup(st));
  if (!st.status().ok()) return st.status();
  return signups;
}

core::Result<std::vector<Event>> ListEvents(Database& db, int64_t now_ms,
                                            bool all, int limit,
                                            const CentreScope& scope) {
  Statement st =
      db.Prepare(std::string(kEventSelect) +
                 " WHERE (?1 OR (e.ends_at > ?2 AND e.cancelled_at IS NULL))"
                 " AND " +
                 CentreCondition("e.centre_id", scope, /*regional_too=*/true) +
                 " ORDER BY e.starts_at, e.id LIMIT ?3");
  st.Bind(1, all ? 1 : 0).Bind(2, now_ms).Bind(3, limit);
  std::vector<Event> events;
  while (st.Step()) events.push_back(ReadEvent(st));
  if (!st.status().ok()) return st.status();
  return events;
}

core::Result<std::vector<Event>> UpcomingEvents(Database& db, int64_t now_ms,
                                                int offset, int limit,
                                                const CentreScope& scope) {
  Statement st =
      db.Prepare(std::string(kEventSelect) +
                 " WHERE e.starts_at > ?1 AND e.cancelled_at IS NULL AND " +
                 CentreCondition("e.centre_id", scope, /*regional_too=*/true) +
                 " ORDER BY e.starts_at, e.id LIMIT ?2 OFFSET ?3");
  st.Bind(1, now_ms).Bind(2, limit).Bind(3, offset < 0 ? 0 : offset);
  std::vector<Event> events;
  while (st.Step()) events.push_back(ReadEvent(st));
  if (!st.status().ok()) return st.status();
  return events;
}

core::Result<int> CountUpcomingEvents(Database& db, int64_t now_ms,
                                      const CentreScope& scope) {
  Statement st = db.Prepare(
      "SELECT count(*) FROM events WHERE starts_at > ?1"
      " AND cancelled_at IS NULL AND " +
      CentreCondition("centre_id", scope, /*regional_too=*/true));
  st.Bind(1, now_ms);
  if (st.Step()) return static_cast<int>(st.Int(0));
  return st.status().ok() ? Status::Internal("events: count returned no row")
                          : st.status();
}

core::Result<std::optional<Signup>> FindSignup(Database& db, int64_t event_id,
                                               int64_t user_id) {
  Statement st =
      db.Prepare(std::string("SELECT ") + kSignupColumns +
                 " FROM event_signups WHERE event_id = ?1 AND user_id = ?2");
  st.Bind(1, event_id).Bind(2, user_id);
  if (st.Step()) return std::optional<Signup>(ReadSignup(st));
  if (!st.status().ok()) return st.status();
  return std::optional<Signup>();
}

core::Result<Signup> SignUp(Database& db, int64_t event_id, int64_t user_id,
                            int64_t now_ms) {
  if (auto s = LockEvent(db, event_id); !s.ok()) return s;
  auto event = FindEvent(db, event_id);
  if (!event.ok()) return event.status();
  if (!event->has_value()) {
    return Status::NotFound("events: no event " + std::to_string(event_id));
  }
  const Event& e = **event;
  if (e.starts_at <= now_ms) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " has started");
  }
  if (e.cancelled()) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " was cancelled");
  }
  auto user = UserExists(db, user_id);
  if (!user.ok()) return user.status();
  if (!*user)
    return Status::NotFound("events: no user " + std::to_string(user_id));
  auto existing = FindSignup(db, event_id, user_id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value() && (*existing)->state != SignupState::kCancelled)
    return **existing;

  // Nobody jumps the waiting list: a free place goes to a newcomer only when
  // nobody is waiting for it.
  const SignupState state = e.signed_up < e.capacity && e.waiting == 0
                                ? SignupState::kSignedUp
                                : SignupState::kWaiting;
  if (existing->has_value()) {
    const int64_t id = (*existing)->id;
    if (auto s = SetSignupState(db, id, state, now_ms, /*requeue=*/true);
        !s.ok())
      return s;
    return SignupById(db, id);
  }
  Statement st = db.Prepare(
      "INSERT INTO event_signups(event_id, user_id, state, queued_at, "
      "updated_at)"
      " VALUES(?1, ?2, ?3, ?4, ?4)");
  st.Bind(1, event_id)
      .Bind(2, user_id)
      .Bind(3, SignupStateName(state))
      .Bind(4, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  return SignupById(db, db.LastInsertRowId());
}

core::Result<Cancellation> CancelSignup(Database& db, int64_t event_id,
                                        int64_t user_id, int64_t now_ms) {
  if (auto s = LockEvent(db, event_id); !s.ok()) return s;
  auto existing = FindSignup(db, event_id, user_id);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value() || (*existing)->state == SignupState::kCancelled) {
    return Status::NotFound("events: user " + std::to_string(user_id) +
                            " is not signed up for event " +
                            std::to_string(event_id));
  }
  const Signup before = **existing;
  auto event = FindEvent(db, event_id);
  if (!event.ok()) return event.status();
  if (event->has_value() && (*event)->starts_at <= now_ms) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " has started");
  }
  // Nobody may take the place of someone leaving a cancelled event.
  if (event->has_value() && (*event)->cancelled()) {
    return Status::InvalidArgument("events: event " + std::to_string(event_id) +
                                   " was cancelled");
  }
  if (auto s =
          SetSignupState(db, before.id, SignupState::kCancelled, now_ms, false);
      !s.ok()) {
    return s;
  }
  Cancellation result;
  auto cancelled = SignupById(db, before.id);
  if (!cancelled.ok()) return cancelled.status();
  result.cancelled = std::move(*cancelled);
  if (before.state != SignupState::kSignedUp) return result;

  Statement next = db.Prepare(
      "SELECT id FROM event_signups WHERE event_id = ?1 AND state = 'waiting'"
      " ORDER BY queued_at, id LIMIT 1");
  next.Bind(1, event_id);
  if (!next.Step()) {
    if (!next.status().ok()) return next.status();
    return result;
  }
  const int64_t promoted_id = next.Int(0);
  if (auto s = SetSignupState(db, promoted_id, SignupState::kSignedUp, now_ms,
                              false);
      !s.ok()) {
    return s;
  }
  auto promoted = SignupById(db, promoted_id);
  if (!promoted.ok()) return promoted.status();
  result.promoted = std::move(*promoted);
  return result;
}

core::Result<int> WaitingPosition(Database& db, const Signup& signup) {
  if (signup.state != SignupState::kWaiting) return 0;
  Statement st = db.Prepare(
      "SELECT count(*) FROM event_signups WHERE event_id = ?1 AND state = "
      "'waiting'"
      " AND (queued_at < ?2 OR (queued_at = ?2 AND id <= ?3))");
  st.Bind(1, signup.event_id).Bind(2, signup.queued_at).Bind(3, signup.id);
  if (st.Step()) return static_cast<int>(st.Int(0));
  return st.status().ok() ? Status::Internal("events: count returned no row")
                          : st.status();
}

core::Result<std::vector<Signup>> ActiveSignupsForUser(Database& db,
                                                       int64_t user_id,
                                                       int64_t now_ms) {
  Statement st = db.Prepare(
      "SELECT s.id, s.event_id, s.user_id, s.state, s.queued_at, s.updated_at"
      " FROM event_signups s JOIN events e ON e.id = s.event_id"
      " WHERE s.user_id = ?1 AND s.state IN ('signed_up', 'waiting') AND "
      "e.starts_at > ?2 AND e.cancelled_at IS NULL"
      " ORDER BY e.starts_at, e.id");
  st.Bind(1, user_id).Bind(2, now_ms);
  std::vector<Signup> signups;
  while (st.Step()) signups.push_back(ReadSignup(st));
  if (!st.status().ok()) return st.status();
  return signups;
}

core::Result<int64_t> AnonymiseEventSignups(Database& db, int64_t user_id) {
  Statement st =
      db.Prepare("UPDATE event_signups SET user_id = NULL WHERE user_id = ?1");
  st.Bind(1, user_id);
  if (auto s = st.Run(); !s.ok()) return s;
  return static_cast<int64_t>(db.Changes());
}

core::Result<bool> ReleaseCancelledOutboxKey(Database& db,
                                             std::string_view dedupe_key) {
  // A cancelled row was never handed to a channel, so nothing refers to it.
  Statement st = db.Prepare(
      "DELETE FROM outbox WHERE dedupe_key = ?1 AND state = 'cancelled'");
  st.Bind(1, dedupe_key);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes() > 0;
}

}  // namespace sportello::storage
