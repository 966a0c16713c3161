// Events as a person experiences them through the web chat, the real
// dispatcher and SQLite: the list three at a time, details, signing up, the
// waiting list, cancelling (the next in line is told), and the reminder the
// evening before on Rome's clock, never after a cancellation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "bot/app/demo_data.h"
#include "bot/core/rome_time.h"
#include "bot/domain/events.h"
#include "bot/flows/events.h"
#include "storage/events.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using std::chrono::year_month_day;

constexpr int64_t kHour = 3'600'000;

std::string Id(const char* verb, int64_t n) {
  return std::string("events:") + verb + ":" + std::to_string(n);
}

int64_t UserId(TestBot& bot, const std::string& user) {
  return bot.Count(
      "SELECT id FROM users WHERE channel = 'web' AND external_id = '" + user +
      "'");
}

std::string ReminderKey(TestBot& bot, int64_t event, const std::string& user) {
  return EventReminderKey(event, UserId(bot, user));
}

int64_t OutboxCount(TestBot& bot, const std::string& key,
                    const std::string& state) {
  return bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key = '" + key +
                   "' AND state = '" + state + "'");
}

struct Fixture {
  TestBot bot;
  Fixture() {
    bot.clock.SetMillis(Rome(Day(2026, 11, 16), 10, 0));
  }  // a Monday
};

TEST_CASE(
    "asking for events lists the next three with a button for each and more "
    "after them") {
  Fixture f;
  const int64_t a =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 20), 9, 30));
  const int64_t b =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0));
  const int64_t c =
      AddEvent(f.bot, "Seminario impresa", Rome(Day(2026, 12, 1), 10, 0));
  const int64_t d =
      AddEvent(f.bot, "Info session Erasmus", Rome(Day(2026, 12, 9), 17, 0));
  AddEvent(f.bot, "Evento passato", Rome(Day(2026, 11, 10), 9, 0));
  Ready(f.bot, "u1");

  auto list = f.bot.Say("u1", "ci sono eventi?");
  REQUIRE(list.size() == 1);
  CHECK(Mentions(list, "1. Recruiting Day Turismo"));
  CHECK(Mentions(list, "venerdì 20 novembre, ore 09:30"));
  CHECK(Mentions(list, "3. Seminario impresa"));
  CHECK_FALSE(Mentions(list, "Erasmus"));
  CHECK_FALSE(Mentions(list, "passato"));
  CHECK(ButtonIds(list) ==
        std::vector<std::string>{Id("show", a), Id("show", b), Id("show", c),
                                 Id("list", 3)});

  auto more = f.bot.Press("u1", Id("list", 3));
  CHECK(Mentions(more, "1. Info session Erasmus"));
  CHECK(Offers(more, Id("show", d)));
  CHECK_FALSE(Offers(more, Id("list", 6)));
}

TEST_CASE(
    "a person who has not consented sees the events at once: a list keeps "
    "nothing about them") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 20), 9, 30));
  (void)f.bot.Say("u1", "ciao");
  auto asked = f.bot.Say("u1", "ci sono eventi?");
  CHECK(Mentions(asked, "Recruiting Day Turismo"));
  auto details = f.bot.Press("u1", Id("show", e));
  CHECK(Offers(details, Id("join", e)));
}

TEST_CASE(
    "a person who presses sign up before consenting is signed up once they "
    "accept") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0));
  (void)f.bot.Say("u1", "ciao");
  auto asked = f.bot.Press("u1", Id("join", e));
  CHECK_FALSE(Mentions(asked, "Sei iscritto"));
  CHECK(f.bot.Count("SELECT count(*) FROM event_signups") == 0);
  (void)f.bot.Press("u1", "consent:age:16_29");
  auto accepted = f.bot.Press("u1", "consent:yes");
  CHECK(Mentions(accepted, "Sei iscritto a Workshop CV"));
  CHECK(f.bot.Count(
            "SELECT count(*) FROM event_signups WHERE state = 'signed_up'") ==
        1);
}

TEST_CASE("the details of an event show when and where and the places left") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0), 12);
  Ready(f.bot, "u1");
  (void)f.bot.Say("u1", "ci sono eventi?");
  auto details = f.bot.Press("u1", Id("show", e));
  CHECK(Mentions(details, "martedì 24 novembre, ore 15:00 – 18:00"));
  CHECK(Mentions(details, "Fiera del Levante, Bari"));
  CHECK(Mentions(details, "Porta il CV."));
  CHECK(Mentions(details, "Posti liberi: 12 su 12"));
  CHECK(ButtonIds(details) ==
        std::vector<std::string>{Id("join", e), Id("list", 0)});
}

TEST_CASE("typing the number of an event in the list opens its details") {
  Fixture f;
  AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 20), 9, 30));
  const int64_t second =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0));
  Ready(f.bot, "u1");
  (void)f.bot.Say("u1", "ci sono eventi?");
  auto details = f.bot.Say("u1", "2");
  CHECK(Mentions(details, "Workshop CV"));
  CHECK(Offers(details, Id("join", second)));
}

TEST_CASE("signing up confirms the place and the details say so") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0), 12);
  Ready(f.bot, "u1");
  auto joined = f.bot.Press("u1", Id("join", e));
  CHECK(Mentions(joined, "Sei iscritto a Workshop CV"));
  CHECK(Offers(joined, "events:mine"));
  CHECK(f.bot.Count(
            "SELECT count(*) FROM event_signups WHERE state = 'signed_up'") ==
        1);
  auto details = f.bot.Press("u1", Id("show", e));
  CHECK(Mentions(details, "Sei iscritto."));
  CHECK(Offers(details, Id("leave", e)));
  auto again = f.bot.Press("u1", Id("join", e));
  CHECK(Mentions(again, "Sei già iscritto"));
  CHECK(f.bot.Count("SELECT count(*) FROM event_signups") == 1);
}

TEST_CASE(
    "the reminder is due at six in the evening Rome time the day before") {
  Fixture f;
  // Summer time starts on Sunday 29 March 2026: the day before a Monday
  // event is already on CEST (UTC+2).
  f.bot.clock.SetMillis(Rome(Day(2026, 3, 20), 10, 0));
  const int64_t e =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 3, 30), 9, 30));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", Id("join", e));
  const std::string key = ReminderKey(f.bot, e, "u1");
  REQUIRE(OutboxCount(f.bot, key, "pending") == 1);
  const int64_t due =
      f.bot.Count("SELECT due_at FROM outbox WHERE dedupe_key = '" + key + "'");
  const int64_t utc_16 = core::ToMillis(
      std::chrono::sys_days{Day(2026, 3, 29)} + std::chrono::hours{16});
  CHECK(due == utc_16);

  f.bot.clock.SetMillis(due - 60'000);
  CHECK(Poll(f.bot, "u1").empty());
  f.bot.clock.SetMillis(due);
  auto reminder = Poll(f.bot, "u1");
  REQUIRE(reminder.size() == 1);
  CHECK(Mentions(reminder, "Promemoria: domani c'è Recruiting Day Turismo"));
  CHECK(Mentions(reminder, "lunedì 30 marzo, ore 09:30"));
}

TEST_CASE("a full event puts the next person on the waiting list") {
  Fixture f;
  const int64_t e = AddEvent(f.bot, "Simulazione colloquio",
                             Rome(Day(2026, 11, 24), 10, 0), 1);
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  (void)f.bot.Press("u1", Id("join", e));
  auto details = f.bot.Press("u2", Id("show", e));
  CHECK(Mentions(details, "Posti esauriti"));
  CHECK(Offers(details, Id("join", e)));
  auto waiting = f.bot.Press("u2", Id("join", e));
  CHECK(Mentions(waiting, "lista d'attesa (posizione 1)"));
  CHECK(f.bot.Count(
            "SELECT count(*) FROM event_signups WHERE state = 'waiting'") == 1);
  CHECK(OutboxCount(f.bot, ReminderKey(f.bot, e, "u2"), "pending") == 0);
  CHECK(Mentions(f.bot.Press("u2", Id("show", e)),
                 "Sei in lista d'attesa (posizione 1)"));
}

TEST_CASE(
    "cancelling a place gives it to the first person waiting who is told at "
    "once") {
  Fixture f;
  const int64_t e = AddEvent(f.bot, "Simulazione colloquio",
                             Rome(Day(2026, 11, 24), 10, 0), 1);
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  Ready(f.bot, "u3");
  (void)f.bot.Press("u1", Id("join", e));
  (void)f.bot.Press("u2", Id("join", e));
  (void)f.bot.Press("u3", Id("join", e));

  auto confirm = f.bot.Press("u1", Id("leave", e));
  CHECK(Mentions(confirm,
                 "Vuoi annullare l'iscrizione a Simulazione colloquio?"));
  CHECK(ButtonIds(confirm) ==
        std::vector<std::string>{Id("leave_ok", e), Id("show", e)});
  auto done = f.bot.Press("u1", Id("leave_ok", e));
  CHECK(Mentions(done, "ho annullato l'iscrizione a Simulazione colloquio"));

  auto told = Poll(f.bot, "u2");
  REQUIRE(told.size() == 1);
  CHECK(Mentions(
      told,
      "Si è liberato un posto: ora sei iscritto a Simulazione colloquio"));
  CHECK(Offers(told, Id("show", e)));
  CHECK(Poll(f.bot, "u3").empty());
  CHECK(Mentions(f.bot.Press("u3", Id("show", e)), "posizione 1"));
  // The place and the reminder moved with it.
  CHECK(OutboxCount(f.bot, ReminderKey(f.bot, e, "u1"), "cancelled") == 1);
  CHECK(OutboxCount(f.bot, ReminderKey(f.bot, e, "u2"), "pending") == 1);
  CHECK(f.bot.Count(
            "SELECT count(*) FROM event_signups WHERE state = 'signed_up'") ==
        1);
}

TEST_CASE(
    "cancelling all of a person's sign-ups hands each place to the next in "
    "line") {
  Fixture f;
  const int64_t small = AddEvent(f.bot, "Simulazione colloquio",
                                 Rome(Day(2026, 11, 24), 10, 0), 1);
  const int64_t big =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 27), 9, 0));
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  (void)f.bot.Press("u1", Id("join", small));
  (void)f.bot.Press("u1", Id("join", big));
  (void)f.bot.Press("u2", Id("join", small));
  int cancelled = 0;
  REQUIRE(f.bot.store
              ->Write([&](storage::Database& db) {
                auto n = CancelAllEventSignups(db, f.bot.catalog,
                                               UserId(f.bot, "u1"),
                                               f.bot.clock.NowMillis());
                if (n.ok()) cancelled = *n;
                return n.status();
              })
              .ok());
  CHECK(cancelled == 2);
  CHECK(f.bot.Count("SELECT count(*) FROM outbox WHERE state = 'pending' AND "
                    "dedupe_key LIKE 'event:%:" +
                    std::to_string(UserId(f.bot, "u1")) + ":reminder'") == 0);
  CHECK(Mentions(Poll(f.bot, "u2"), "Si è liberato un posto"));
}

TEST_CASE("no reminder is sent after a cancellation") {
  Fixture f;
  const int64_t start = Rome(Day(2026, 11, 24), 10, 0);
  const int64_t e = AddEvent(f.bot, "Workshop CV", start);
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", Id("join", e));
  (void)f.bot.Press("u1", Id("leave_ok", e));
  f.bot.clock.SetMillis(start - kHour);
  CHECK(Poll(f.bot, "u1").empty());
  CHECK(OutboxCount(f.bot, ReminderKey(f.bot, e, "u1"), "pending") == 0);
}

TEST_CASE("signing up again after cancelling schedules the reminder again") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 10, 0));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", Id("join", e));
  (void)f.bot.Press("u1", Id("leave_ok", e));
  auto back = f.bot.Press("u1", Id("join", e));
  CHECK(Mentions(back, "Sei iscritto a Workshop CV"));
  CHECK(OutboxCount(f.bot, ReminderKey(f.bot, e, "u1"), "pending") == 1);
}

TEST_CASE("naming an event when asking to sign up opens that event") {
  Fixture f;
  AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 10, 0));
  const int64_t recruiting =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 27), 9, 0));
  Ready(f.bot, "u1");
  auto details = f.bot.Say("u1", "voglio iscrivermi al recruiting day");
  CHECK(Mentions(details, "Recruiting Day Turismo"));
  CHECK(Offers(details, Id("join", recruiting)));
}

TEST_CASE(
    "my sign-ups lists the events a person is signed up for or waiting for") {
  Fixture f;
  const int64_t small = AddEvent(f.bot, "Simulazione colloquio",
                                 Rome(Day(2026, 11, 24), 10, 0), 1);
  const int64_t big =
      AddEvent(f.bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 27), 9, 0));
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  (void)f.bot.Press("u2", Id("join", small));
  (void)f.bot.Press("u1", Id("join", small));
  (void)f.bot.Press("u1", Id("join", big));
  auto mine = f.bot.Press("u1", "events:mine");
  CHECK(Mentions(mine, "⏳ Simulazione colloquio"));
  CHECK(Mentions(mine, "✅ Recruiting Day Turismo"));
  CHECK(Offers(mine, Id("show", small)));
  CHECK(Offers(mine, Id("show", big)));
}

TEST_CASE("with nothing planned the bot says so") {
  Fixture f;
  Ready(f.bot, "u1");
  auto none = f.bot.Say("u1", "ci sono eventi?");
  CHECK(Mentions(none, "non ci sono eventi in programma"));
}

TEST_CASE("a person who writes in English gets the events in English") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0), 12);
  (void)f.bot.Say("u1", "hello");
  f.bot.GiveConsent("u1");
  auto list = f.bot.Say("u1", "are there any events?");
  CHECK(Mentions(list, "Upcoming events"));
  CHECK(Mentions(list, "Tuesday 24 November"));
  CHECK(Mentions(f.bot.Press("u1", Id("join", e)),
                 "You're signed up for Workshop CV"));
}

TEST_CASE("a restart between the list and the sign-up loses nothing") {
  Fixture f;
  const int64_t e =
      AddEvent(f.bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0));
  Ready(f.bot, "u1");
  (void)f.bot.Say("u1", "ci sono eventi?");
  f.bot.Restart();
  auto details = f.bot.Say("u1", "1");
  CHECK(Offers(details, Id("join", e)));
  CHECK(Mentions(f.bot.Press("u1", Id("join", e)), "Sei iscritto"));
}

TEST_CASE("an event that has started can no longer be joined") {
  Fixture f;
  const int64_t start = Rome(Day(2026, 11, 24), 15, 0);
  const int64_t e = AddEvent(f.bot, "Workshop CV", start);
  Ready(f.bot, "u1");
  f.bot.clock.SetMillis(start + kHour);
  auto late = f.bot.Press("u1", Id("join", e));
  CHECK_FALSE(Mentions(late, "Sei iscritto"));
  CHECK(f.bot.Count("SELECT count(*) FROM event_signups") == 0);
}

TEST_CASE(
    "two people racing through the store for the last place: one gets it and "
    "one waits") {
  Fixture f;
  const int64_t e = AddEvent(f.bot, "Simulazione colloquio",
                             Rome(Day(2026, 11, 24), 10, 0), 1);
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  const std::array<int64_t, 2> users = {UserId(f.bot, "u1"),
                                        UserId(f.bot, "u2")};
  std::latch go(2);
  std::array<storage::SignupState, 2> state{};
  std::array<core::Status, 2> outcome;
  auto racer = [&](int i) {
    go.arrive_and_wait();
    outcome[i] = f.bot.store->Write([&](storage::Database& db) {
      auto s = SignUpForEvent(db, f.bot.catalog, users[i], e,
                              f.bot.clock.NowMillis());
      if (s.ok()) state[i] = s->signup.state;
      return s.status();
    });
  };
  std::thread a(racer, 0);
  std::thread b(racer, 1);
  a.join();
  b.join();
  REQUIRE(outcome[0].ok());
  REQUIRE(outcome[1].ok());
  CHECK((state[0] == storage::SignupState::kSignedUp) +
            (state[1] == storage::SignupState::kSignedUp) ==
        1);
  CHECK((state[0] == storage::SignupState::kWaiting) +
            (state[1] == storage::SignupState::kWaiting) ==
        1);
  // Only the one with the place has a reminder.
  CHECK(f.bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                    "'event:%:reminder'") == 1);
}

TEST_CASE("the demo events load once over the coming weeks on weekdays") {
  Fixture f;
  const int64_t now = f.bot.clock.NowMillis();
  DemoEventsSummary first, second;
  REQUIRE(f.bot.store
              ->Write([&](storage::Database& db) {
                auto s = AddDemoEvents(db, now);
                if (s.ok()) first = *s;
                return s.status();
              })
              .ok());
  REQUIRE(f.bot.store
              ->Write([&](storage::Database& db) {
                auto s = AddDemoEvents(db, now);
                if (s.ok()) second = *s;
                return s.status();
              })
              .ok());
  CHECK(first.added >= 4);
  CHECK(second.added == 0);
  CHECK(second.existing == first.added);
  auto reader = f.bot.store->OpenReader().value();
  auto events = storage::UpcomingEvents(*reader, now, 0, 100).value();
  REQUIRE(events.size() == static_cast<size_t>(first.added));
  for (const auto& e : events) {
    CAPTURE(e.title);
    const auto rome = core::ToRome(core::FromMillis(e.starts_at));
    CHECK(rome.weekday >= 1);
    CHECK(rome.weekday <= 5);
    CHECK(e.starts_at < now + 35 * 24 * kHour);
  }
}

}  // namespace
}  // namespace sportello::testing
