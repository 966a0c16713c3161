// People find their centre on a number two centres share: Porta Futuro Bari
// (centre 1, serving Bari) and CPI Molfetta (serving Molfetta). The comune
// a person names places them, typos and all; a comune no centre serves goes
// to centre 1; they may change; the comune is asked once, when it matters.
// Whatever the bot then says of address, hours and opening is their
// centre's. With one centre, none of this shows.
#include <doctest/doctest.h>

#include <string>

#include "storage/centres.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

constexpr const char* kBariAddress = "Via Giulio Petroni 15/F, 70124 Bari";
constexpr const char* kMolfettaAddress = "Via Cifariello 29, Molfetta";
constexpr const char* kMolfettaHours = "lun-ven 9:00-12:00";

struct Network {
  TestBot bot;
  int64_t molfetta = 0;

  // `with_molfetta` false: a single-centre deployment, centre 1 serving Bari.
  explicit Network(bool with_molfetta = true) {
    // Tuesday 3 December 2030, 15:30 in Rome: Bari's afternoon opening,
    // while Molfetta opens mornings only.
    bot.clock.SetMillis(Rome(Day(2030, 12, 3), 15, 30));
    bot.config.centre.name = "Porta Futuro Bari";
    bot.config.centre.address = kBariAddress;
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) {
                  storage::CentreChanges bari;
                  bari.comuni = std::vector<std::string>{"072006"};
                  if (auto s = storage::EditCentre(db, storage::kFirstCentre,
                                                   bari, 1);
                      !s.ok())
                    return s;
                  if (!with_molfetta) return core::Status::Ok();
                  storage::Centre m;
                  m.name = "CPI Molfetta";
                  m.address = kMolfettaAddress;
                  m.hours = kMolfettaHours;
                  m.opening_hours = "1-5 09:00-12:00";
                  m.contacts = "080 111 2233";
                  m.comuni = {"072029"};
                  m.services = {"orientamento", "curriculum"};
                  auto id = storage::AddCentre(db, m, 1);
                  if (id.ok()) molfetta = *id;
                  return id.status();
                })
                .ok());
  }

  // The centre of the only conversation.
  int64_t Centre() { return bot.Count("SELECT centre_id FROM conversations"); }
};

TEST_CASE("saying one's comune places the person, and the bot speaks for it") {
  Network n;
  (void)n.bot.Say("u1", "ciao");
  auto placed = n.bot.Say("u1", "sono di Molfetta");
  CHECK(n.Centre() == n.molfetta);
  CHECK(Mentions(placed, "CPI Molfetta"));
  CHECK(Mentions(placed, kMolfettaAddress));
  CHECK(Offers(placed, "centre:change"));  // a way back out

  auto where = n.bot.Say("u1", "dove siete?");
  CHECK(Mentions(where, kMolfettaAddress));
  CHECK_FALSE(Mentions(where, kBariAddress));
  CHECK(Mentions(n.bot.Say("u1", "orari di apertura"), kMolfettaHours));
}

TEST_CASE(
    "a person whose centre has closed is told of the region's default centre "
    "and books there") {
  Network n;
  Ready(n.bot, "u1");
  (void)n.bot.Say("u1", "sono di Molfetta");
  REQUIRE(n.Centre() == n.molfetta);
  REQUIRE(n.bot.store
              ->Write([&](storage::Database& db) {
                return storage::DisableCentre(db, n.molfetta, 2);
              })
              .ok());

  auto where = n.bot.Say("u1", "dove siete?");
  CHECK(Mentions(where, kBariAddress));
  CHECK_FALSE(Mentions(where, kMolfettaAddress));
  CHECK(n.Centre() == storage::kFirstCentre);
  // One centre is left: nobody is asked where they live.
  CHECK(Mentions(n.bot.Press("u1", "menu:booking"),
                 It("booking.choose_service")));
}

TEST_CASE("a comune typed with a slip or in lower case still places them") {
  for (const char* said :
       {"abito a Molfeta", "vivo a molfetta", "sono di MOLFETTA, ciao"}) {
    CAPTURE(said);
    Network n;
    (void)n.bot.Say("u1", "ciao");
    (void)n.bot.Say("u1", said);
    CHECK(n.Centre() == n.molfetta);
  }
}

TEST_CASE("a comune no centre serves goes to the region's default centre") {
  Network n;
  (void)n.bot.Say("u1", "ciao");
  (void)n.bot.Say("u1", "sono di Molfetta");
  REQUIRE(n.Centre() == n.molfetta);
  auto moved = n.bot.Say("u1", "vivo ad altamura");
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK(Mentions(moved, "Altamura"));
  CHECK(Mentions(moved, "Porta Futuro Bari"));
  CHECK(Mentions(moved, kBariAddress));
}

TEST_CASE("a person changes centre by asking for it, or by its button") {
  Network n;
  (void)n.bot.Say("u1", "ciao");
  (void)n.bot.Say("u1", "sono di Molfetta");
  REQUIRE(n.Centre() == n.molfetta);

  auto bari = n.bot.Say("u1", "voglio andare al centro di Bari");
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK(Mentions(bari, "Porta Futuro Bari"));
  CHECK(Mentions(n.bot.Say("u1", "dove siete?"), kBariAddress));

  auto choose = n.bot.Say("u1", "cambia centro");
  CHECK(Offers(choose, "centre:pick:1"));
  CHECK(Offers(choose, "centre:pick:" + std::to_string(n.molfetta)));
  CHECK(Offers(choose, "centre:skip"));
  auto picked = n.bot.Press("u1", "centre:pick:" + std::to_string(n.molfetta));
  CHECK(n.Centre() == n.molfetta);
  CHECK(Mentions(picked, kMolfettaAddress));
}

TEST_CASE("the comune is asked once, before a booking, which then goes on") {
  Network n;
  Ready(n.bot, "u1");
  auto asked = n.bot.Press("u1", "menu:booking");
  CHECK(Mentions(asked, It("centre.ask")));
  CHECK(Offers(asked, "centre:pick:1"));
  CHECK(Offers(asked, "centre:skip"));

  // A place the gazetteer does not know is asked again, buttons and all.
  auto unknown = n.bot.Say("u1", "Atlantide");
  CHECK(Mentions(unknown, "Atlantide"));
  CHECK(Offers(unknown, "centre:skip"));
  CHECK(n.Centre() == storage::kFirstCentre);

  auto answered = n.bot.Say("u1", "Molfeta");
  CHECK(n.Centre() == n.molfetta);
  CHECK(Mentions(answered, kMolfettaAddress));
  // The booking they asked for follows.
  CHECK(Mentions(answered, It("booking.choose_service")));
}

TEST_CASE("a person books only the services their centre offers") {
  Network n;
  Ready(n.bot, "u1");
  (void)n.bot.Press("u1", "menu:booking");
  auto services = n.bot.Say("u1", "Molfetta");
  REQUIRE(n.Centre() == n.molfetta);
  CHECK(Offers(services, "booking:svc:orientamento"));
  CHECK(Offers(services, "booking:svc:curriculum"));
  CHECK_FALSE(Offers(services, "booking:svc:garanzia_giovani"));
  // Pressed anyway (an old list, a client of its own): the list again.
  auto again = n.bot.Press("u1", "booking:svc:garanzia_giovani");
  CHECK(Mentions(again, It("booking.choose_service")));
  CHECK_FALSE(Offers(again, "booking:svc:garanzia_giovani"));
  // Named in words, the same.
  auto typed = n.bot.Say("u1", "prenota per garanzia giovani");
  CHECK_FALSE(Offers(typed, "booking:svc:garanzia_giovani"));

  // Bari lists none: every service.
  Ready(n.bot, "u2");
  (void)n.bot.Press("u2", "menu:booking");
  auto bari = n.bot.Say("u2", "Bari");
  CHECK(Offers(bari, "booking:svc:garanzia_giovani"));
  CHECK(Offers(bari, "booking:svc:mobilita_europea"));
}

TEST_CASE("a person who skips the question is not asked again") {
  Network n;
  Ready(n.bot, "u1");
  REQUIRE(Mentions(n.bot.Press("u1", "menu:booking"), It("centre.ask")));
  auto skipped = n.bot.Press("u1", "centre:skip");
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK(Mentions(skipped, It("booking.choose_service")));

  (void)n.bot.Say("u1", "menu");
  CHECK_FALSE(Mentions(n.bot.Press("u1", "menu:booking"), It("centre.ask")));
  CHECK_FALSE(Mentions(n.bot.Press("u1", "menu:events"), It("centre.ask")));
  CHECK_FALSE(Mentions(n.bot.Press("u1", "menu:human"), It("centre.ask")));
}

TEST_CASE("someone placed already is never asked") {
  Network n;
  Ready(n.bot, "u1");
  (void)n.bot.Say("u1", "sono di Bari");
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK_FALSE(Mentions(n.bot.Press("u1", "menu:booking"), It("centre.ask")));
}

TEST_CASE(
    "asked before a counsellor, the queue's promise is the new centre's") {
  Network n;
  (void)n.bot.Say("u1", "ciao");
  auto asked = n.bot.Press("u1", "menu:human");
  REQUIRE(Mentions(asked, It("centre.ask")));
  CHECK(Mode(n.bot) == "bot");
  // Molfetta is closed on Tuesday afternoons; Bari is open.
  auto queued = n.bot.Press("u1", "centre:pick:" + std::to_string(n.molfetta));
  CHECK(Mode(n.bot) == "waiting_for_human");
  CHECK(Mentions(queued, kMolfettaHours));
  CHECK(Offers(queued, "menu:booking"));
}

TEST_CASE("the queue a person is told of is their own centre's") {
  Network n;
  for (const char* user : {"u1", "u2", "u3"}) Ready(n.bot, user);
  (void)n.bot.Say("u1", "sono di Molfetta");
  (void)n.bot.Say("u2", "sono di Bari");
  (void)n.bot.Say("u3", "sono di Bari");
  (void)n.bot.Press("u1", "menu:human");  // Molfetta's queue, closed now
  CHECK(n.bot.Count("SELECT count(*) FROM conversations WHERE mode = "
                    "'waiting_for_human'") == 1);
  // Bari's counsellors have nobody waiting before u2.
  CHECK(Mentions(n.bot.Press("u2", "menu:human"), It("handoff.first")));
  CHECK(Mentions(n.bot.Press("u3", "menu:human"), It("handoff.ahead_one")));
}

TEST_CASE("the comune given in the profile places a person not yet placed") {
  Network n;
  Ready(n.bot, "u1");
  REQUIRE(Step(n.bot) == "");
  (void)n.bot.Say("u1", "profilo");
  (void)n.bot.Say("u1", "Giulia");
  (void)n.bot.Say("u1", "2004");
  REQUIRE(Step(n.bot) == "q:comune");
  auto next = n.bot.Say("u1", "Molfetta");
  CHECK(n.Centre() == n.molfetta);
  CHECK(Mentions(next, "CPI Molfetta"));
  CHECK(Step(n.bot) != "q:comune");  // the questionnaire goes on
}

TEST_CASE("a centre chosen outweighs the profile's comune") {
  Network n;
  Ready(n.bot, "u1");
  (void)n.bot.Say("u1", "voglio andare al centro di Bari");
  REQUIRE(n.Centre() == storage::kFirstCentre);
  (void)n.bot.Say("u1", "profilo");
  (void)n.bot.Say("u1", "Giulia");
  (void)n.bot.Say("u1", "2004");
  REQUIRE(Step(n.bot) == "q:comune");
  auto next = n.bot.Say("u1", "Molfetta");
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK_FALSE(Mentions(next, "CPI Molfetta"));
}

TEST_CASE("with one centre nobody is asked or moved") {
  Network n(/*with_molfetta=*/false);
  Ready(n.bot, "u1");
  CHECK_FALSE(Mentions(n.bot.Press("u1", "menu:booking"), It("centre.ask")));
  (void)n.bot.Say("u1", "menu");
  auto said = n.bot.Say("u1", "sono di Molfetta");
  CHECK_FALSE(Offers(said, "centre:change"));
  CHECK(n.Centre() == storage::kFirstCentre);
  CHECK(Mentions(n.bot.Say("u1", "dove siete?"), kBariAddress));
}

}  // namespace
}  // namespace sportello::testing
