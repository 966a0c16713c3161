// The demo network (SPORTELLO_DEMO=1): Porta Futuro in Bari (centre 1), CPI
// Molfetta and CPI Altamura, each with its comuni, slots, events and offers,
// built once however often `serve` starts. Then the bot, talking to a person
// of Molfetta, offers Molfetta's slots, Molfetta's and the regional events
// and offers, and to a person of Bari only Bari's (and the regional ones).
// Where a person belongs is set on their conversation here: placing people
// by comune is the router's business, not these flows'.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "bot/app/demo_data.h"
#include "bot/domain/comuni.h"
#include "intents/engine.h"
#include "storage/centres.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

std::string LoadDemo(TestBot& bot) {
  std::string said;
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                auto loaded =
                    LoadDemoData(db, bot.config.centre, bot.clock.NowMillis());
                if (loaded.ok()) said = *loaded;
                return loaded.status();
              })
              .ok());
  return said;
}

int64_t CentreNamed(TestBot& bot, const std::string& name) {
  return bot.Count("SELECT id FROM centres WHERE name = '" + name + "'");
}

// What a person of `centre` writing as `user` starts from: a conversation
// there, consent given.
void PersonOf(TestBot& bot, const std::string& user, int64_t centre) {
  (void)bot.Say(user, "ciao");
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) {
                return db.Exec("UPDATE conversations SET centre_id = " +
                               std::to_string(centre) +
                               " WHERE user_id = (SELECT id FROM users WHERE "
                               "external_id = '" +
                               user + "')");
              })
              .ok());
  bot.GiveConsent(user);
  // The first centre is also where people not placed yet are: one of its
  // own says so, or the bot would ask them where they live first.
  if (centre == storage::kFirstCentre) (void)bot.Say(user, "sono di Bari");
}

// The numbers after `prefix` in the offered buttons' ids.
std::vector<int64_t> IdsAfter(const nlohmann::json& replies,
                              const std::string& prefix) {
  std::vector<int64_t> ids;
  for (const auto& id : ButtonIds(replies)) {
    if (id.starts_with(prefix))
      ids.push_back(std::stoll(id.substr(id.rfind(':') + 1)));
  }
  return ids;
}

// The centre of a row, -1 for a regional one (NULL).
int64_t CentreOf(TestBot& bot, const std::string& table, int64_t id) {
  return bot.Count("SELECT coalesce(centre_id, -1) FROM " + table +
                   " WHERE id = " + std::to_string(id));
}

struct Network {
  TestBot bot;
  int64_t molfetta = 0, altamura = 0;
  Network() {
    LoadDemo(bot);
    molfetta = CentreNamed(bot, "CPI Molfetta");
    altamura = CentreNamed(bot, "CPI Altamura");
    REQUIRE(molfetta > 1);
    REQUIRE(altamura > 1);
  }

  // The slots offered for orientamento on the first day offered.
  std::vector<int64_t> OfferedSlots(const std::string& user) {
    auto days = bot.Press(user, "booking:svc:orientamento");
    std::string first_day;
    for (const auto& id : ButtonIds(days)) {
      if (id.starts_with("booking:day:")) {
        first_day = id;
        break;
      }
    }
    REQUIRE_MESSAGE(!first_day.empty(), AllText(days));
    return IdsAfter(bot.Press(user, first_day), "booking:at:");
  }

  // Every event offered in the list, page after page.
  std::set<int64_t> OfferedEvents(const std::string& user) {
    std::set<int64_t> seen;
    auto page = bot.Press(user, "menu:events");
    for (int i = 0; i < 10; ++i) {
      for (int64_t id : IdsAfter(page, "events:show:")) seen.insert(id);
      const auto more = IdsAfter(page, "events:list:");
      if (more.empty() || more.front() == 0) break;
      page = bot.Press(user, "events:list:" + std::to_string(more.front()));
    }
    return seen;
  }

  std::set<int64_t> EventsOf(int64_t centre) {
    std::set<int64_t> ids;
    auto reader = bot.store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT id FROM events WHERE starts_at > ?1 AND cancelled_at IS NULL"
        " AND (centre_id IS NULL OR centre_id = ?2)");
    st.Bind(1, bot.clock.NowMillis()).Bind(2, centre);
    while (st.Step()) ids.insert(st.Int(0));
    return ids;
  }

  int64_t VacancyId(const std::string& external_id) {
    return bot.Count("SELECT id FROM vacancies WHERE external_id = '" +
                     external_id + "'");
  }
};

TEST_CASE(
    "the demo builds Bari, Molfetta and Altamura, each with what it "
    "offers, and loads nothing twice") {
  TestBot bot;
  const std::string said = LoadDemo(bot);
  CHECK(said.find("3 centres") != std::string::npos);
  CHECK(said.find("offers loaded") != std::string::npos);
  CHECK(bot.Count("SELECT count(*) FROM centres") == 3);
  // Centre 1 still follows the configuration: only its comuni are set.
  CHECK(bot.Count("SELECT count(*) FROM centres WHERE id = 1 AND"
                  " from_config = 1") == 1);
  const int64_t molfetta = CentreNamed(bot, "CPI Molfetta");
  const int64_t altamura = CentreNamed(bot, "CPI Altamura");

  // Each serves its comuni, as the gazetteer names them.
  const auto comuni = Comuni::Load(intents::DefaultDataDir()).value();
  auto served = [&](int64_t centre) {
    std::set<std::string> names;
    auto reader = bot.store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT istat FROM centre_comuni WHERE "
        "centre_id = ?1");
    st.Bind(1, centre);
    while (st.Step()) {
      const auto* c = comuni.ByIstat(st.Text(0));
      REQUIRE(c != nullptr);
      CHECK(c->province == "BA");
      names.insert(c->name);
    }
    return names;
  };
  CHECK(served(molfetta) == std::set<std::string>{"Giovinazzo", "Molfetta",
                                                  "Ruvo di Puglia",
                                                  "Terlizzi"});
  CHECK(served(altamura) ==
        std::set<std::string>{"Altamura", "Cassano delle Murge",
                              "Gravina in Puglia", "Poggiorsini",
                              "Santeramo in Colle"});
  CHECK(served(1).count("Bari") == 1);
  CHECK(served(1).count("Modugno") == 1);

  // Every centre has slots at its own address, events and offers; some
  // events and offers are for the whole region.
  for (int64_t centre : {int64_t{1}, molfetta, altamura}) {
    CAPTURE(centre);
    const std::string c = std::to_string(centre);
    CHECK(bot.Count("SELECT count(*) FROM slots WHERE centre_id = " + c) >= 10);
    CHECK(bot.Count("SELECT count(*) FROM events WHERE centre_id = " + c) >= 2);
    CHECK(bot.Count("SELECT count(*) FROM vacancies WHERE centre_id = " + c) >=
          3);
  }
  CHECK(bot.Count("SELECT count(*) FROM slots WHERE centre_id = " +
                  std::to_string(molfetta) +
                  " AND place NOT LIKE 'CPI Molfetta, Via Cifariello 29%'") ==
        0);
  CHECK(bot.Count("SELECT count(*) FROM events WHERE centre_id IS NULL") >= 1);
  CHECK(bot.Count("SELECT count(*) FROM vacancies WHERE centre_id IS NULL") >=
        10);
  CHECK(bot.Count("SELECT centre_id FROM vacancies WHERE external_id = "
                  "'demo-016'") == molfetta);  // Barista, Molfetta
  CHECK(bot.Count("SELECT centre_id FROM vacancies WHERE external_id = "
                  "'demo-033'") == altamura);  // Panettiere, Altamura
  CHECK(bot.Count("SELECT centre_id FROM vacancies WHERE external_id = "
                  "'demo-003'") == 1);  // Magazziniere, Modugno

  const std::vector<std::string> tables = {"centres", "centre_comuni", "slots",
                                           "events", "vacancies"};
  std::vector<int64_t> before;
  for (const auto& t : tables)
    before.push_back(bot.Count("SELECT count(*) FROM " + t));
  bot.Restart();
  const std::string again = LoadDemo(bot);
  CHECK(again.find(" 0 events added") != std::string::npos);
  CHECK(again.find(" 0 appointment slots added") != std::string::npos);
  for (size_t i = 0; i < tables.size(); ++i) {
    CAPTURE(tables[i]);
    CHECK(bot.Count("SELECT count(*) FROM " + tables[i]) == before[i]);
  }
}

TEST_CASE_FIXTURE(Network,
                  "a person of Molfetta is offered Molfetta's slots, a "
                  "person of Bari Bari's") {
  PersonOf(bot, "m1", molfetta);
  PersonOf(bot, "b1", 1);
  (void)bot.Press("m1", "menu:booking");
  (void)bot.Press("b1", "menu:booking");
  const auto in_molfetta = OfferedSlots("m1");
  const auto in_bari = OfferedSlots("b1");
  REQUIRE_FALSE(in_molfetta.empty());
  REQUIRE_FALSE(in_bari.empty());
  for (int64_t slot : in_molfetta)
    CHECK(CentreOf(bot, "slots", slot) == molfetta);
  for (int64_t slot : in_bari) CHECK(CentreOf(bot, "slots", slot) == 1);

  auto booked = bot.Press(
      "m1", "booking:at:orientamento:0:" + std::to_string(in_molfetta.front()));
  CHECK(Mentions(booked, "✅ Prenotato!"));
  CHECK(Mentions(booked, "Via Cifariello 29"));

  // A press naming another centre's slot (an old message, a forged button)
  // books nothing: the person is offered their own centre's days instead.
  auto forged = bot.Press(
      "b1", "booking:at:orientamento:0:" + std::to_string(in_molfetta.back()));
  CHECK_FALSE(Mentions(forged, "✅ Prenotato!"));
  CHECK(bot.Count("SELECT count(*) FROM bookings b JOIN slots s ON"
                  " s.id = b.slot_id WHERE s.centre_id = " +
                  std::to_string(molfetta)) == 1);
  CHECK(bot.Count("SELECT count(*) FROM bookings") == 1);
  for (int64_t day_slot : IdsAfter(forged, "booking:at:"))
    CHECK(CentreOf(bot, "slots", day_slot) == 1);
}

TEST_CASE_FIXTURE(Network,
                  "a person is offered their centre's events and the "
                  "regional ones") {
  PersonOf(bot, "m1", molfetta);
  PersonOf(bot, "b1", 1);
  PersonOf(bot, "a1", altamura);
  const auto molfetta_seen = OfferedEvents("m1");
  CHECK(molfetta_seen == EventsOf(molfetta));
  CHECK(molfetta_seen.size() == 3);  // two of Molfetta's, one regional
  CHECK(OfferedEvents("b1") == EventsOf(1));
  CHECK(OfferedEvents("a1") == EventsOf(altamura));

  // "iscrivimi al recruiting day": Molfetta's, the one its people are
  // offered, not Bari's or Altamura's.
  auto named = bot.Say("m1", "iscrivimi al recruiting day");
  CHECK(Mentions(named, "Recruiting Day Porto e Nautica"));

  // Another centre's event, from a forged press: not shown, no sign-up.
  int64_t bari_only = 0;
  for (int64_t id : EventsOf(1)) {
    if (CentreOf(bot, "events", id) == 1) bari_only = id;
  }
  REQUIRE(bari_only > 0);
  auto shown = bot.Press("m1", "events:show:" + std::to_string(bari_only));
  CHECK_FALSE(Offers(shown, "events:join:" + std::to_string(bari_only)));
  (void)bot.Press("m1", "events:join:" + std::to_string(bari_only));
  CHECK(bot.Count("SELECT count(*) FROM event_signups") == 0);
}

TEST_CASE_FIXTURE(Network,
                  "a person is offered their centre's job offers and the "
                  "regional ones") {
  PersonOf(bot, "m1", molfetta);
  PersonOf(bot, "b1", 1);
  auto in_molfetta = bot.Say("m1", "cerco lavoro come barista");
  const auto shown = IdsAfter(in_molfetta, "vacancies:show:");
  REQUIRE_FALSE(shown.empty());
  CHECK(shown.front() == VacancyId("demo-016"));  // Barista, Molfetta
  for (int64_t id : shown) {
    const int64_t centre = CentreOf(bot, "vacancies", id);
    CHECK((centre == molfetta || centre == -1));
  }

  // Bari's people are not offered Molfetta's barista, even asking there.
  auto from_bari = bot.Say("b1", "cerco lavoro come barista a Molfetta");
  for (int64_t id : IdsAfter(from_bari, "vacancies:show:")) {
    const int64_t centre = CentreOf(bot, "vacancies", id);
    CHECK((centre == 1 || centre == -1));
  }
  CHECK_FALSE(Has(ButtonIds(from_bari),
                  "vacancies:show:" + std::to_string(VacancyId("demo-016"))));
  // Molfetta's offer from a button (an old message): not shown, and no
  // "mi interessa" recorded for Molfetta's counsellors.
  const std::string molfetta_barista = std::to_string(VacancyId("demo-016"));
  auto shown_elsewhere = bot.Press("b1", "vacancies:show:" + molfetta_barista);
  CHECK_FALSE(Mentions(shown_elsewhere, "Come candidarti"));
  (void)bot.Press("b1", "vacancies:interest:" + molfetta_barista);
  CHECK(bot.Count("SELECT count(*) FROM vacancy_interest") == 0);
  CHECK(Mentions(bot.Press("m1", "vacancies:show:" + molfetta_barista),
                 "Come candidarti"));
  // Bari's waiter's job is Bari's.
  auto waiter = bot.Say("b1", "cerco lavoro come cameriere a Bari");
  CHECK(IdsAfter(waiter, "vacancies:show:").front() == VacancyId("demo-001"));
}

TEST_CASE_FIXTURE(Network,
                  "on the demo network a person is placed by the comune they "
                  "give and books at that centre") {
  const auto centre_of = [&](const std::string& user) {
    return bot.Count(
        "SELECT c.centre_id FROM conversations c JOIN users u ON u.id = "
        "c.user_id WHERE u.external_id = '" +
        user + "'");
  };
  // Told in a message, with a slip.
  (void)bot.Say("p1", "ciao");
  bot.GiveConsent("p1");
  auto placed = bot.Say("p1", "sono di Molfeta");
  CHECK_MESSAGE(Mentions(placed, "CPI Molfetta"), AllText(placed));
  CHECK(centre_of("p1") == molfetta);
  (void)bot.Press("p1", "menu:booking");
  const auto offered = OfferedSlots("p1");
  REQUIRE_FALSE(offered.empty());
  for (int64_t slot : offered) CHECK(CentreOf(bot, "slots", slot) == molfetta);

  // Asked once, on the way to a booking: a comune Altamura serves.
  (void)bot.Say("p2", "ciao");
  bot.GiveConsent("p2");
  auto asked = bot.Press("p2", "menu:booking");
  CHECK_MESSAGE(Mentions(asked, "Di quale comune sei?"), AllText(asked));
  auto answered = bot.Say("p2", "Gravina in Puglia");
  CHECK_MESSAGE(Mentions(answered, "CPI Altamura"), AllText(answered));
  CHECK(centre_of("p2") == altamura);
  const auto in_altamura = OfferedSlots("p2");
  REQUIRE_FALSE(in_altamura.empty());
  for (int64_t slot : in_altamura)
    CHECK(CentreOf(bot, "slots", slot) == altamura);
}

}  // namespace
}  // namespace sportello::testing
