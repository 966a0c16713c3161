// Turns of different conversations commit side by side on PostgreSQL
// (Store::WriteBeside), and may then wait for each other's row locks, or
// for another writer's. A turn chosen to end a deadlock runs again: the
// person gets the answer, never an apology for a passing failure.
// PostgreSQL only: SQLite has one writer, and no deadlocks.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "storage/database.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"
#include "tests/support/test_database.h"

namespace sportello::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE(
    "a sign-up chosen to end a deadlock is run again, and the person is "
    "signed up") {
  if (!support::TestOnPostgres()) return;
  TestBot bot;
  bot.clock.SetMillis(Rome(Day(2026, 11, 16), 10, 0));
  const int64_t event =
      AddEvent(bot, "Workshop CV", Rome(Day(2026, 11, 24), 15, 0));
  Ready(bot, "u1");

  // Another writer, as another person's turn might: it holds the event's
  // row, then wants the person's. It waits the longest before looking for
  // a deadlock, so the turn is the one PostgreSQL ends.
  auto other = storage::Database::Open(bot.config.db_path, {});
  REQUIRE(other.ok());
  storage::Database& db = **other;
  REQUIRE(db.Exec("SET deadlock_timeout = '60s'").ok());
  REQUIRE(db.Exec("BEGIN").ok());
  REQUIRE(db.Exec("SELECT id FROM events WHERE id = " + std::to_string(event) +
                  " FOR UPDATE")
              .ok());
  std::string xid;
  {
    auto st = db.Prepare("SELECT pg_current_xact_id()::text");
    REQUIRE(st.Step());
    xid = st.Text(0);
  }

  auto press = std::async(std::launch::async, [&] {
    return bot.Press("u1", "events:join:" + std::to_string(event));
  });
  // The turn has the person's row and waits for the event's.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (bot.Count("SELECT count(*) FROM pg_locks WHERE NOT granted AND "
                   "locktype = 'transactionid' AND transactionid::text = '" +
                   xid + "'") == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(10ms);
  }
  // Only the turn's end lets this through.
  CHECK(db.Exec("UPDATE users SET name = 'Giulia' WHERE external_id = 'u1'")
            .ok());
  REQUIRE(db.Exec("COMMIT").ok());

  std::string said = press.get().dump();
  for (int i = 0; i < 300 && said.find("Sei iscritto") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(100ms);
    said += bot.Request("GET", "/api/chat", "", {}, {{"user", "u1"}}).body;
  }
  CHECK_MESSAGE(said.find("Sei iscritto a Workshop CV") != std::string::npos,
                said);
  CHECK(said.find("qualcosa è andato storto") == std::string::npos);
  CHECK(bot.Count("SELECT count(*) FROM event_signups WHERE state = "
                  "'signed_up'") == 1);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE error IS NOT NULL") == 0);
}

}  // namespace
}  // namespace sportello::testing
