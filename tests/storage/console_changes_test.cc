// How the console's live stream hears of news: on SQLite the store tells it
// after each commit that added a message or wrote a conversation; on
// PostgreSQL the schema's triggers notify at commit and a ChangeListener
// (one per process) passes it on, coming back by itself when the server
// restarts. Real SQLite files, a real PostgreSQL cluster of the test's own
// (support::PgCluster): no other test's commits reach it.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "bot/core/change_signal.h"
#include "storage/change_listener.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/store.h"
#include "storage/users.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/temp_dir.h"

namespace sportello::storage {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'795'000'000'000;
// Generous: only a notification that never comes runs into it.
constexpr auto kDeadline = 30s;

// A person's conversation and their first message, in one write.
core::Status PersonWrites(Database& db, const std::string& id) {
  auto u = UpsertUserOnInbound(db, "web", id, id, "", kNow);
  if (!u.ok()) return u.status();
  auto c = GetOrCreateConversation(db, u->id, kNow);
  if (!c.ok()) return c.status();
  NewMessage m;
  m.conversation_id = c->id;
  m.direction = "in";
  m.author = "user";
  m.kind = "text";
  m.text = "ciao";
  return InsertMessage(db, m, kNow).status();
}

TEST_CASE(
    "SQLite: a commit that adds a message tells the stream, a write that "
    "adds none or rolls back does not") {
  support::TempDir dir;
  auto store = Store::Open(dir.File("s.db"));
  REQUIRE(store.ok());
  core::ChangeSignal& changes = (*store)->console_changes();

  uint64_t seen = changes.generation();
  REQUIRE(
      (*store)->Write([](Database& db) { return PersonWrites(db, "1"); }).ok());
  CHECK(changes.generation() != seen);  // told before Write returned

  seen = changes.generation();
  REQUIRE(
      (*store)->Write([](Database& db) { return db.Exec("SELECT 1"); }).ok());
  CHECK(changes.generation() == seen);

  CHECK_FALSE((*store)
                  ->Write([](Database& db) -> core::Status {
                    if (auto s = PersonWrites(db, "2"); !s.ok()) return s;
                    return core::Status::Internal("changed my mind");
                  })
                  .ok());
  CHECK(changes.generation() == seen);  // rolled back: nothing to tell
}

// Writes through `store` until a write succeeds (right after a restart the
// first may find its connection gone).
void WriteSoon(Store& store, const std::string& id) {
  core::Status s;
  for (int i = 0; i < 100; ++i) {
    s = store.Write([&](Database& db) { return PersonWrites(db, id); });
    if (s.ok()) return;
    std::this_thread::sleep_for(200ms);
  }
  FAIL("no write went through: " << s.message());
}

bool WaitForSessions(const ChangeListener& listener, int n) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (listener.sessions() < n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST_CASE(
    "PostgreSQL: another connection's commit reaches the listener, also "
    "after the server restarts") {
  support::PgCluster pg;
  REQUIRE_MESSAGE(pg.ok(), pg.error());
  auto store = Store::Open(pg.uri());  // migrates: the triggers are there
  REQUIRE(store.ok());
  // A signal of the test's own: the store on PostgreSQL tells no one
  // itself, so only the listener can move it.
  core::ChangeSignal news;
  auto listener = ChangeListener::Start(pg.uri(), news);
  REQUIRE(WaitForSessions(*listener, 1));

  uint64_t seen = news.generation();
  WriteSoon(**store, "1");
  CHECK(news.WaitChange(seen, kDeadline) != seen);

  REQUIRE(pg.Down());
  REQUIRE(pg.Up());
  // Listening again, and it said so (what was committed meanwhile was not
  // told): the generation moved before sessions() did.
  REQUIRE(WaitForSessions(*listener, 2));
  seen = news.generation();
  WriteSoon(**store, "2");
  CHECK(news.WaitChange(seen, kDeadline) != seen);
}

}  // namespace
}  // namespace sportello::storage
