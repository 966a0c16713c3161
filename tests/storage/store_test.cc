// The store as the service uses it: one writer shared by many threads,
// readers on their own connections, and data that outlives the process.
// Real files in a scratch directory: the behaviours involve two connections.
#include "storage/store.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/inbox.h"
#include "storage/migrations.h"
#include "storage/outbox.h"
#include "storage/settings.h"
#include "storage/users.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

std::unique_ptr<Store> OpenStore(const std::string& path) {
  auto store = Store::Open(support::TestDatabaseAt(path));
  REQUIRE(store.ok());
  return std::move(*store);
}

int64_t CountInbox(Database& db) {
  Statement st = db.Prepare("SELECT count(*) FROM inbox");
  REQUIRE(st.Step());
  return st.Int(0);
}

std::optional<std::string> Setting(Database& db, const std::string& key) {
  auto v = GetSetting(db, key);
  REQUIRE(v.ok());
  return *v;
}

// Writes `n` distinct inbox rows through `store`, one transaction each;
// returns how many writes failed.
int WriteRows(Store& store, const std::string& prefix, int n) {
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    const Status s = store.Write([&](Database& db) {
      NewInboxItem item;
      item.channel = "telegram";
      item.dedupe_key = prefix + std::to_string(i);
      item.kind = "message";
      item.chat_id = prefix;
      item.payload = "{}";
      auto id = InsertInbox(db, item, 1);
      if (!id.ok()) return id.status();
      return id->has_value() ? Status::Ok()
                             : Status::Internal("unexpected duplicate");
    });
    if (!s.ok()) ++failures;
  }
  return failures;
}

TEST_CASE("opening a store migrates the file") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  CHECK(store->path() == support::TestDatabaseAt(dir.File("s.db")));
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  auto v = SchemaVersion(**reader);
  REQUIRE(v.ok());
  CHECK(*v == LatestSchemaVersion());
}

TEST_CASE("two threads writing at once both commit everything") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  constexpr int kEach = 100;
  std::atomic<int> failures{0};

  std::thread a([&] { failures += WriteRows(*store, "a", kEach); });
  std::thread b([&] { failures += WriteRows(*store, "b", kEach); });
  a.join();
  b.join();

  CHECK(failures == 0);
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  CHECK(CountInbox(**reader) == 2 * kEach);
}

TEST_CASE(
    "background writers wait for an acknowledgement in progress, not forever") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  std::atomic<bool> writing{false};
  std::atomic<bool> release{false};
  std::thread urgent([&] {
    (void)store->Write(
        [&](Database&) {
          writing = true;
          while (!release) std::this_thread::yield();
          return Status::Ok();
        },
        Store::Priority::kUrgent);
  });
  while (!writing) std::this_thread::yield();

  using std::chrono::milliseconds;
  const auto start = std::chrono::steady_clock::now();
  store->YieldToUrgent(std::chrono::microseconds(0), milliseconds(20));
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(20));

  release = true;
  urgent.join();
  const auto after = std::chrono::steady_clock::now();
  store->YieldToUrgent(std::chrono::microseconds(0), std::chrono::seconds(60));
  CHECK(std::chrono::steady_clock::now() - after < std::chrono::seconds(30));
}

TEST_CASE(
    "a background write sees an acknowledgement waiting for the lock, so it "
    "can commit early" *
    doctest::test_suite("sqlite")) {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  CHECK_FALSE(store->UrgentWaiting());
  std::thread urgent;
  bool seen = false;
  auto s = store->Write([&](Database&) {
    urgent = std::thread([&] {
      (void)store->Write([](Database&) { return Status::Ok(); },
                         Store::Priority::kUrgent);
    });
    for (int i = 0; i < 5000 && !seen; ++i) {
      seen = store->UrgentWaiting();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Status::Ok();
  });
  CHECK(s.ok());
  CHECK(seen);
  urgent.join();
  CHECK_FALSE(store->UrgentWaiting());
}

TEST_CASE(
    "on PostgreSQL an acknowledgement commits while a background write is "
    "open") {
  if (!support::TestOnPostgres()) return;
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  std::atomic<bool> acknowledged{false};
  auto s = store->Write([&](Database&) {
    std::thread urgent([&] {
      auto u = store->Write(
          [](Database& db) {
            NewInboxItem item;
            item.channel = "telegram";
            item.dedupe_key = "tg:1";
            item.kind = "message";
            item.payload = "{}";
            return InsertInbox(db, item, 1).status();
          },
          Store::Priority::kUrgent);
      acknowledged = u.ok();
    });
    urgent.join();  // would wait forever if it needed this transaction to end
    return Status::Ok();
  });
  CHECK(s.ok());
  CHECK(acknowledged);
  CHECK_FALSE(store->UrgentWaiting());
}

TEST_CASE(
    "on PostgreSQL writes beside each other run at once, and a normal write "
    "waits for them") {
  if (!support::TestOnPostgres()) return;
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  std::promise<void> inside, finish;
  auto first = std::async(std::launch::async, [&] {
    return store->WriteBeside([&](Database& db) {
      inside.set_value();
      finish.get_future().wait();
      return PutSetting(db, "first", "1");
    });
  });
  inside.get_future().wait();

  auto second = std::async(std::launch::async, [&] {
    return store->WriteBeside(
        [](Database& db) { return PutSetting(db, "second", "1"); });
  });
  // It would wait for ever if it needed the first to end.
  REQUIRE(second.wait_for(std::chrono::seconds(30)) ==
          std::future_status::ready);
  CHECK(second.get().ok());

  auto normal = std::async(std::launch::async, [&] {
    return store->Write(
        [](Database& db) { return PutSetting(db, "normal", "1"); });
  });
  CHECK(normal.wait_for(std::chrono::milliseconds(300)) ==
        std::future_status::timeout);
  finish.set_value();
  CHECK(first.get().ok());
  CHECK(normal.get().ok());
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  CHECK(Setting(**reader, "first") == "1");
  CHECK(Setting(**reader, "normal") == "1");
}

// Whether a commit waits for the disk (1) or not (0), as the engine says
// inside the transaction: SQLite's synchronous 2 (FULL) or 1 (NORMAL),
// PostgreSQL's synchronous_commit on or off.
int64_t WaitsForDisk(Database& db) {
  Statement st = db.Prepare(db.is_postgres() ? "SHOW synchronous_commit"
                                             : "PRAGMA synchronous");
  if (!st.Step()) return -1;
  if (db.is_postgres()) return st.Text(0) == "on" ? 1 : 0;
  return st.Int(0) == 2 ? 1 : st.Int(0) == 1 ? 0 : -1;
}

int64_t SynchronousIn(Store& store, Store::Durability durability,
                      Store::Priority priority = Store::Priority::kNormal) {
  int64_t mode = -1;
  auto s = store.Write(
      [&](Database& db) {
        mode = WaitsForDisk(db);
        return Status::Ok();
      },
      priority, durability);
  CHECK(s.ok());
  return mode;
}

TEST_CASE(
    "a deferred write commits without its own fsync, and the writes after "
    "it flush again") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  CHECK(SynchronousIn(*store, Store::Durability::kFlush) == 1);
  CHECK(SynchronousIn(*store, Store::Durability::kDeferred) == 0);
  CHECK(SynchronousIn(*store, Store::Durability::kFlush) == 1);
  CHECK(SynchronousIn(*store, Store::Durability::kFlush,
                      Store::Priority::kUrgent) == 1);
}

TEST_CASE(
    "a store tells background writers whether acknowledgements are flowing") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("u.db"));
  CHECK_FALSE(store->UrgentWithin(std::chrono::hours(1)));  // none yet
  REQUIRE(store->Write([](Database&) { return Status::Ok(); }).ok());
  CHECK_FALSE(store->UrgentWithin(std::chrono::hours(1)));  // not urgent

  bool during = false;
  REQUIRE(store
              ->Write(
                  [&](Database&) {
                    during = store->UrgentWithin(std::chrono::milliseconds(0));
                    return Status::Ok();
                  },
                  Store::Priority::kUrgent)
              .ok());

  CHECK(during);
  CHECK(store->UrgentWithin(std::chrono::hours(1)));
  CHECK_FALSE(store->UrgentWithin(std::chrono::milliseconds(0)));
}

TEST_CASE("two stores on one file write at once without a busy error") {
  // As two processes would: separate writer connections, SQLite's lock
  // between them.
  support::TempDir dir;
  auto first = OpenStore(dir.File("s.db"));
  auto second = OpenStore(dir.File("s.db"));
  constexpr int kEach = 100;
  std::atomic<int> failures{0};

  std::thread a([&] { failures += WriteRows(*first, "a", kEach); });
  std::thread b([&] { failures += WriteRows(*second, "b", kEach); });
  a.join();
  b.join();

  CHECK(failures == 0);
  auto reader = first->OpenReader();
  REQUIRE(reader.ok());
  CHECK(CountInbox(**reader) == 2 * kEach);
}

TEST_CASE(
    "the health check answers while a write holds the database, in this "
    "process and in another") {
  support::TempDir dir;
  auto first = OpenStore(dir.File("s.db"));
  auto second = OpenStore(dir.File("s.db"));  // as another process would
  REQUIRE(first->CheckHealth().ok());         // its connection opens here
  std::future<Status> same, other;
  REQUIRE(first
              ->Write([&](Database& db) {
                // A row written: the database's write lock is held (SQLite's
                // RESERVED lock, PostgreSQL's writer advisory lock).
                REQUIRE(PutSetting(db, "held", "yes").ok());
                same = std::async(std::launch::async,
                                  [&] { return first->CheckHealth(); });
                other = std::async(std::launch::async,
                                   [&] { return second->CheckHealth(); });
                // Bounded so that a check that queues fails here instead of
                // hanging: returning releases the lock it waits for.
                const auto limit = std::chrono::seconds(10);
                CHECK(same.wait_for(limit) == std::future_status::ready);
                CHECK(other.wait_for(limit) == std::future_status::ready);
                return Status::Ok();
              })
              .ok());
  CHECK(same.get().ok());
  CHECK(other.get().ok());
}

TEST_CASE("a reader sees committed rows and not a write in progress") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  REQUIRE(store->Write([](Database& db) { return PutSetting(db, "k", "old"); })
              .ok());
  CHECK(Setting(**reader, "k") == "old");

  std::optional<std::string> seen_during_write;
  REQUIRE(store
              ->Write([&](Database& db) {
                if (auto s = PutSetting(db, "k", "new"); !s.ok()) return s;
                seen_during_write = Setting(**reader, "k");
                return Status::Ok();
              })
              .ok());

  CHECK(seen_during_write == "old");
  CHECK(Setting(**reader, "k") == "new");
}

// Whether a checkpoint could copy the whole WAL into the database file, as it
// must be able to or the WAL grows without bound. Asked on a connection of
// its own.
bool CheckpointCompletes(const std::string& path) {
  auto db = Database::Open(support::TestDatabaseAt(path));
  REQUIRE(db.ok());
  Statement st = (*db)->Prepare("PRAGMA wal_checkpoint(PASSIVE)");
  REQUIRE(st.Step());
  CAPTURE(st.Int(1));  // frames in the WAL
  CAPTURE(st.Int(2));  // frames copied
  return st.Int(0) == 0 && st.Int(1) == st.Int(2);
}

TEST_CASE("a reader sees rows committed after its last lookup") {
  // As the metrics gauges use their reader: one lookup per scrape.
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  auto depth = OutboxDepth(**reader);
  REQUIRE(depth.ok());
  REQUIRE(*depth == 0);

  REQUIRE(WriteRows(*store, "x", 2) == 0);

  auto pending = CountPendingInbox(**reader);
  REQUIRE(pending.ok());
  CHECK(*pending == 2);
}

// A user with a conversation, an outbox row, a setting and a processed inbox
// row, written on a connection of its own that is closed again.
struct Seeded {
  int64_t user_id = 0;
  int64_t conversation_id = 0;
  int64_t inbox_id = 0;
};

Seeded Seed(const std::string& path) {
  auto db = Database::Open(support::TestDatabaseAt(path));
  REQUIRE(db.ok());
  Database& d = **db;
  Transaction txn(d);
  REQUIRE(txn.status().ok());
  Seeded seeded;
  auto u = UpsertUserOnInbound(d, "telegram", "42", "42", "Anna", 1);
  REQUIRE(u.ok());
  seeded.user_id = u->id;
  auto c = GetOrCreateConversation(d, seeded.user_id, 1);
  REQUIRE(c.ok());
  seeded.conversation_id = c->id;
  NewOutboxRow row;
  row.channel = "telegram";
  row.chat_id = "42";
  row.kind = "text";
  row.payload = "{}";
  row.due_at = 5;
  REQUIRE(EnqueueOutbox(d, row, 1).ok());
  REQUIRE(PutSetting(d, "k", "v").ok());
  NewInboxItem item;
  item.channel = "telegram";
  item.dedupe_key = "seed";
  item.kind = "message";
  item.payload = "{}";
  auto id = InsertInbox(d, item, 1);
  REQUIRE(id.ok());
  seeded.inbox_id = id->value();
  REQUIRE(txn.Commit().ok());
  return seeded;
}

TEST_CASE("a lookup on a reader does not hold back checkpoints" *
          doctest::test_suite("sqlite")) {
  support::TempDir dir;
  const std::string path = dir.File("s.db");
  auto store = OpenStore(path);
  const Seeded seeded = Seed(path);
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  Database& r = **reader;

  // Each lookup the service's readers make, on a connection that then idles
  // (a sender worker between sends, the gauges between scrapes).
  SUBCASE("no lookup") {}
  SUBCASE("FindUserById") { REQUIRE(FindUserById(r, seeded.user_id).ok()); }
  SUBCASE("FindUser") { REQUIRE(FindUser(r, "telegram", "42").ok()); }
  SUBCASE("FindUserByChat") {
    REQUIRE(FindUserByChat(r, "telegram", "42").ok());
  }
  SUBCASE("FindConversation") {
    REQUIRE(FindConversation(r, seeded.conversation_id).ok());
  }
  SUBCASE("GetSetting") { REQUIRE(GetSetting(r, "k").ok()); }
  SUBCASE("OutboxDepth") { REQUIRE(OutboxDepth(r).ok()); }
  SUBCASE("NextOutboxDue") { REQUIRE(NextOutboxDue(r).ok()); }
  SUBCASE("IsInboxProcessed") {
    REQUIRE(IsInboxProcessed(r, seeded.inbox_id).ok());
  }
  SUBCASE("CountPendingInbox") { REQUIRE(CountPendingInbox(r).ok()); }
  SUBCASE("PendingInbox") { REQUIRE(PendingInbox(r, 0, 10).ok()); }

  REQUIRE(WriteRows(*store, "after", 5) == 0);
  CHECK(CheckpointCompletes(path));
}

TEST_CASE("a lookup inside a write does not hold back checkpoints" *
          doctest::test_suite("sqlite")) {
  support::TempDir dir;
  const std::string path = dir.File("s.db");
  auto store = OpenStore(path);
  const Seeded seeded = Seed(path);
  std::function<Status(Database&)> lookup;

  SUBCASE("no lookup") {
    lookup = [](Database&) { return Status::Ok(); };
  }
  SUBCASE("UpsertUserOnInbound") {
    lookup = [](Database& db) {
      return UpsertUserOnInbound(db, "telegram", "42", "42", "", 2).status();
    };
  }
  SUBCASE("GetOrCreateConversation") {
    lookup = [&](Database& db) {
      return GetOrCreateConversation(db, seeded.user_id, 2).status();
    };
  }
  SUBCASE("IsInboxProcessed") {
    lookup = [&](Database& db) {
      return IsInboxProcessed(db, seeded.inbox_id).status();
    };
  }
  SUBCASE("NextOutboxDue") {
    lookup = [](Database& db) { return NextOutboxDue(db).status(); };
  }
  SUBCASE("GetSetting") {
    lookup = [](Database& db) { return GetSetting(db, "k").status(); };
  }

  REQUIRE(store->Write(lookup).ok());
  REQUIRE(WriteRows(*store, "after", 5) == 0);
  CHECK(CheckpointCompletes(path));
}

TEST_CASE("a reader connection cannot write") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  CHECK(PutSetting(**reader, "k", "v").code() == Status::Code::kUnavailable);
}

TEST_CASE(
    "a write whose function fails is rolled back and reports the failure") {
  support::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));

  const Status s = store->Write([](Database& db) {
    if (auto put = PutSetting(db, "k", "half"); !put.ok()) return put;
    return Status::InvalidArgument("flow: bad state");
  });

  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message() == "flow: bad state");
  auto reader = store->OpenReader();
  REQUIRE(reader.ok());
  CHECK(Setting(**reader, "k") == std::nullopt);
  SUBCASE("and the next write works") {
    REQUIRE(
        store->Write([](Database& db) { return PutSetting(db, "k", "whole"); })
            .ok());
    CHECK(Setting(**reader, "k") == "whole");
  }
}

TEST_CASE("data survives closing and reopening the file") {
  support::TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto store = OpenStore(path);
    REQUIRE(store
                ->Write([](Database& db) {
                  return PutSetting(db, "telegram.offset", "77");
                })
                .ok());
    REQUIRE(WriteRows(*store, "x", 3) == 0);
  }
  auto reopened = OpenStore(path);
  auto reader = reopened->OpenReader();
  REQUIRE(reader.ok());
  CHECK(Setting(**reader, "telegram.offset") == "77");
  CHECK(CountInbox(**reader) == 3);
  SUBCASE("and duplicates are still recognised") {
    CHECK(WriteRows(*reopened, "x", 1) == 1);
  }
}

TEST_CASE("a store refuses a database from a newer build") {
  support::TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto db = Database::Open(support::TestDatabaseAt(path));
    REQUIRE(db.ok());
    REQUIRE(Migrate(**db).ok());
    const std::string newer = std::to_string(LatestSchemaVersion() + 1);
    REQUIRE((*db)
                ->Exec((*db)->is_postgres()
                           ? "UPDATE schema_version SET version = " + newer
                           : "PRAGMA user_version = " + newer)
                .ok());
  }
  auto store = Store::Open(support::TestDatabaseAt(path));
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace sportello::storage
