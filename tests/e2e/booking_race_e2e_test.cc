// Two people racing for the last free appointment, through the real
// `sportello serve` over loopback: both are shown the same time, both press it
// at the same moment on their own connections, and exactly one gets it. The
// other is told it was taken; the database holds one booking.
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <latch>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"
#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

using nlohmann::json;

// The web chat: a text or a button press, answered with the bot's replies.
json Chat(support::HttpClient& http, const std::string& user,
          const std::string& field, const std::string& value) {
  auto r = http.Post("/api/chat", json{{"user", user}, {field, value}}.dump());
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.Json()["replies"];
}

std::string Texts(const json& replies) {
  std::string all;
  for (const auto& r : replies) all += r["text"].get<std::string>() + "\n";
  return all;
}

// The first offered button whose id starts with `prefix`.
std::string Button(const json& replies, const std::string& prefix) {
  for (const auto& r : replies) {
    for (const auto& b : r["buttons"]) {
      const std::string id = b["id"];
      if (id.rfind(prefix, 0) == 0) return id;
    }
  }
  return "";
}

// `days` days from now at 10:30, Rome's wall clock, as `slots add` takes it:
// inside the window the bot offers, whatever day the test runs.
std::string At1030In(int days) {
  const auto day = core::RomeDate(std::chrono::system_clock::now() +
                                  std::chrono::days{days});
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u 10:30", static_cast<int>(day.year()),
      static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buf;
}

void AddSlot(const Bot& bot, const std::string& at) {
  auto added = support::RunSportello(
      {"slots", "add", "--service", "orientamento", "--at", at, "--place",
       "Porta Futuro, Bari", "--counsellor", "Giulia Rossi"},
      {{"SPORTELLO_DB",
        support::TestDatabaseAt(bot.dir.File("sportello.db"))}});
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
}

// Up to the choice of time: consent, menu, service, the only free day.
std::string BringToTime(support::HttpClient& http, const std::string& user) {
  (void)Chat(http, user, "text", "ciao");
  (void)Chat(http, user, "button", "consent:age:16_29");
  (void)Chat(http, user, "button", "consent:yes");
  (void)Chat(http, user, "button", "menu:booking");
  auto days = Chat(http, user, "button", "booking:svc:orientamento");
  const std::string day = Button(days, "booking:day:");
  REQUIRE_MESSAGE(!day.empty(), days.dump());
  auto times = Chat(http, user, "button", day);
  const std::string at = Button(times, "booking:at:");
  REQUIRE_MESSAGE(!at.empty(), times.dump());
  return at;
}

TEST_CASE(
    "two people pressing the same free time at once: one books it, the other "
    "is told it was taken") {
  Bot bot;
  AddSlot(bot, At1030In(3));  // the soonest: both are shown it first
  // What the one who loses is offered instead.
  std::string instead = "non ci sono orari liberi";
  SUBCASE("it is the last free time") {}
  SUBCASE("another time is free later") {
    AddSlot(bot, At1030In(4));
    instead = "appena stato preso";
  }
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  const std::array<std::string, 2> users = {"racer-a", "racer-b"};
  std::array<std::string, 2> pressed;
  for (size_t i = 0; i < users.size(); ++i) {
    auto http = bot.Http();
    pressed[i] = BringToTime(http, users[i]);
  }
  REQUIRE(pressed[0] == pressed[1]);  // the same slot

  std::array<json, 2> answers;
  std::array<int, 2> statuses{};
  std::latch ready(2);
  {
    std::array<std::thread, 2> racers;
    for (size_t i = 0; i < racers.size(); ++i) {
      racers[i] = std::thread([&, i] {
        auto http = bot.Http();  // a connection of its own
        const std::string body =
            json{{"user", users[i]}, {"button", pressed[i]}}.dump();
        ready.arrive_and_wait();
        auto r = http.Post("/api/chat", body);
        statuses[i] = r.status;
        answers[i] = r.Json();
      });
    }
    for (auto& t : racers) t.join();
  }
  REQUIRE(statuses[0] == 200);
  REQUIRE(statuses[1] == 200);

  int won = 0, lost = 0;
  for (const auto& a : answers) {
    const std::string text = Texts(a["replies"]);
    CAPTURE(text);
    if (text.find("✅ Prenotato! Orientamento") != std::string::npos) ++won;
    if (text.find(instead) == std::string::npos) continue;
    ++lost;
    // Alternatives, when there are any, never the time just lost.
    const std::string other = Button(a["replies"], "booking:at:");
    CHECK(other != pressed[0]);
  }
  CHECK(won == 1);
  CHECK(lost == 1);
  CHECK(bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked'") == 1);
  CHECK(bot.Count("SELECT count(*) FROM bookings") == 1);
  CHECK(bot.Count("SELECT count(*) FROM bookings WHERE slot_id = (SELECT id "
                  "FROM slots ORDER BY starts_at LIMIT 1)") == 1);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                  "'reminder:%'") == 2);
  CHECK(bot.service->Terminate() == 0);
}

}  // namespace
}  // namespace sportello::e2e
