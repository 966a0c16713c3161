// The outbox (guarantee 4): one API call per row, due at a time, claimed so
// that each chat's messages leave in order and different chats in parallel.
#include "storage/outbox.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "tests/support/claim_due.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = 1'795'000'000'000;
constexpr int64_t kHour = 3'600'000;

using support::MigratedDb;

NewOutboxRow Reply(const std::string& chat, const std::string& text,
                   int64_t due = kNow,
                   const std::string& channel = "telegram") {
  NewOutboxRow r;
  r.channel = channel;
  r.chat_id = chat;
  r.kind = "text";
  r.payload = R"({"text":")" + text + R"("})";
  r.due_at = due;
  return r;
}

int64_t Enqueue(Database& db, const NewOutboxRow& row, int64_t now = kNow) {
  auto id = EnqueueOutbox(db, row, now);
  REQUIRE(id.ok());
  REQUIRE(id->has_value());
  return **id;
}

std::vector<OutboxRow> Claim(Database& db, int64_t now = kNow, int limit = 100,
                             const std::vector<std::string>& channels = {}) {
  auto rows = support::ClaimDueOutbox(db, now, limit, channels);
  REQUIRE(rows.ok());
  return std::move(*rows);
}

// "3 5 8": row ids as text, so a failed check shows them.
std::string Ids(const std::vector<OutboxRow>& rows) {
  std::string ids;
  for (const auto& r : rows)
    ids += (ids.empty() ? "" : " ") + std::to_string(r.id);
  return ids;
}

std::string Ids(std::initializer_list<int64_t> expected) {
  std::string ids;
  for (int64_t id : expected)
    ids += (ids.empty() ? "" : " ") + std::to_string(id);
  return ids;
}

std::string StateOf(Database& db, int64_t id) {
  Statement st = db.Prepare("SELECT state FROM outbox WHERE id = ?");
  st.Bind(1, id);
  REQUIRE(st.Step());
  return st.Text(0);
}

TEST_CASE("a claimed row carries what was enqueued and counts the attempt") {
  auto db = MigratedDb();
  NewOutboxRow row = Reply("100", "ciao");
  row.user_id = std::nullopt;
  row.message_id = std::nullopt;
  row.priority = 3;
  const int64_t id = Enqueue(*db, row);

  const auto claimed = Claim(*db);

  REQUIRE(claimed.size() == 1);
  const OutboxRow& r = claimed.front();
  CHECK(r.id == id);
  CHECK(r.channel == "telegram");
  CHECK(r.chat_id == "100");
  CHECK(r.kind == "text");
  CHECK(r.payload == row.payload);
  CHECK(r.priority == 3);
  CHECK(r.due_at == kNow);
  CHECK(r.next_attempt_at == kNow);
  CHECK(r.attempts == 1);
  CHECK(r.state == "sending");
  CHECK(StateOf(*db, id) == "sending");
  CHECK(Claim(*db).empty());  // claimed rows are not handed out twice
}

TEST_CASE("a chat's rows are claimed one at a time in order") {
  auto db = MigratedDb();
  const int64_t first = Enqueue(*db, Reply("100", "uno"));
  const int64_t second = Enqueue(*db, Reply("100", "due"));
  const int64_t third = Enqueue(*db, Reply("100", "tre"));

  CHECK(Ids(Claim(*db)) == Ids({first}));
  CHECK(Claim(*db).empty());  // the first is in flight

  SUBCASE("the next one once the first is sent") {
    REQUIRE(MarkOutboxSent(*db, first, "57", kNow + 1).ok());
    CHECK(Ids(Claim(*db, kNow + 1)) == Ids({second}));
    REQUIRE(MarkOutboxSent(*db, second, "58", kNow + 2).ok());
    CHECK(Ids(Claim(*db, kNow + 2)) == Ids({third}));
  }
  SUBCASE("the next one once the first has failed for good") {
    REQUIRE(MarkOutboxFailed(*db, first, "400 Bad Request", kNow + 1).ok());
    CHECK(Ids(Claim(*db, kNow + 1)) == Ids({second}));
  }
  SUBCASE("none while the first waits for its retry") {
    REQUIRE(MarkOutboxRetry(*db, first, kNow + 5000, "502").ok());
    CHECK(Claim(*db, kNow + 1).empty());
    CHECK(Ids(Claim(*db, kNow + 5000)) == Ids({first}));
  }
}

TEST_CASE("a row being sent blocks its chat even when a newer row is due") {
  auto db = MigratedDb();
  const int64_t reminder = Enqueue(*db, Reply("100", "domani", kNow - kHour));
  REQUIRE(Ids(Claim(*db)) == Ids({reminder}));
  Enqueue(*db, Reply("100", "risposta"));
  CHECK(Claim(*db).empty());
}

TEST_CASE(
    "a reminder due later does not hold up a newer reply of the same chat") {
  auto db = MigratedDb();
  const int64_t reminder =
      Enqueue(*db, Reply("100", "promemoria", kNow + 24 * kHour));
  const int64_t reply = Enqueue(*db, Reply("100", "ciao"));

  CHECK(Ids(Claim(*db)) == Ids({reply}));
  REQUIRE(MarkOutboxSent(*db, reply, "", kNow).ok());
  CHECK(Claim(*db, kNow + kHour).empty());
  CHECK(Ids(Claim(*db, kNow + 24 * kHour)) == Ids({reminder}));
}

TEST_CASE("different chats are claimed together") {
  auto db = MigratedDb();
  const int64_t a = Enqueue(*db, Reply("100", "a"));
  const int64_t b = Enqueue(*db, Reply("200", "b"));
  Enqueue(*db, Reply("100", "a2"));
  const int64_t c = Enqueue(
      *db, Reply("100", "c", kNow, "whatsapp"));  // same id, other channel

  CHECK(Ids(Claim(*db)) == Ids({a, b, c}));
}

TEST_CASE("the claim takes at most the limit") {
  auto db = MigratedDb();
  for (int i = 0; i < 5; ++i) Enqueue(*db, Reply(std::to_string(i), "x"));
  CHECK(Claim(*db, kNow, 2).size() == 2);
  CHECK(Claim(*db, kNow, 10).size() == 3);
}

TEST_CASE("rows that are not due yet are not claimed") {
  auto db = MigratedDb();
  const int64_t later = Enqueue(*db, Reply("100", "x", kNow + 1000));
  CHECK(Claim(*db, kNow + 999).empty());
  CHECK(Ids(Claim(*db, kNow + 1000)) == Ids({later}));
}

TEST_CASE("a lower priority number goes first among due rows") {
  auto db = MigratedDb();
  NewOutboxRow broadcast = Reply("100", "evento");
  broadcast.priority = 10;
  const int64_t b = Enqueue(*db, broadcast);
  const int64_t r = Enqueue(*db, Reply("200", "risposta"));

  CHECK(Ids(Claim(*db, kNow, 1)) == Ids({r}));
  CHECK(Ids(Claim(*db, kNow, 1)) == Ids({b}));
}

TEST_CASE("the claim can be limited to some channels") {
  auto db = MigratedDb();
  const int64_t tg = Enqueue(*db, Reply("100", "t", kNow, "telegram"));
  const int64_t wa = Enqueue(*db, Reply("393331234567", "w", kNow, "whatsapp"));
  const int64_t web = Enqueue(*db, Reply("u1", "w", kNow, "web"));

  SUBCASE("one channel") {
    CHECK(Ids(Claim(*db, kNow, 100, {"whatsapp"})) == Ids({wa}));
    CHECK(StateOf(*db, tg) == "pending");
  }
  SUBCASE("two channels") {
    CHECK(Ids(Claim(*db, kNow, 100, {"telegram", "web"})) == Ids({tg, web}));
  }
  SUBCASE("a channel with nothing due") {
    CHECK(Claim(*db, kNow, 100, {"terminal"}).empty());
  }
  SUBCASE("the limit still applies") {
    CHECK(Claim(*db, kNow, 1, {"telegram", "whatsapp"}).size() == 1);
  }
}

TEST_CASE("a retry waits until its next attempt time and keeps the error") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "x"));
  REQUIRE(Claim(*db).size() == 1);

  REQUIRE(
      MarkOutboxRetry(*db, id, kNow + 2000, "telegram: 502 Bad Gateway").ok());

  CHECK(StateOf(*db, id) == "pending");
  auto next = NextOutboxDue(*db);
  REQUIRE(next.ok());
  CHECK(*next == kNow + 2000);
  CHECK(Claim(*db, kNow + 1999).empty());
  const auto again = Claim(*db, kNow + 2000);
  REQUIRE(again.size() == 1);
  CHECK(again.front().attempts == 2);
  CHECK(again.front().due_at == kNow);
  CHECK(again.front().last_error == "telegram: 502 Bad Gateway");
}

TEST_CASE("a sent row records the provider id and clears the error") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "x"));
  REQUIRE(Claim(*db).size() == 1);
  REQUIRE(MarkOutboxRetry(*db, id, kNow, "timeout").ok());
  REQUIRE(Claim(*db).size() == 1);

  REQUIRE(MarkOutboxSent(*db, id, "wamid.OK", kNow + 5).ok());

  Statement st = db->Prepare(
      "SELECT state, provider_message_id, last_error, sent_at FROM outbox "
      "WHERE id = ?");
  st.Bind(1, id);
  REQUIRE(st.Step());
  CHECK(st.Text(0) == "sent");
  CHECK(st.Text(1) == "wamid.OK");
  CHECK(st.IsNull(2));
  CHECK(st.Int(3) == kNow + 5);
}

TEST_CASE("rows in flight at a crash go back to pending") {
  auto db = MigratedDb();
  const int64_t a = Enqueue(*db, Reply("100", "a"));
  const int64_t b = Enqueue(*db, Reply("200", "b"));
  const int64_t done = Enqueue(*db, Reply("300", "c"));
  REQUIRE(Claim(*db).size() == 3);
  for (int64_t id : {a, b, done})
    REQUIRE(MarkOutboxHandedOver(*db, id, kNow).ok());
  REQUIRE(MarkOutboxSent(*db, done, "", kNow).ok());
  // The process dies here; on restart:

  auto requeued = RequeueInFlightOutbox(*db);

  REQUIRE(requeued.ok());
  CHECK(*requeued == 2);
  CHECK(StateOf(*db, a) == "pending");
  CHECK(StateOf(*db, b) == "pending");
  CHECK(StateOf(*db, done) == "sent");
  const auto again = Claim(*db);
  CHECK(Ids(again) == Ids({a, b}));
  CHECK(again.front().attempts == 2);
}

TEST_CASE(
    "rows claimed but never handed to the HTTP client go back to pending, "
    "their attempt uncounted, apart from those handed over") {
  auto db = MigratedDb();
  const int64_t handed = Enqueue(*db, Reply("100", "a"));
  const int64_t claimed = Enqueue(*db, Reply("200", "b"));
  REQUIRE(Claim(*db).size() == 2);
  REQUIRE(MarkOutboxHandedOver(*db, handed, kNow).ok());
  // The process dies here; on restart:

  auto unsent = RequeueUnsentOutbox(*db);

  REQUIRE(unsent.ok());
  CHECK(*unsent == 1);
  CHECK(StateOf(*db, claimed) == "pending");
  CHECK(StateOf(*db, handed) == "sending");
  CHECK(*RequeueInFlightOutbox(*db) == 1);
  const auto again = Claim(*db);
  REQUIRE(again.size() == 2);
  for (const auto& row : again)
    CHECK(row.attempts == (row.id == handed ? 2 : 1));
}

TEST_CASE("a new claim forgets an earlier attempt's hand-over") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "a"));
  REQUIRE(Claim(*db).size() == 1);
  REQUIRE(MarkOutboxHandedOver(*db, id, kNow).ok());
  REQUIRE(MarkOutboxRetry(*db, id, kNow, "503").ok());
  REQUIRE(Claim(*db).size() == 1);
  // Claimed again, and the process died before handing it over.

  CHECK(*RequeueInFlightOutbox(*db) == 0);
  CHECK(*RequeueUnsentOutbox(*db) == 1);
  CHECK(StateOf(*db, id) == "pending");
}

TEST_CASE("a row with a dedupe key is enqueued once") {
  auto db = MigratedDb();
  NewOutboxRow reminder = Reply("100", "domani", kNow + 24 * kHour);
  reminder.dedupe_key = "reminder:42:24h";
  Enqueue(*db, reminder);

  auto again = EnqueueOutbox(*db, reminder, kNow + 1);

  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  auto depth = OutboxDepth(*db);
  REQUIRE(depth.ok());
  CHECK(*depth == 1);
  SUBCASE("rows without a key are never merged") {
    CHECK(EnqueueOutbox(*db, Reply("100", "x"), kNow)->has_value());
    CHECK(EnqueueOutbox(*db, Reply("100", "x"), kNow)->has_value());
  }
}

TEST_CASE("the depth counts rows waiting or in flight") {
  auto db = MigratedDb();
  auto empty = OutboxDepth(*db);
  REQUIRE(empty.ok());
  CHECK(*empty == 0);
  const int64_t a = Enqueue(*db, Reply("100", "a"));
  Enqueue(*db, Reply("200", "b"));
  Enqueue(*db, Reply("300", "later", kNow + kHour));
  const int64_t d = Enqueue(*db, Reply("400", "d"));
  REQUIRE(Claim(*db, kNow, 1).size() == 1);  // a is sending
  REQUIRE(MarkOutboxFailed(*db, d, "400", kNow).ok());
  (void)a;

  auto depth = OutboxDepth(*db);
  REQUIRE(depth.ok());
  CHECK(*depth == 3);
}

TEST_CASE("the next due time is the earliest pending attempt") {
  auto db = MigratedDb();
  auto none = NextOutboxDue(*db);
  REQUIRE(none.ok());
  CHECK(*none == std::nullopt);

  Enqueue(*db, Reply("100", "later", kNow + 5000));
  const int64_t soon = Enqueue(*db, Reply("200", "soon", kNow + 1000));
  auto next = NextOutboxDue(*db);
  REQUIRE(next.ok());
  CHECK(*next == kNow + 1000);

  REQUIRE(Claim(*db, kNow + 1000).size() == 1);  // 'soon' is in flight
  REQUIRE(MarkOutboxSent(*db, soon, "", kNow + 1000).ok());
  next = NextOutboxDue(*db);
  REQUIRE(next.ok());
  CHECK(*next == kNow + 5000);
}

TEST_CASE(
    "a web chat takes its due replies oldest first and they count as sent") {
  auto db = MigratedDb();
  const int64_t first = Enqueue(*db, Reply("u1", "uno", kNow, "web"));
  const int64_t second = Enqueue(*db, Reply("u1", "due", kNow, "web"));
  const int64_t later = Enqueue(*db, Reply("u1", "dopo", kNow + kHour, "web"));
  const int64_t other_chat = Enqueue(*db, Reply("u2", "altro", kNow, "web"));
  const int64_t other_channel =
      Enqueue(*db, Reply("u1", "tg", kNow, "telegram"));

  auto taken = TakeDueOutboxForChat(*db, "web", "u1", kNow);

  REQUIRE(taken.ok());
  CHECK(Ids(*taken) == Ids({first, second}));
  for (const auto& r : *taken) CHECK(r.state == "sent");
  CHECK(StateOf(*db, first) == "sent");
  CHECK(StateOf(*db, second) == "sent");
  CHECK(StateOf(*db, later) == "pending");
  CHECK(StateOf(*db, other_chat) == "pending");
  CHECK(StateOf(*db, other_channel) == "pending");
  auto again = TakeDueOutboxForChat(*db, "web", "u1", kNow);
  REQUIRE(again.ok());
  CHECK(again->empty());
}

// A notice's row as a fan-out writes it, for broadcast `broadcast_id`.
NewOutboxRow Notice(Database& db, const std::string& chat) {
  REQUIRE(db.Exec("INSERT INTO broadcasts(id, payload_it,"
                  " payload_en, send_at, created_at)"
                  " VALUES(1, '{}', '{}', 0, 0) ON CONFLICT DO NOTHING")
              .ok());
  NewOutboxRow r = Reply(chat, "avviso");
  r.priority = 2;
  r.broadcast_id = 1;
  return r;
}

int64_t NextAttemptOf(Database& db, int64_t id) {
  Statement st = db.Prepare("SELECT next_attempt_at FROM outbox WHERE id = ?");
  st.Bind(1, id);
  REQUIRE(st.Step());
  return st.Int(0);
}

TEST_CASE("without notices the due search leaves broadcast rows alone") {
  auto db = MigratedDb();
  const int64_t notice = Enqueue(*db, Notice(*db, "100"));
  const int64_t reply = Enqueue(*db, Reply("200", "ciao"));
  auto quiet = FindDueOutbox(*db, kNow, 10, {}, /*with_broadcasts=*/false);
  REQUIRE(quiet.ok());
  CHECK(Ids(*quiet) == Ids({reply}));
  auto all = FindDueOutbox(*db, kNow, 10, {});
  REQUIRE(all.ok());
  CHECK(Ids(*all) == Ids({reply, notice}));
  CHECK(**NextOutboxDue(*db, false) == kNow);
  REQUIRE(ClaimOutboxRow(*db, reply).value());
  CHECK_FALSE(NextOutboxDue(*db, false)->has_value());
  CHECK(**NextOutboxDue(*db) == kNow);
}

TEST_CASE("a held notice does not hold up a later reply to the same chat") {
  auto db = MigratedDb();
  const int64_t notice = Enqueue(*db, Notice(*db, "100"));
  const int64_t reply = Enqueue(*db, Reply("100", "ciao"));
  const int64_t second = Enqueue(*db, Notice(*db, "100"));
  auto quiet = FindDueOutbox(*db, kNow, 10, {}, false);
  REQUIRE(quiet.ok());
  CHECK(Ids(*quiet) == Ids({reply}));
  // Otherwise the chat's order holds: the second notice waits for the
  // first, and for the reply written before it.
  auto all = FindDueOutbox(*db, kNow, 10, {});
  REQUIRE(all.ok());
  CHECK(Ids(*all) == Ids({reply, notice}));
  REQUIRE(ClaimOutboxRow(*db, notice).value());
  REQUIRE(MarkOutboxSent(*db, notice, "", kNow).ok());
  auto next = FindDueOutbox(*db, kNow, 10, {});
  REQUIRE(next.ok());
  CHECK(Ids(*next) == Ids({reply}));
  REQUIRE(ClaimOutboxRow(*db, reply).value());
  REQUIRE(MarkOutboxSent(*db, reply, "", kNow).ok());
  auto last = FindDueOutbox(*db, kNow, 10, {});
  REQUIRE(last.ok());
  CHECK(Ids(*last) == Ids({second}));
}

TEST_CASE("a deferred row waits without an attempt counted") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "parte 4"));
  REQUIRE(DeferOutboxRow(*db, id, kNow + 1000).value());
  CHECK(Claim(*db, kNow + 999).empty());
  const auto rows = Claim(*db, kNow + 1000);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].attempts == 1);
  // Only a pending row moves: one being sent is left alone.
  CHECK_FALSE(DeferOutboxRow(*db, id, kNow + 5000).value());
  CHECK(NextAttemptOf(*db, id) == kNow + 1000);
}

TEST_CASE("a claimed row given back unsent is pending again, uncounted") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "ciao"));
  REQUIRE(Claim(*db).size() == 1);
  REQUIRE(UnclaimOutboxRow(*db, id, kNow + 2000).ok());
  CHECK(StateOf(*db, id) == "pending");
  CHECK(NextAttemptOf(*db, id) == kNow + 2000);
  const auto rows = Claim(*db, kNow + 2000);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].attempts == 1);
}

TEST_CASE("an unknown outbox state is refused by the schema") {
  auto db = MigratedDb();
  const int64_t id = Enqueue(*db, Reply("100", "x"));
  Statement st = db->Prepare("UPDATE outbox SET state = 'lost' WHERE id = ?");
  st.Bind(1, id);
  CHECK(st.Run().code() == Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace sportello::storage
