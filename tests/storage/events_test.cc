// Event tables: events on offer, sign-ups up to the capacity and a waiting
// list after it, cancellations that hand the freed place to the next in
// line, and a capacity that holds when two connections race for the last
// place.
#include "storage/events.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/outbox.h"
#include "tests/support/storage_fixture.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = support::kStorageNow;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

using support::MigratedDb;
using support::NewUser;

NewEvent Workshop(int64_t starts_at, int capacity = 10,
                  std::string title = "Workshop CV") {
  NewEvent e;
  e.title = std::move(title);
  e.description = "Come scrivere un CV";
  e.starts_at = starts_at;
  e.ends_at = starts_at + 2 * kHour;
  e.place = "Porta Futuro, Bari";
  e.capacity = capacity;
  e.tags = {"workshop", "cv"};
  return e;
}

int64_t Add(Database& db, const NewEvent& e) {
  auto id = AddEvent(db, e, kNow);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  return *id;
}

Signup SignUpOk(Database& db, int64_t event, int64_t user, int64_t at = kNow) {
  auto s = SignUp(db, event, user, at);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return *s;
}

Event Load(Database& db, int64_t id) {
  auto e = FindEvent(db, id);
  REQUIRE(e.ok());
  REQUIRE(e->has_value());
  return **e;
}

TEST_CASE("an event keeps its details and tags") {
  auto db = MigratedDb();
  NewEvent online = Workshop(kNow + kDay);
  online.place = std::string(kEventOnline);
  online.link = "https://meet.example.org/cv";
  online.external_id = "demo-cv";
  const Event e = Load(*db, Add(*db, online));
  CHECK(e.title == "Workshop CV");
  CHECK(e.online());
  CHECK(e.link == "https://meet.example.org/cv");
  CHECK(e.tags == std::vector<std::string>{"workshop", "cv"});
  CHECK(e.capacity == 10);
  CHECK(e.free_places() == 10);
  auto by_external = FindEventByExternalId(*db, "demo-cv");
  REQUIRE(by_external.ok());
  REQUIRE(by_external->has_value());
  CHECK((*by_external)->id == e.id);
}

TEST_CASE(
    "an event needs a title and a place and an end after its start and at "
    "least one place") {
  auto db = MigratedDb();
  NewEvent e = Workshop(kNow + kDay);
  SUBCASE("no title") { e.title.clear(); }
  SUBCASE("no place") { e.place.clear(); }
  SUBCASE("ends before it starts") { e.ends_at = e.starts_at; }
  SUBCASE("no places") { e.capacity = 0; }
  SUBCASE("online without a link") { e.place = std::string(kEventOnline); }
  SUBCASE("a tag with a comma") { e.tags = {"a,b"}; }
  auto id = AddEvent(*db, e, kNow);
  CHECK(id.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("an external id names one event") {
  auto db = MigratedDb();
  NewEvent e = Workshop(kNow + kDay);
  e.external_id = "demo-1";
  Add(*db, e);
  CHECK(AddEvent(*db, e, kNow).status().code() == Status::Code::kAlreadyExists);
}

TEST_CASE(
    "upcoming events come soonest first a page at a time and past ones never") {
  auto db = MigratedDb();
  Add(*db, Workshop(kNow - kHour, 10, "passato"));
  const int64_t third = Add(*db, Workshop(kNow + 3 * kDay, 10, "terzo"));
  const int64_t first = Add(*db, Workshop(kNow + 1 * kDay, 10, "primo"));
  const int64_t second = Add(*db, Workshop(kNow + 2 * kDay, 10, "secondo"));
  auto page1 = UpcomingEvents(*db, kNow, 0, 2);
  REQUIRE(page1.ok());
  REQUIRE(page1->size() == 2);
  CHECK((*page1)[0].id == first);
  CHECK((*page1)[1].id == second);
  auto page2 = UpcomingEvents(*db, kNow, 2, 2);
  REQUIRE(page2.ok());
  REQUIRE(page2->size() == 1);
  CHECK((*page2)[0].id == third);
  CHECK(CountUpcomingEvents(*db, kNow).value() == 3);
}

TEST_CASE("people sign up until the places are taken and then wait in line") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 2));
  const std::array<int64_t, 4> people = {
      NewUser(*db, "anna"), NewUser(*db, "luca"), NewUser(*db, "sara"),
      NewUser(*db, "marco")};
  CHECK(SignUpOk(*db, event, people[0]).state == SignupState::kSignedUp);
  CHECK(SignUpOk(*db, event, people[1]).state == SignupState::kSignedUp);
  const Signup third = SignUpOk(*db, event, people[2], kNow + 1);
  const Signup fourth = SignUpOk(*db, event, people[3], kNow + 2);
  CHECK(third.state == SignupState::kWaiting);
  CHECK(fourth.state == SignupState::kWaiting);
  CHECK(WaitingPosition(*db, third).value() == 1);
  CHECK(WaitingPosition(*db, fourth).value() == 2);
  const Event e = Load(*db, event);
  CHECK(e.signed_up == 2);
  CHECK(e.waiting == 2);
  CHECK(e.free_places() == 0);
}

TEST_CASE("signing up twice keeps the place") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  const int64_t anna = NewUser(*db, "anna");
  const Signup first = SignUpOk(*db, event, anna);
  const Signup again = SignUpOk(*db, event, anna, kNow + kHour);
  CHECK(again.id == first.id);
  CHECK(again.state == SignupState::kSignedUp);
  CHECK(again.queued_at == first.queued_at);
  CHECK(Load(*db, event).signed_up == 1);
}

TEST_CASE("a cancellation gives the freed place to the first person waiting") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  const int64_t sara = NewUser(*db, "sara");
  SignUpOk(*db, event, anna);
  SignUpOk(*db, event, luca, kNow + 1);
  const Signup sara_waits = SignUpOk(*db, event, sara, kNow + 2);

  auto c = CancelSignup(*db, event, anna, kNow + kHour);
  REQUIRE(c.ok());
  CHECK(c->cancelled.state == SignupState::kCancelled);
  REQUIRE(c->promoted.has_value());
  CHECK(c->promoted->user_id == luca);
  CHECK(c->promoted->state == SignupState::kSignedUp);
  CHECK(WaitingPosition(*db, *FindSignup(*db, event, sara).value()).value() ==
        1);
  CHECK(sara_waits.state == SignupState::kWaiting);
  const Event e = Load(*db, event);
  CHECK(e.signed_up == 1);
  CHECK(e.waiting == 1);
}

TEST_CASE("leaving the waiting list frees no place and promotes nobody") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, event, anna);
  SignUpOk(*db, event, luca);
  auto c = CancelSignup(*db, event, luca, kNow);
  REQUIRE(c.ok());
  CHECK_FALSE(c->promoted.has_value());
  CHECK(FindSignup(*db, event, anna).value()->state == SignupState::kSignedUp);
}

TEST_CASE(
    "a person who cancelled and signs up again goes to the back of the line") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  const int64_t sara = NewUser(*db, "sara");
  SignUpOk(*db, event, anna);
  SignUpOk(*db, event, luca, kNow + 1);
  REQUIRE(CancelSignup(*db, event, luca, kNow + 2).ok());
  SignUpOk(*db, event, sara, kNow + 3);
  const Signup back = SignUpOk(*db, event, luca, kNow + 4);
  CHECK(back.state == SignupState::kWaiting);
  CHECK(back.queued_at == kNow + 4);
  CHECK(WaitingPosition(*db, back).value() == 2);
}

TEST_CASE("nobody signs up for or cancels an event that has started") {
  auto db = MigratedDb();
  const int64_t start = kNow + kDay;
  const int64_t event = Add(*db, Workshop(start, 5));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, event, anna);
  CHECK(SignUp(*db, event, luca, start).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(CancelSignup(*db, event, anna, start + 1).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE(
    "a cancelled event is no longer offered and nobody joins or leaves it") {
  auto db = MigratedDb();
  const int64_t kept = Add(*db, Workshop(kNow + kDay, 5, "resta"));
  const int64_t dropped = Add(*db, Workshop(kNow + 2 * kDay, 1, "annullato"));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, dropped, anna);
  SignUpOk(*db, dropped, luca);  // waiting

  REQUIRE(CancelEvent(*db, dropped, kNow + 1).ok());

  const Event e = Load(*db, dropped);
  CHECK(e.cancelled_at == kNow + 1);
  CHECK(e.signed_up == 1);  // who was coming stays on record
  auto upcoming = UpcomingEvents(*db, kNow, 0, 10);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 1);
  CHECK((*upcoming)[0].id == kept);
  CHECK(CountUpcomingEvents(*db, kNow).value() == 1);
  CHECK(ActiveSignupsForUser(*db, anna, kNow).value().empty());
  CHECK(ActiveSignupsForEvent(*db, dropped).value().size() == 2);
  const int64_t sara = NewUser(*db, "sara");
  CHECK(SignUp(*db, dropped, sara, kNow).status().code() ==
        Status::Code::kInvalidArgument);
  // Leaving would hand the place to luca, for an event that will not be.
  CHECK(CancelSignup(*db, dropped, anna, kNow).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(CancelEvent(*db, dropped, kNow).code() ==
        Status::Code::kInvalidArgument);
  CHECK(CancelEvent(*db, dropped + 100, kNow).code() ==
        Status::Code::kNotFound);
}

TEST_CASE("staff list events to come, or all of them") {
  auto db = MigratedDb();
  const int64_t past = Add(*db, Workshop(kNow - 2 * kDay, 5, "passato"));
  const int64_t next = Add(*db, Workshop(kNow + kDay, 5, "prossimo"));
  const int64_t dropped = Add(*db, Workshop(kNow + 2 * kDay, 5, "annullato"));
  REQUIRE(CancelEvent(*db, dropped, kNow).ok());
  auto upcoming = ListEvents(*db, kNow, false, 50);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 1);
  CHECK((*upcoming)[0].id == next);
  auto all = ListEvents(*db, kNow, true, 50);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].id == past);
}

TEST_CASE("an edit changes the details but never seats fewer than signed up") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 3));
  SignUpOk(*db, event, NewUser(*db, "anna"));
  SignUpOk(*db, event, NewUser(*db, "luca"));
  NewEvent edit = Workshop(kNow + 2 * kDay, 2, "Workshop CV e colloquio");

  REQUIRE(UpdateEvent(*db, event, edit, kNow + 5).ok());
  const Event e = Load(*db, event);
  CHECK(e.title == "Workshop CV e colloquio");
  CHECK(e.starts_at == kNow + 2 * kDay);
  CHECK(e.capacity == 2);
  CHECK(e.updated_at == kNow + 5);

  edit.capacity = 1;
  CHECK(UpdateEvent(*db, event, edit, kNow).code() ==
        Status::Code::kInvalidArgument);
  CHECK(Load(*db, event).capacity == 2);
  CHECK(UpdateEvent(*db, event + 100, edit, kNow).code() ==
        Status::Code::kNotFound);
}

TEST_CASE("more places go to the people waiting, first come first served") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  SignUpOk(*db, event, NewUser(*db, "anna"));
  const int64_t luca = NewUser(*db, "luca");
  const int64_t sara = NewUser(*db, "sara");
  const int64_t ugo = NewUser(*db, "ugo");
  SignUpOk(*db, event, luca, kNow + 1);
  SignUpOk(*db, event, sara, kNow + 2);
  SignUpOk(*db, event, ugo, kNow + 3);
  REQUIRE(UpdateEvent(*db, event, Workshop(kNow + kDay, 3), kNow).ok());

  auto promoted = PromoteWaiting(*db, event, kNow + 10);
  REQUIRE(promoted.ok());
  REQUIRE(promoted->size() == 2);
  CHECK((*promoted)[0].user_id == luca);
  CHECK((*promoted)[1].user_id == sara);
  CHECK(FindSignup(*db, event, ugo).value()->state == SignupState::kWaiting);
  CHECK(PromoteWaiting(*db, event, kNow).value().empty());
}

TEST_CASE("an unknown event or person or sign-up is not found") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 5));
  const int64_t anna = NewUser(*db, "anna");
  CHECK(SignUp(*db, event + 1, anna, kNow).status().code() ==
        Status::Code::kNotFound);
  CHECK(SignUp(*db, event, anna + 100, kNow).status().code() ==
        Status::Code::kNotFound);
  CHECK(CancelSignup(*db, event, anna, kNow).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE("a person's active sign-ups come soonest event first") {
  auto db = MigratedDb();
  const int64_t later = Add(*db, Workshop(kNow + 5 * kDay, 1, "dopo"));
  const int64_t sooner = Add(*db, Workshop(kNow + 2 * kDay, 1, "prima"));
  const int64_t dropped = Add(*db, Workshop(kNow + 3 * kDay, 1, "annullato"));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, later, luca);
  SignUpOk(*db, later, anna);  // waiting
  SignUpOk(*db, sooner, anna);
  SignUpOk(*db, dropped, anna);
  REQUIRE(CancelSignup(*db, dropped, anna, kNow).ok());
  auto mine = ActiveSignupsForUser(*db, anna, kNow);
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 2);
  CHECK((*mine)[0].event_id == sooner);
  CHECK((*mine)[1].event_id == later);
  CHECK((*mine)[1].state == SignupState::kWaiting);
}

TEST_CASE(
    "erasing a person's data leaves their sign-ups without a name but "
    "counted") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 5));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, event, anna);
  SignUpOk(*db, event, luca);
  CHECK(AnonymiseEventSignups(*db, anna).value() == 1);
  CHECK_FALSE(FindSignup(*db, event, anna).value().has_value());
  CHECK(FindSignup(*db, event, luca).value().has_value());
  CHECK(Load(*db, event).signed_up == 2);
}

TEST_CASE("the database itself refuses to seat more people than the places") {
  auto db = MigratedDb();
  const int64_t event = Add(*db, Workshop(kNow + kDay, 1));
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  SignUpOk(*db, event, anna);
  const Signup waiting = SignUpOk(*db, event, luca);
  REQUIRE(waiting.state == SignupState::kWaiting);
  Statement promote =
      db->Prepare("UPDATE event_signups SET state = 'signed_up' WHERE id = ?1");
  promote.Bind(1, waiting.id);
  CHECK_FALSE(promote.Run().ok());
  Statement insert = db->Prepare(
      "INSERT INTO event_signups(event_id, user_id, state, queued_at, "
      "updated_at)"
      " VALUES(?1, ?2, 'signed_up', 0, 0)");
  insert.Bind(1, event).Bind(2, NewUser(*db, "sara"));
  CHECK_FALSE(insert.Run().ok());
  CHECK(Load(*db, event).signed_up == 1);
}

TEST_CASE(
    "two people racing for the last place on their own connections: exactly "
    "one gets it") {
  support::TempDir dir;
  const std::string path = dir.File("race.db");
  auto setup = Database::Open(support::TestDatabaseAt(path));
  REQUIRE(setup.ok());
  Database& db = **setup;
  REQUIRE(Migrate(db).ok());
  const std::array<int64_t, 2> racers = {NewUser(db, "anna"),
                                         NewUser(db, "luca")};
  const int64_t early = NewUser(db, "early");
  constexpr int kRounds = 40;
  std::vector<int64_t> events;
  for (int i = 0; i < kRounds; ++i) {
    // Three places, two taken already: one left for the racers.
    const int64_t e = Add(db, Workshop(kNow + kDay + i * kHour, 3));
    SignUpOk(db, e, early);
    SignUpOk(db, e, NewUser(db, "early-" + std::to_string(i)));
    events.push_back(e);
  }
  std::array<std::unique_ptr<Database>, 2> connections;
  for (auto& c : connections) {
    auto opened = Database::Open(support::TestDatabaseAt(path));
    REQUIRE(opened.ok());
    c = std::move(*opened);
  }

  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    std::latch start(2);
    std::array<Status, 2> outcome;
    std::array<SignupState, 2> state{};
    auto racer = [&](int i) {
      Database& mine = *connections[i];
      start.arrive_and_wait();
      Transaction txn(mine);
      if (!txn.status().ok()) {
        outcome[i] = txn.status();
        return;
      }
      auto s = SignUp(mine, events[round], racers[i], kNow);
      if (!s.ok()) {
        outcome[i] = s.status();
        return;
      }
      state[i] = s->state;
      outcome[i] = txn.Commit();
    };
    std::thread a(racer, 0);
    std::thread b(racer, 1);
    a.join();
    b.join();
    REQUIRE_MESSAGE(outcome[0].ok(), outcome[0].ToString());
    REQUIRE_MESSAGE(outcome[1].ok(), outcome[1].ToString());
    CHECK((state[0] == SignupState::kSignedUp) +
              (state[1] == SignupState::kSignedUp) ==
          1);
    CHECK((state[0] == SignupState::kWaiting) +
              (state[1] == SignupState::kWaiting) ==
          1);
    const Event e = Load(db, events[round]);
    CHECK(e.signed_up == 3);
    CHECK(e.waiting == 1);
  }
}

TEST_CASE(
    "a cancelled reminder's outbox key can be used again but a pending one is "
    "kept") {
  auto db = MigratedDb();
  const int64_t anna = NewUser(*db, "anna");
  auto enqueue = [&](const std::string& key) {
    NewOutboxRow row;
    row.channel = "telegram";
    row.chat_id = "anna";
    row.user_id = anna;
    row.kind = "text";
    row.payload = "{}";
    row.dedupe_key = key;
    row.due_at = kNow + kDay;
    auto id = EnqueueOutbox(*db, row, kNow);
    REQUIRE(id.ok());
    return *id;
  };
  REQUIRE(enqueue("event:1:1:reminder").has_value());
  CHECK_FALSE(ReleaseCancelledOutboxKey(*db, "event:1:1:reminder")
                  .value());  // still pending
  REQUIRE(CancelOutboxByDedupeKey(*db, "event:1:1:reminder").value());
  CHECK(ReleaseCancelledOutboxKey(*db, "event:1:1:reminder").value());
  CHECK(enqueue("event:1:1:reminder").has_value());
}

}  // namespace
}  // namespace sportello::storage
