// The inbox: the dedupe set of acknowledged updates (guarantee 2) and the
// per-shard queue of work for the processor (guarantee 3).
#include "storage/inbox.h"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = 1'795'000'000'000;

std::unique_ptr<Database> MigratedDb() {
  auto db = support::OpenTestDatabase();
  REQUIRE(db.ok());
  REQUIRE(Migrate(**db).ok());
  return std::move(*db);
}

NewInboxItem Message(std::string channel, std::string key,
                     std::string chat = "100") {
  NewInboxItem item;
  item.channel = std::move(channel);
  item.dedupe_key = std::move(key);
  item.kind = "message";
  item.chat_id = std::move(chat);
  item.payload = R"({"text":"ciao"})";
  item.raw = R"({"update_id":1})";
  return item;
}

// Inserts and returns the new id; fails the test on a duplicate or error.
int64_t Insert(Database& db, const NewInboxItem& item, int64_t now = kNow) {
  auto id = InsertInbox(db, item, now);
  REQUIRE(id.ok());
  REQUIRE(id->has_value());
  return **id;
}

std::vector<std::string> PendingKeys(Database& db, int shard) {
  auto rows = PendingInbox(db, shard, 100);
  REQUIRE(rows.ok());
  std::vector<std::string> keys;
  for (const auto& r : *rows) keys.push_back(r.dedupe_key);
  return keys;
}

TEST_CASE("the same dedupe key twice is a duplicate") {
  auto db = MigratedDb();
  Insert(*db, Message("telegram", "tg:500"));

  auto again = InsertInbox(*db, Message("telegram", "tg:500"), kNow + 1000);

  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 1);
}

TEST_CASE("a lower update id arriving later is new") {
  auto db = MigratedDb();
  Insert(*db, Message("telegram", "tg:1000"));
  Insert(*db, Message("telegram", "tg:1002"));

  auto late = InsertInbox(*db, Message("telegram", "tg:999"), kNow + 5000);

  REQUIRE(late.ok());
  CHECK(late->has_value());
}

TEST_CASE("the same dedupe key on another channel is a different update") {
  auto db = MigratedDb();
  Insert(*db, Message("telegram", "k1"));
  auto other = InsertInbox(*db, Message("whatsapp", "k1"), kNow);
  REQUIRE(other.ok());
  CHECK(other->has_value());
}

TEST_CASE("a duplicate is still a duplicate after the original was processed") {
  auto db = MigratedDb();
  const int64_t id = Insert(*db, Message("whatsapp", "wamid.A"));
  REQUIRE(MarkInboxProcessed(*db, id, kNow + 10).ok());
  auto again = InsertInbox(*db, Message("whatsapp", "wamid.A"), kNow + 20);
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
}

TEST_CASE("a stored row keeps what was inserted") {
  auto db = MigratedDb();
  NewInboxItem item = Message("telegram", "tg:7", "123456789");
  item.payload = R"({"text":"città 👋"})";
  const int64_t id = Insert(*db, item, kNow + 42);

  const int shard = ShardFor("telegram", "123456789");
  auto rows = PendingInbox(*db, shard, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  const InboxRow& r = rows->front();
  CHECK(r.id == id);
  CHECK(r.channel == "telegram");
  CHECK(r.dedupe_key == "tg:7");
  CHECK(r.kind == "message");
  CHECK(r.chat_id == "123456789");
  CHECK(r.shard == shard);
  CHECK(r.payload == item.payload);
  CHECK(r.received_at == kNow + 42);
}

TEST_CASE("pending rows of a shard come back in arrival order") {
  auto db = MigratedDb();
  // Same chat, so same shard; keys deliberately out of numeric order.
  for (const char* key : {"tg:30", "tg:10", "tg:20"})
    Insert(*db, Message("telegram", key, "77"));
  const int shard = ShardFor("telegram", "77");

  CHECK(PendingKeys(*db, shard) ==
        std::vector<std::string>{"tg:30", "tg:10", "tg:20"});

  SUBCASE("limited") {
    auto rows = PendingInbox(*db, shard, 2);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    CHECK((*rows)[1].dedupe_key == "tg:10");
  }
  SUBCASE("other shards do not see them") {
    for (int other = 0; other < kInboxShards; ++other) {
      if (other == shard) continue;
      CAPTURE(other);
      CHECK(PendingKeys(*db, other).empty());
    }
  }
}

TEST_CASE("processed rows are no longer pending") {
  auto db = MigratedDb();
  const int64_t first = Insert(*db, Message("telegram", "tg:1", "9"));
  Insert(*db, Message("telegram", "tg:2", "9"));

  REQUIRE(MarkInboxProcessed(*db, first, kNow + 5).ok());

  CHECK(PendingKeys(*db, ShardFor("telegram", "9")) ==
        std::vector<std::string>{"tg:2"});
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 1);
}

TEST_CASE(
    "whether a row was processed can be asked inside the processing "
    "transaction") {
  auto db = MigratedDb();
  const int64_t id = Insert(*db, Message("web", "w1"));
  auto before = IsInboxProcessed(*db, id);
  REQUIRE(before.ok());
  CHECK_FALSE(*before);

  REQUIRE(MarkInboxProcessed(*db, id, kNow, "flow: boom").ok());

  auto after = IsInboxProcessed(*db, id);
  REQUIRE(after.ok());
  CHECK(*after);
  Statement err = db->Prepare("SELECT error FROM inbox WHERE id = ?");
  err.Bind(1, id);
  REQUIRE(err.Step());
  CHECK(err.Text(0) == "flow: boom");
}

TEST_CASE("asking about an inbox row that does not exist is NotFound") {
  auto db = MigratedDb();
  CHECK(IsInboxProcessed(*db, 12345).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE("a dead letter is stored already processed with its reason") {
  auto db = MigratedDb();
  NewInboxItem dead = Message("telegram", "tg:66", "");
  dead.kind = "dead_letter";
  dead.done = true;
  dead.error = "telegram: message.chat.id missing";
  const int64_t id = Insert(*db, dead);

  auto processed = IsInboxProcessed(*db, id);
  REQUIRE(processed.ok());
  CHECK(*processed);
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
  Statement st = db->Prepare("SELECT error, raw FROM inbox WHERE id = ?");
  st.Bind(1, id);
  REQUIRE(st.Step());
  CHECK(st.Text(0) == dead.error);
  CHECK(st.Text(1) == dead.raw);
  SUBCASE("and its redelivery is a duplicate") {
    auto again = InsertInbox(*db, dead, kNow + 1);
    REQUIRE(again.ok());
    CHECK_FALSE(again->has_value());
  }
}

TEST_CASE("an unknown inbox kind is refused") {
  auto db = MigratedDb();
  NewInboxItem item = Message("telegram", "tg:1");
  item.kind = "gossip";
  CHECK(InsertInbox(*db, item, kNow).status().code() ==
        Status::Code::kAlreadyExists);
}

TEST_CASE("the shard of a chat is the same in every process and build") {
  // FNV-1a of "<channel>/<chat_id>" modulo kInboxShards: rows already stored
  // carry their shard, so these values must never change.
  CHECK(kInboxShards == 4);
  CHECK(ShardFor("telegram", "123456789") == 0);
  CHECK(ShardFor("whatsapp", "393331234567") == 3);
  CHECK(ShardFor("web", "u1") == 2);
  CHECK(ShardFor("telegram", "-1001234567890") == 2);
  CHECK(ShardFor("telegram", "123456789") == ShardFor("telegram", "123456789"));
}

TEST_CASE("chats spread evenly over the shards") {
  std::array<int, kInboxShards> per_shard{};
  for (int i = 0; i < 4000; ++i) {
    const int shard =
        ShardFor("telegram", std::to_string(100'000'000 + i * 7919));
    REQUIRE(shard >= 0);
    REQUIRE(shard < kInboxShards);
    ++per_shard[shard];
  }
  for (int n : per_shard) {
    CAPTURE(n);
    CHECK(n > 800);  // 1000 expected
    CHECK(n < 1200);
  }
}

TEST_CASE("pruning deletes only processed rows older than the cut-off") {
  auto db = MigratedDb();
  const int64_t day = 24LL * 3600 * 1000;
  const int64_t old_done =
      Insert(*db, Message("whatsapp", "old-done"), kNow - 8 * day);
  Insert(*db, Message("whatsapp", "old-pending"), kNow - 8 * day);
  const int64_t new_done =
      Insert(*db, Message("whatsapp", "new-done"), kNow - day);
  REQUIRE(MarkInboxProcessed(*db, old_done, kNow - 8 * day).ok());
  REQUIRE(MarkInboxProcessed(*db, new_done, kNow - day).ok());

  auto pruned = PruneInbox(*db, kNow - 7 * day);

  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(IsInboxProcessed(*db, old_done).status().code() ==
        Status::Code::kNotFound);
  auto kept = IsInboxProcessed(*db, new_done);
  REQUIRE(kept.ok());
  CHECK(*kept);
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 1);  // never drop work that is still to do
  SUBCASE("a pruned key is forgotten, a kept one still deduplicates") {
    auto forgotten = InsertInbox(*db, Message("whatsapp", "old-done"), kNow);
    REQUIRE(forgotten.ok());
    CHECK(forgotten->has_value());
    auto remembered = InsertInbox(*db, Message("whatsapp", "new-done"), kNow);
    REQUIRE(remembered.ok());
    CHECK_FALSE(remembered->has_value());
  }
}

TEST_CASE("pruning goes in batches, oldest first") {
  auto db = MigratedDb();
  const int64_t day = 24LL * 3600 * 1000;
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    // Received 20, 19, ... 15 days ago, with a newer row after them all.
    const int64_t at = kNow - (20 - i) * day;
    ids.push_back(
        Insert(*db, Message("telegram", "k" + std::to_string(i)), at));
    REQUIRE(MarkInboxProcessed(*db, ids.back(), at).ok());
  }
  Insert(*db, Message("telegram", "today"), kNow);

  auto first = PruneInbox(*db, kNow - 7 * day, 4);
  REQUIRE(first.ok());
  CHECK(*first == 4);
  CHECK(IsInboxProcessed(*db, ids[3]).status().code() ==
        Status::Code::kNotFound);
  CHECK(IsInboxProcessed(*db, ids[4]).ok());  // the younger ones wait
  auto second = PruneInbox(*db, kNow - 7 * day, 4);
  REQUIRE(second.ok());
  CHECK(*second == 2);
  auto third = PruneInbox(*db, kNow - 7 * day, 4);
  REQUIRE(third.ok());
  CHECK(*third == 0);
}

TEST_CASE(
    "a row stored after everything was pruned still comes after every earlier "
    "row") {
  // The processor remembers "every row of the shard up to id N is done", so
  // ids must keep growing even when a quiet week lets pruning empty the table.
  auto db = MigratedDb();
  const int64_t day = 24LL * 3600 * 1000;
  int64_t last = 0;
  for (const char* key : {"a", "b", "c"}) {
    last = Insert(*db, Message("telegram", key), kNow - 8 * day);
    REQUIRE(MarkInboxProcessed(*db, last, kNow - 8 * day).ok());
  }
  auto pruned = PruneInbox(*db, kNow - 7 * day);
  REQUIRE(pruned.ok());
  CHECK(*pruned >= 2);

  const int64_t next = Insert(*db, Message("telegram", "d"), kNow);

  CHECK(next > last);
}

TEST_CASE(
    "a batch stores each new update once, numbered in its order, and tells "
    "the duplicates") {
  auto db = MigratedDb();
  Insert(*db, Message("telegram", "tg:1"));
  const NewInboxItem a = Message("telegram", "tg:2");
  const NewInboxItem b = Message("whatsapp", "wamid.B", "393331234567");
  const NewInboxItem a_again = Message("telegram", "tg:2");
  const NewInboxItem old = Message("telegram", "tg:1");
  const NewInboxItem c = Message("telegram", "tg:3", "200");

  auto ids = InsertInboxBatch(*db, {&a, &b, &a_again, &old, &c}, kNow);

  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 5);
  REQUIRE((*ids)[0].has_value());
  REQUIRE((*ids)[1].has_value());
  CHECK_FALSE((*ids)[2].has_value());
  CHECK_FALSE((*ids)[3].has_value());
  REQUIRE((*ids)[4].has_value());
  CHECK(*(*ids)[0] < *(*ids)[1]);
  CHECK(*(*ids)[1] < *(*ids)[4]);
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 4);
}

TEST_CASE("a batch of many updates stores every one, in order") {
  auto db = MigratedDb();
  std::vector<NewInboxItem> items;
  for (int i = 0; i < 347; ++i)  // more than one statement's rows
    items.push_back(Message("telegram", "tg:" + std::to_string(i),
                            std::to_string(100 + i % 7)));
  items[346].kind = "dead_letter";
  items[346].chat_id = "";
  items[346].done = true;
  items[346].error = "not JSON";
  std::vector<const NewInboxItem*> view;
  for (const auto& item : items) view.push_back(&item);

  auto ids = InsertInboxBatch(*db, view, kNow);

  REQUIRE(ids.ok());
  REQUIRE(ids->size() == items.size());
  for (size_t i = 0; i < ids->size(); ++i) {
    CAPTURE(i);
    REQUIRE((*ids)[i].has_value());
    if (i > 0) CHECK(*(*ids)[i - 1] < *(*ids)[i]);
  }
  auto pending = CountPendingInbox(*db);
  REQUIRE(pending.ok());
  CHECK(*pending == 346);
  // A chat's rows come back in the batch's order.
  auto rows = PendingInbox(*db, ShardFor("telegram", "100"), 400);
  REQUIRE(rows.ok());
  std::vector<std::string> chat_100;
  for (const auto& r : *rows)
    if (r.chat_id == "100") chat_100.push_back(r.dedupe_key);
  REQUIRE(chat_100.size() == 50);
  CHECK(chat_100[0] == "tg:0");
  CHECK(chat_100[1] == "tg:7");
  CHECK(chat_100[49] == "tg:343");
}

TEST_CASE("a batch keeps every character of what it stores") {
  auto db = MigratedDb();
  // What an update may hold, and what a careless encoding would lose.
  const std::vector<std::string> texts = {
      R"({"text":"dice \"ciao\", poi {va} via"})",
      R"({"text":"C:\\lavoro\\cv.pdf"})",
      "NULL",
      "",
      " spazi ",
      "riga uno\nriga due\t\u00e8",
      "città 👋 — l'ufficio",
      R"(\")",
  };
  std::vector<NewInboxItem> items;
  for (size_t i = 0; i < texts.size(); ++i) {
    NewInboxItem item =
        Message("whatsapp", "wa:" + texts[i] + std::to_string(i),
                "39" + std::to_string(i));
    item.payload = texts[i];
    item.raw = texts[texts.size() - 1 - i];
    items.push_back(std::move(item));
  }
  NewInboxItem dead = Message("whatsapp", "dead:\"x\"", "");
  dead.kind = "dead_letter";
  dead.done = true;
  dead.error = R"(not JSON: "{" at 1)";
  items.push_back(dead);
  items.push_back(items[0]);  // a repeat inside the batch: one row
  std::vector<const NewInboxItem*> view;
  for (const auto& item : items) view.push_back(&item);

  auto ids = InsertInboxBatch(*db, view, kNow);

  REQUIRE(ids.ok());
  REQUIRE(ids->size() == items.size());
  CHECK_FALSE(ids->back().has_value());
  for (size_t i = 0; i + 1 < items.size(); ++i) {
    CAPTURE(i);
    REQUIRE((*ids)[i].has_value());
    Statement st = db->Prepare(
        "SELECT dedupe_key, chat_id, payload, raw, error, shard,"
        " processed_at IS NULL, received_at FROM inbox WHERE id = ?");
    st.Bind(1, *(*ids)[i]);
    REQUIRE(st.Step());
    CHECK(st.Text(0) == items[i].dedupe_key);
    CHECK(st.Text(1) == items[i].chat_id);
    CHECK(st.Text(2) == items[i].payload);
    CHECK(st.Text(3) == items[i].raw);
    CHECK(st.IsNull(4) == items[i].error.empty());
    if (!items[i].error.empty()) CHECK(st.Text(4) == items[i].error);
    CHECK(st.Int(5) == ShardFor("whatsapp", items[i].chat_id));
    CHECK((st.Int(6) != 0) == !items[i].done);
    CHECK(st.Int(7) == kNow);
  }
}

// Whether a connection other than these is waiting for an advisory lock.
bool SomeoneWaitsForAnAdvisoryLock(Database& observer) {
  Statement st = observer.Prepare(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT "
      "granted");
  REQUIRE(st.Step());
  return st.Int(0) > 0;
}

TEST_CASE(
    "on PostgreSQL a chat's updates stored by two connections are numbered "
    "in commit order") {
  if (!support::TestOnPostgres()) return;
  support::TempDir dir;
  const std::string uri = support::TestDatabaseAt(dir.File("db"));
  auto open = [&] {
    auto db = Database::Open(uri);
    REQUIRE(db.ok());
    return std::move(*db);
  };
  auto first = open();
  REQUIRE(Migrate(*first).ok());
  auto second = open();
  auto observer = open();

  // The first process has stored an update of chat 100 and not committed.
  Transaction txn(*first);
  REQUIRE(txn.status().ok());
  const NewInboxItem early = Message("telegram", "tg:1", "100");
  REQUIRE(LockInboxChats(*first, {&early}).ok());
  auto early_id = InsertInboxBatch(*first, {&early}, kNow);
  REQUIRE(early_id.ok());

  SUBCASE("another chat goes ahead at once") {
    const NewInboxItem other = Message("telegram", "tg:2", "200");
    REQUIRE(LockInboxChats(*second, {&other}).ok());
    auto other_id = InsertInboxBatch(*second, {&other}, kNow);
    REQUIRE(other_id.ok());
    CHECK(other_id->at(0).has_value());
    CHECK_FALSE(SomeoneWaitsForAnAdvisoryLock(*observer));
    REQUIRE(txn.Commit().ok());
  }
  SUBCASE("the same chat waits for the commit, then comes after") {
    std::atomic<bool> done{false};
    std::optional<int64_t> late_id;
    std::thread late([&] {
      const NewInboxItem update = Message("telegram", "tg:3", "100");
      // Outside a transaction the lock lasts the statement: enough to see
      // it wait.
      const bool locked = LockInboxChats(*second, {&update}).ok();
      done = true;
      if (!locked) return;
      auto id = InsertInboxBatch(*second, {&update}, kNow);
      if (id.ok()) late_id = id->at(0);
    });
    bool waiting = false;
    for (int i = 0; i < 500 && !waiting; ++i) {
      waiting = SomeoneWaitsForAnAdvisoryLock(*observer);
      if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(waiting);
    CHECK_FALSE(done.load());
    REQUIRE(txn.Commit().ok());
    late.join();
    REQUIRE(late_id.has_value());
    CHECK(*late_id > *early_id->at(0));
  }
}

}  // namespace
}  // namespace sportello::storage
