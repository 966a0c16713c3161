// Every flow of the bot reached through the web chat (POST /api/chat) of the
// real binary started as the README's first command starts it: demo data on
// (SPORTELLO_DEMO=1), a fresh SQLite file.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

struct Chat {
  Bot bot;
  Chat() {
    bot.extra["SPORTELLO_DEMO"] = "1";
    REQUIRE(bot.Start());
  }

  // The bot's replies to `body`: their texts, one per line, then the ids of
  // their buttons, one per line, each prefixed "[button] ".
  std::string Send(const nlohmann::json& body) {
    auto r = bot.Http().Post("/api/chat", body.dump());
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const nlohmann::json body_json = r.Json();
    std::string all;
    for (const auto& reply : body_json["replies"]) {
      all += reply["text"].get<std::string>() + "\n";
      for (const auto& b : reply["buttons"])
        all += "[button] " + b["id"].get<std::string>() + "\n";
    }
    return all;
  }
  std::string Say(const std::string& text) {
    return Send({{"user", "web-1"}, {"text", text}});
  }
  std::string Press(const std::string& id) {
    return Send({{"user", "web-1"}, {"button", id}});
  }
};

bool Contains(const std::string& all, const std::string& part) {
  return all.find(part) != std::string::npos;
}

TEST_CASE_FIXTURE(Chat,
                  "the demo service answers every flow from the web "
                  "chat") {
  CHECK(Contains(bot.Log(), "demo data: offers loaded"));

  const auto hello = Say("ciao");
  CHECK(Contains(hello, "Sono l'assistente di Porta Futuro"));
  CHECK(Contains(hello, "[button] menu:jobs"));

  // Vacancies: straight to results, then details.
  const auto jobs = Say("cerco lavoro come cameriere a Bari");
  CHECK(Contains(jobs, "Cameriere/a di sala – Trattoria del Borgo Antico"));
  CHECK(Contains(jobs, "Te la propongo perché: ruolo, zona"));
  CHECK(Contains(Say("1"), "Come candidarti"));

  // Events need no personal data, but on the demo's network of centres
  // whose events they are depends on where the person lives: asked once,
  // then listed.
  const auto asked = Press("menu:events");
  CHECK(Contains(asked, "Di quale comune sei?"));
  CHECK_FALSE(Contains(asked, "Quanti anni hai?"));
  const auto events = Say("Bari");
  CHECK(Contains(events, "Ti segue Porta Futuro"));
  CHECK(Contains(events, "[button] events:show:"));

  // Consent, asked before the first flow that keeps personal data; then
  // appointments: service, day, time, confirmation.
  CHECK(Contains(Press("menu:booking"), "Quanti anni hai?"));
  CHECK(Contains(Press("consent:age:16_29"), "[button] consent:yes"));
  const auto services = Press("consent:yes");
  CHECK(Contains(services, "Per quale servizio"));
  CHECK(Contains(services, "[button] booking:"));
  CHECK(Contains(Say("1"), "Che giorno ti va bene?"));
  CHECK(Contains(Say("1"), "a che ora?"));
  CHECK(Contains(Say("1"), "✅ Prenotato!"));
  CHECK(bot.Count("SELECT COUNT(*) FROM bookings WHERE state = 'booked'") == 1);

  // Information.
  CHECK(Contains(Say("dove siete e che orari fate?"), "Via Giulio Petroni"));

  // Profile: the questionnaire starts.
  CHECK(Contains(Press("profile:start"), "[button] profile:"));
  CHECK(Contains(Say("annulla"), "[button] menu:jobs"));

  // Privacy: what is stored.
  CHECK(Contains(Say("/privacy"), "[button] privacy:"));

  // Handoff: into the counsellors' queue.
  CHECK(Contains(Say("voglio parlare con un operatore"), "operatore"));
  CHECK(bot.Count("SELECT COUNT(*) FROM conversations WHERE mode = "
                  "'waiting_for_human'") == 1);
}

TEST_CASE_FIXTURE(Chat, "the demo network is loaded once") {
  CHECK(bot.Count("SELECT COUNT(*) FROM centres") == 3);
  CHECK(bot.Count("SELECT COUNT(*) FROM centres WHERE name IN"
                  " ('CPI Molfetta', 'CPI Altamura')") == 2);
  CHECK(bot.Count("SELECT COUNT(DISTINCT centre_id) FROM slots") == 3);
  const int64_t comuni = bot.Count("SELECT COUNT(*) FROM centre_comuni");
  CHECK(comuni >= 15);
  const int64_t vacancies = bot.Count("SELECT COUNT(*) FROM vacancies");
  const int64_t events = bot.Count("SELECT COUNT(*) FROM events");
  const int64_t slots = bot.Count("SELECT COUNT(*) FROM slots");
  CHECK(vacancies >= 40);
  CHECK(events >= 5);
  CHECK(slots >= 50);
  REQUIRE(bot.service->Terminate() == 0);
  REQUIRE(bot.Start());  // a restart on the same file
  CHECK(bot.Count("SELECT COUNT(*) FROM vacancies") == vacancies);
  CHECK(bot.Count("SELECT COUNT(*) FROM events") == events);
  CHECK(bot.Count("SELECT COUNT(*) FROM slots") == slots);
  CHECK(bot.Count("SELECT COUNT(*) FROM centres") == 3);
  CHECK(bot.Count("SELECT COUNT(*) FROM centre_comuni") == comuni);
  // `sportello centres list` shows the network at once.
  auto list = support::RunSportello({"centres", "list"},
                                    {{"SPORTELLO_DB", bot.Database()}});
  CHECK(list.exit_code == 0);
  CHECK(Contains(list.out, "\tCPI Molfetta\t"));
  CHECK(Contains(list.out, "072029"));
  CHECK(Contains(list.out, "\tCPI Altamura\t"));
}

}  // namespace
}  // namespace sportello::e2e
