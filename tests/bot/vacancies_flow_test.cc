// Looking for a job through the web chat, the real dispatcher and SQLite,
// over the demo offers: a message with what and where goes straight to the
// best three with their reasons; "altre" pages on; a refinement narrows the
// same search; details; "mi interessa" after consent, recorded once;
// expired offers never shown; a restart keeps the search.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "bot/app/demo_data.h"
#include "storage/profiles.h"
#include "storage/vacancies.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

// The "vacancies:show:<id>" buttons, in order.
std::vector<std::string> Shown(const nlohmann::json& replies) {
  std::vector<std::string> ids;
  for (const auto& id : ButtonIds(replies)) {
    if (id.starts_with("vacancies:show:")) ids.push_back(id);
  }
  return ids;
}

int64_t IdOf(TestBot& bot, const std::string& external_id) {
  return bot.Count("SELECT id FROM vacancies WHERE external_id = '" +
                   external_id + "'");
}

std::string ShowId(TestBot& bot, const std::string& external_id) {
  return "vacancies:show:" + std::to_string(IdOf(bot, external_id));
}

void LoadDemo(TestBot& bot) {
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) {
                return LoadDemoVacancies(db, bot.clock.NowMillis());
              })
              .ok());
}

struct Fixture {
  TestBot bot;
  Fixture() { LoadDemo(bot); }
};

TEST_CASE_FIXTURE(Fixture,
                  "what and where in the first message go straight "
                  "to the best three, with reasons") {
  auto r = bot.Say("u1", "ciao cerco lavoro come cameriere a Bari");
  CHECK(Mentions(r, "Ecco le offerte più adatte 👇 (1-3 di 5)"));
  const auto shown = Shown(r);
  REQUIRE(shown.size() == 3);
  CHECK(shown[0] == ShowId(bot, "demo-001"));  // the waiter's job in Bari
  CHECK(Mentions(r, "1. Cameriere/a di sala – Trattoria del Borgo Antico"));
  CHECK(Mentions(r, "👉 Te la propongo perché: ruolo, zona"));
  CHECK(Offers(r, "vacancies:more"));
  CHECK(Offers(r, "vacancies:new"));
  CHECK(Offers(r, "profile:start"));  // no profile yet: a hint to make one
  CHECK_FALSE(Mentions(r, "Che lavoro cerchi"));
}

TEST_CASE_FIXTURE(Fixture, "altre shows the next page, typed or pressed") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  auto typed = bot.Say("u1", "altre");
  CHECK(Mentions(typed, "(4-5 di 5)"));
  CHECK(Shown(typed).size() == 2);
  CHECK_FALSE(Offers(typed, "vacancies:more"));  // the last page

  (void)bot.Say("u2", "cerco lavoro come cameriere a Bari");
  auto pressed = bot.Press("u2", "vacancies:more");
  CHECK(Shown(pressed) == Shown(typed));
}

TEST_CASE_FIXTURE(Fixture, "a refinement narrows the same search") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  auto r = bot.Say("u1", "solo part time");
  CHECK(Mentions(r, "(1-2 di 2)"));
  CHECK(Shown(r) == std::vector<std::string>{ShowId(bot, "demo-001"),
                                             ShowId(bot, "demo-028")});
  CHECK(Mentions(r, "ruolo, zona, part-time"));
}

TEST_CASE_FIXTURE(Fixture,
                  "with nothing to go on, the bot asks what and "
                  "where first") {
  auto asked = bot.Say("u1", "cerco lavoro");
  CHECK(Mentions(asked, "Che lavoro cerchi, e dove?"));
  CHECK(Shown(asked).empty());
  auto r = bot.Say("u1", "magazziniere");
  CHECK(Mentions(r, "Magazziniere con patentino muletto"));
  CHECK(Shown(r).size() == 3);

  auto from_menu = bot.Press("u2", "menu:jobs");
  CHECK(Mentions(from_menu, "Che lavoro cerchi, e dove?"));
}

TEST_CASE_FIXTURE(Fixture,
                  "a search that finds nothing says so and offers "
                  "a new search or a person") {
  auto r = bot.Say("u1", "cerco lavoro come astronauta");
  CHECK(Mentions(r, "Per ora non ho offerte così"));
  CHECK(Offers(r, "vacancies:new"));
  CHECK(Offers(r, "menu:human"));
  // The next message is another try.
  auto again = bot.Say("u1", "barista a Molfetta");
  CHECK(Shown(again).front() == ShowId(bot, "demo-016"));
}

TEST_CASE_FIXTURE(Fixture, "details tell how to apply and until when") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  auto r = bot.Press("u1", ShowId(bot, "demo-001"));
  CHECK(Mentions(r, "🏢 Trattoria del Borgo Antico"));
  CHECK(Mentions(r, "✉️ Come candidarti: Invia il CV"));
  CHECK(Mentions(r, "⏳ Aperta fino a "));
  CHECK(
      Offers(r, "vacancies:interest:" + std::to_string(IdOf(bot, "demo-001"))));
  CHECK(Offers(r, "vacancies:back"));
  CHECK(Offers(r, "menu:booking"));
  // A number typed instead of the button.
  (void)bot.Press("u2", "vacancies:new");
  (void)bot.Say("u2", "cameriere a Bari");
  auto typed = bot.Say("u2", "1");
  CHECK(Mentions(typed, "🏢 Trattoria del Borgo Antico"));
}

TEST_CASE_FIXTURE(Fixture, "an expired offer is never shown") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  const std::string old_button = ShowId(bot, "demo-001");
  // demo-001 closes 74 days after its publication: go past it.
  bot.clock.Advance(std::chrono::hours(24 * 80));
  auto r = bot.Press("u1", old_button);
  CHECK(Mentions(r, "Questa offerta non è più disponibile"));
  auto search = bot.Say("u1", "cerco lavoro come cameriere a Bari");
  for (const auto& id : Shown(search)) CHECK(id != old_button);
}

TEST_CASE_FIXTURE(Fixture,
                  "mi interessa needs consent, then is recorded "
                  "once for the counsellor") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  const std::string interest =
      "vacancies:interest:" + std::to_string(IdOf(bot, "demo-001"));
  auto r = bot.Press("u1", interest);
  CHECK(Mentions(r, "Quanti anni hai?"));
  CHECK(bot.Count("SELECT COUNT(*) FROM vacancy_interest") == 0);
  (void)bot.Press("u1", "consent:age:16_29");
  auto done = bot.Press("u1", "consent:yes");
  CHECK(Mentions(done,
                 "Ho segnalato il tuo interesse per «Cameriere/a di sala»"));
  CHECK(bot.Count("SELECT COUNT(*) FROM vacancy_interest") == 1);
  auto again = bot.Press("u1", interest);
  CHECK(Mentions(again, "Avevi già segnalato interesse"));
  CHECK(bot.Count("SELECT COUNT(*) FROM vacancy_interest") == 1);
}

TEST_CASE_FIXTURE(Fixture, "the profile stands in for what and where") {
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  const int64_t user = bot.Count("SELECT id FROM users WHERE chat_id = 'u1'");
  REQUIRE(user > 0);
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                const int64_t now = bot.clock.NowMillis();
                if (auto s = storage::SaveAnswer(db, user, "comune", "Molfetta",
                                                 now);
                    !s.ok())
                  return s;
                return storage::SaveAnswer(db, user, "roles", "barista", now);
              })
              .ok());
  auto r = bot.Say("u1", "cerco lavoro");
  CHECK_FALSE(Mentions(r, "Che lavoro cerchi"));
  REQUIRE_FALSE(Shown(r).empty());
  CHECK(Shown(r).front() == ShowId(bot, "demo-016"));  // Barista, Molfetta
  CHECK_FALSE(Offers(r, "profile:start"));
}

TEST_CASE_FIXTURE(Fixture,
                  "a message about something else leaves the "
                  "search") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  auto thanks = bot.Say("u1", "grazie mille");
  CHECK(Mentions(thanks, "Figurati"));
  auto info = bot.Say("u1", "a che ora aprite?");
  CHECK(Mentions(info, "🕘"));
}

TEST_CASE_FIXTURE(Fixture, "the search survives a restart") {
  (void)bot.Say("u1", "cerco lavoro come cameriere a Bari");
  bot.Restart();
  auto r = bot.Say("u1", "altre");
  CHECK(Mentions(r, "(4-5 di 5)"));
}

TEST_CASE_FIXTURE(Fixture, "in English") {
  auto r = bot.Say("u1", "I'm looking for a job as a waiter in Bari");
  CHECK(Mentions(r, "Here are the best matches 👇 (1-3 of 5)"));
  CHECK(Mentions(r, "👉 Suggested because: role, area"));
  auto more = bot.Press("u1", "vacancies:more");
  CHECK(Mentions(more, "(4-5 of 5)"));
}

}  // namespace
}  // namespace sportello::testing
