// Conversations that never trap anyone, through the web chat, the real
// dispatcher and SQLite: the handoff queue keeps the way out and the
// person's rights; nothing is promised that will not happen; browsing needs
// no consent; the language changes only on clear evidence; implausible
// answers are asked again; the privacy summary says each thing once; and
// nobody is offered a time, or told we are open, on a day the centre is
// closed.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bot/app/demo_data.h"
#include "bot/core/rome_time.h"
#include "storage/appointments.h"
#include "storage/events.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using std::chrono::year_month_day;

std::string Language(TestBot& bot, const std::string& user) {
  auto reader = bot.store->OpenReader().value();
  auto st = reader->Prepare("SELECT language FROM users WHERE external_id = '" +
                            user + "'");
  return st.Step() ? st.Text(0) : "";
}

// --- The handoff queue -----------------------------------------------------

struct Queued {
  TestBot bot;
  Queued() {
    bot.clock.SetMillis(Rome(Day(2026, 11, 22), 11, 0));  // a Sunday: closed
    (void)bot.Say("u1", "ciao");
    const auto queued = bot.Say("u1", "voglio parlare con un operatore");
    REQUIRE(Mentions(queued, "chiuso"));
    REQUIRE(Mode(bot) == "waiting_for_human");
  }
};

TEST_CASE("annulla leaves the queue, says so and shows the menu") {
  Queued q;
  const auto left = q.bot.Say("u1", "annulla");
  CHECK(Mentions(left, It("handoff.left")));
  CHECK(Offers(left, "menu:jobs"));
  CHECK(Mode(q.bot) == "bot");
  // The bot answers again at once.
  CHECK_FALSE(q.bot.Say("u1", "cerco lavoro").empty());
}

TEST_CASE("stop is answered while waiting and the person stays in the queue") {
  Queued q;
  const auto stopped = q.bot.Say("u1", "stop");
  CHECK(Mentions(stopped, It("privacy.notify_off_done")));
  CHECK(Mode(q.bot) == "waiting_for_human");
}

TEST_CASE("privacy requests are answered while waiting") {
  Queued q;
  SUBCASE("my data") {
    const auto data = q.bot.Say("u1", "i miei dati");
    CHECK(Mentions(data, "📄"));
  }
  SUBCASE("erasure, confirmed") {
    const auto confirm = q.bot.Say("u1", "cancella i miei dati");
    CHECK(Offers(confirm, "privacy:erase_yes"));
    const auto erased = q.bot.Press("u1", "privacy:erase_yes");
    CHECK(Mentions(erased, It("privacy.erased")));
  }
  CHECK(Mode(q.bot) == "waiting_for_human");
}

TEST_CASE(
    "other messages are kept for the counsellor and the first gets a "
    "reminder of the queue and the way out") {
  Queued q;
  const auto first = q.bot.Say("u1", "menu");
  CHECK(Mentions(first, "Sei già in coda"));
  CHECK(Mentions(first, "annulla"));
  CHECK(Mode(q.bot) == "waiting_for_human");
  CHECK(q.bot.Say("u1", "cerco lavoro").empty());
  CHECK(q.bot.Count("SELECT count(*) FROM messages WHERE direction = 'in' AND "
                    "text IN ('menu', 'cerco lavoro')") == 2);
  SUBCASE("the way out still works afterwards") {
    (void)q.bot.Say("u1", "annulla");
    CHECK(Mode(q.bot) == "bot");
  }
}

// --- Promises ----------------------------------------------------------------

TEST_CASE("notifiche on without consent asks for it before switching on") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  const auto asked = bot.Say("u1", "notifiche on");
  CHECK_FALSE(Mentions(asked, "Notifiche attivate"));
  CHECK(Offers(asked, "consent:age:16_29"));
  CHECK(bot.Count("SELECT count(*) FROM users WHERE notify = 1") == 0);

  (void)bot.Press("u1", "consent:age:16_29");
  const auto accepted = bot.Press("u1", "consent:yes");
  CHECK(Mentions(accepted, "Notifiche attivate"));
  CHECK(bot.Count("SELECT count(*) FROM users WHERE notify = 1") == 1);
}

TEST_CASE("upcoming events are shown without consent; signing up asks it") {
  TestBot bot;
  bot.clock.SetMillis(Rome(Day(2026, 11, 16), 10, 0));
  const int64_t e =
      AddEvent(bot, "Recruiting Day Turismo", Rome(Day(2026, 11, 20), 9, 30));
  (void)bot.Say("u1", "ciao");
  const auto list = bot.Say("u1", "ci sono eventi?");
  CHECK(Mentions(list, "Recruiting Day Turismo"));
  CHECK_FALSE(Offers(list, "consent:age:16_29"));

  const auto join = bot.Press("u1", "events:join:" + std::to_string(e));
  CHECK(Offers(join, "consent:age:16_29"));
  CHECK(bot.Count("SELECT count(*) FROM event_signups") == 0);
}

// --- Language ----------------------------------------------------------------

TEST_CASE("an odd message does not turn an Italian conversation English") {
  TestBot bot;
  (void)bot.Say("u1", "ciao, cerco lavoro");
  REQUIRE(Language(bot, "u1") == "it");
  for (std::string odd : {"\"", "...", "\"...\"", "👍", "😂😂", "okay", "thx",
                          "help", "what?", "on", "I", "ok fine"}) {
    CAPTURE(odd);
    const auto replies = bot.Say("u1", odd);
    CHECK_FALSE(Mentions(replies, "Sorry"));
    CHECK(Language(bot, "u1") == "it");
    (void)bot.Say("u1", "menu");  // whatever flow the message began, left
  }
  SUBCASE("several English words are clear evidence") {
    (void)bot.Say("u1", "I am looking for a job in Bari");
    CHECK(Language(bot, "u1") == "en");
  }
}

// --- Implausible answers -----------------------------------------------------

TEST_CASE("an implausible age is asked again, never read as under 14") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Say("u1", "voglio fare il profilo");
  for (std::string garbage : {"%1$d", "{1}", "1", "ho 3 anni", "1850", "150"}) {
    CAPTURE(garbage);
    const auto again = bot.Say("u1", garbage);
    CHECK_FALSE(Mentions(again, "Sotto i 14 anni"));
    CHECK(Offers(again, "consent:age:u14"));
  }
  CHECK(bot.Count("SELECT count(*) FROM audit_log WHERE action = 'erasure'") ==
        0);
  SUBCASE("a plausible age goes on to the notice") {
    const auto notice = bot.Say("u1", "ho 17 anni");
    CHECK(Offers(notice, "consent:yes"));
  }
  SUBCASE("so does a birth year") {
    const auto notice = bot.Say("u1", "sono del 2004");
    CHECK(Offers(notice, "consent:yes"));
  }
}

// --- The privacy summary -----------------------------------------------------

TEST_CASE("the privacy summary names the person once") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  (void)bot.Say("u1", "profilo");
  (void)bot.Say("u1", "Ilaria");
  (void)bot.Say("u1", "2004");
  const std::string text = AllText(bot.Say("u1", "i miei dati"));
  CHECK(text.find("Nome: —") == std::string::npos);
  const size_t first = text.find("Nome: Ilaria");
  REQUIRE(first != std::string::npos);
  CHECK(text.find("Nome:", first + 1) == std::string::npos);
}

// --- Holidays ----------------------------------------------------------------

TEST_CASE("on a public holiday the bot does not say a counsellor is about") {
  TestBot bot;
  // Tuesday 8 December 2026, 10:00: inside the weekly hours, a holiday.
  bot.clock.SetMillis(Rome(Day(2026, 12, 8), 10, 0));
  (void)bot.Say("u1", "ciao");
  const auto queued = bot.Press("u1", "menu:human");
  CHECK(Mentions(queued, "chiuso"));
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                  "'handoff-timeout:%'") == 0);
}

TEST_CASE("no appointment is offered on a holiday or a local closure") {
  TestBot bot;
  bot.clock.SetMillis(Rome(Day(2026, 12, 3), 10, 0));  // a Thursday
  AddSlot(bot, Rome(Day(2026, 12, 7), 9, 0));          // Monday: open
  AddSlot(bot, Rome(Day(2026, 12, 8), 9, 0));          // Immacolata
  AddSlot(bot, Rome(Day(2026, 12, 9), 9, 0));          // Wednesday: open
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  (void)bot.Press("u1", "menu:booking");
  const auto days = bot.Press("u1", "booking:svc:orientamento");
  CHECK(Offers(days, "booking:day:orientamento:0:2026-12-07"));
  CHECK_FALSE(Offers(days, "booking:day:orientamento:0:2026-12-08"));
  CHECK(Offers(days, "booking:day:orientamento:0:2026-12-09"));
  SUBCASE("a closure of the centre's own, configured") {
    bot.config.centre.closures = "12-07";
    bot.Restart();
    (void)bot.Press("u1", "menu:booking");
    const auto fewer = bot.Press("u1", "booking:svc:orientamento");
    CHECK_FALSE(Offers(fewer, "booking:day:orientamento:0:2026-12-07"));
    CHECK(Offers(fewer, "booking:day:orientamento:0:2026-12-09"));
  }
}

TEST_CASE("demo slots skip holidays and local closures") {
  TestBot bot;
  const auto add_demo = [&](const CentreConfig& centre) {
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) {
                  return AddDemoSlots(db, centre, Rome(Day(2026, 12, 2), 10, 0))
                      .status();
                })
                .ok());
  };
  const auto on = [&](year_month_day d) {
    return bot.Count("SELECT count(*) FROM slots WHERE starts_at >= " +
                     std::to_string(Rome(d, 0, 0)) + " AND starts_at < " +
                     std::to_string(Rome(d, 23, 59)));
  };
  SUBCASE("the default calendar") {
    add_demo(bot.config.centre);
    CHECK(on(Day(2026, 12, 7)) > 0);   // an ordinary Monday
    CHECK(on(Day(2026, 12, 8)) == 0);  // Immacolata
    CHECK(on(Day(2026, 12, 22)) > 0);  // an ordinary Tuesday
    CHECK(on(Day(2026, 12, 4)) > 0);   // an ordinary Friday
  }
  SUBCASE("a closure of the centre's own") {
    CentreConfig centre = bot.config.centre;
    centre.closures = "12-04";
    add_demo(centre);
    CHECK(on(Day(2026, 12, 4)) == 0);
    CHECK(on(Day(2026, 12, 7)) > 0);
  }
}

// --- A new person books quickly ----------------------------------------------

TEST_CASE("a new person books an appointment in at most 8 turns from ciao") {
  TestBot bot;
  bot.clock.SetMillis(Rome(Day(2030, 11, 25), 9, 0));  // a Monday
  const int64_t slot = AddSlot(bot, Rome(Day(2030, 11, 26), 10, 30));
  int turns = 0;
  const auto say = [&](const std::string& text) {
    ++turns;
    return bot.Say("u1", text);
  };
  const auto press = [&](const std::string& id) {
    ++turns;
    return bot.Press("u1", id);
  };
  (void)say("ciao");
  (void)say("vorrei prenotare un appuntamento");
  (void)press("consent:age:16_29");
  const auto services = press("consent:yes");
  REQUIRE(Offers(services, "booking:svc:orientamento"));
  (void)press("booking:svc:orientamento");
  (void)press("booking:day:orientamento:0:2030-11-26");
  const auto done = press("booking:at:orientamento:0:" + std::to_string(slot));
  CHECK(Mentions(done, "Prenotato"));
  CHECK(bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked'") == 1);
  CHECK(turns <= 8);
}

}  // namespace
}  // namespace sportello::testing
