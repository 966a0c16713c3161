// What the storage tests start from: a migrated, empty database of the
// engine under test (support::OpenTestDatabase: SQLite in memory, or a
// fresh PostgreSQL schema on the @pg run), a fixed clock, and the people
// and conversations most cases need. Header-only because it reports
// through doctest, which only the test binaries link.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "storage/centres.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/users.h"
#include "tests/support/test_database.h"

namespace sportello::support {

// The storage tests' "now", in ms since the epoch: 2026-11-18, 11:06 UTC.
inline constexpr int64_t kStorageNow = 1'795'000'000'000;

// A database of the engine under test at the latest schema, empty.
inline std::unique_ptr<storage::Database> MigratedDb() {
  auto db = OpenTestDatabase();
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  REQUIRE(storage::Migrate(**db).ok());
  return std::move(*db);
}

// A person as their first message on `channel` leaves them: `external_id`
// is both their id there and their chat. Returns the user's id.
inline int64_t NewUser(storage::Database& db, const std::string& external_id,
                       const std::string& channel = "telegram",
                       const std::string& name = "",
                       int64_t now_ms = kStorageNow) {
  auto u = storage::UpsertUserOnInbound(db, channel, external_id, external_id,
                                        name, now_ms);
  REQUIRE_MESSAGE(u.ok(), u.status().ToString());
  return u->id;
}

// A centre besides centre 1, with a name and nothing else; returns its id.
// AddCentre must run inside a transaction (it nests a savepoint in it), so
// this opens one of its own, as the bot's callers do.
inline int64_t NewCentre(storage::Database& db, const std::string& name,
                         int64_t now_ms = kStorageNow) {
  storage::Centre c;
  c.name = name;
  storage::Transaction txn(db);
  REQUIRE(txn.status().ok());
  auto id = storage::AddCentre(db, c, now_ms);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  REQUIRE(txn.Commit().ok());
  return *id;
}

// The user's conversation, begun at `now_ms` if they had none.
inline storage::Conversation ConversationOf(storage::Database& db,
                                            int64_t user_id,
                                            int64_t now_ms = kStorageNow) {
  auto c = storage::GetOrCreateConversation(db, user_id, now_ms);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  return std::move(*c);
}

}  // namespace sportello::support
