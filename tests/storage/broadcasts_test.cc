// Audiences, the fan-out of a broadcast into outbox rows (exactly one per
// recipient, however often it runs), cancelling, and the counters read back
// from the outbox and the delivery receipts.
#include "storage/broadcasts.h"

#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/centres.h"
#include "storage/database.h"
#include "storage/events.h"
#include "storage/messages.h"
#include "storage/outbox.h"
#include "storage/profiles.h"
#include "storage/users.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-18
constexpr int64_t kDay = 24LL * 3'600'000;
constexpr const char* kPayload =
    R"({"channel":"web","chat_id":"","kind":"text","text":"Ciao"})";

using support::MigratedDb;

struct Person {
  std::string channel = "telegram";
  std::string id = "";
  bool consent = true;
  bool notify = true;
  std::string comune = "";
  int birth_year = 0;
  std::string topic = "";
  int64_t last_inbound_at = kNow;
};

int64_t Add(Database& db, const Person& p) {
  auto u =
      UpsertUserOnInbound(db, p.channel, p.id, p.id, "", p.last_inbound_at);
  REQUIRE(u.ok());
  if (p.consent) REQUIRE(RecordConsent(db, u->id, "v1", kNow - kDay).ok());
  REQUIRE(SetNotify(db, u->id, p.notify).ok());
  if (!p.comune.empty())
    REQUIRE(SaveAnswer(db, u->id, "comune", p.comune, kNow).ok());
  if (p.birth_year)
    REQUIRE(
        SaveAnswer(db, u->id, "birth_year", std::to_string(p.birth_year), kNow)
            .ok());
  if (!p.topic.empty()) {
    Statement st = db.Prepare("INSERT INTO user_topics VALUES(?1, ?2)");
    st.Bind(1, u->id).Bind(2, p.topic);
    REQUIRE(st.Run().ok());
  }
  return u->id;
}

int64_t Count(Database& db, const Audience& a) {
  auto n = CountAudience(db, a, kNow);
  REQUIRE(n.ok());
  return *n;
}

int64_t NewBroadcastNow(Database& db, Audience a = {}, int64_t send_at = kNow) {
  NewBroadcast b;
  b.payload_it = kPayload;
  b.payload_en = kPayload;
  b.audience = std::move(a);
  b.send_at = send_at;
  auto id = CreateBroadcast(db, b, kNow);
  REQUIRE(id.ok());
  return *id;
}

int64_t Rows(Database& db, std::string_view where = "true") {
  Statement st = db.Prepare(std::string("SELECT count(*) FROM outbox WHERE ") +
                            std::string(where));
  REQUIRE(st.Step());
  return st.Int(0);
}

struct OutboxRow {
  std::string channel;
  std::string chat_id;
  int64_t priority = 0;
  nlohmann::json payload;
};

// The outbox, payloads parsed (JSON functions differ between the engines).
std::vector<OutboxRow> Outbox(Database& db) {
  Statement st =
      db.Prepare("SELECT channel, chat_id, priority, payload FROM outbox");
  std::vector<OutboxRow> rows;
  while (st.Step()) {
    rows.push_back({st.Text(0), st.Text(1), st.Int(2),
                    nlohmann::json::parse(st.Text(3), nullptr, false)});
  }
  REQUIRE(st.status().ok());
  return rows;
}

std::string Status(Database& db, int64_t id) {
  auto b = FindBroadcast(db, id);
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  return (*b)->status;
}

TEST_CASE("only subscribers with consent, reachable, are in an audience") {
  auto db = MigratedDb();
  Add(*db, {.id = "1"});
  Add(*db, {.id = "2", .consent = false});
  Add(*db, {.id = "3", .notify = false});
  const int64_t blocked = Add(*db, {.id = "4"});
  REQUIRE(SetUserBlocked(*db, blocked, true).ok());
  const int64_t gone = Add(*db, {.id = "5"});
  REQUIRE(SetUserUnreachable(*db, gone, true).ok());
  Add(*db, {.channel = "web", .id = "6"});
  CHECK(Count(*db, {}) == 1);
}

TEST_CASE("audience filters narrow the subscribers") {
  auto db = MigratedDb();
  Add(*db, {.channel = "whatsapp",
            .id = "391",
            .comune = "Bari",
            .birth_year = 2004,
            .topic = "lavoro"});
  Add(*db, {.id = "2",
            .comune = "Molfetta",
            .birth_year = 1980,
            .topic = "formazione",
            .last_inbound_at = kNow - 40 * kDay});
  Add(*db, {.id = "3"});

  struct Row {
    const char* name;
    Audience audience;
    int64_t expected;
  };
  Audience by_channel;
  by_channel.channel = "whatsapp";
  Audience by_comune;
  by_comune.comuni = {"molfetta", "Altamura"};
  Audience young;
  young.min_age = 16;
  young.max_age = 29;
  Audience by_topic;
  by_topic.topics = {"lavoro", "estero"};
  Audience active;
  active.active_days = 30;
  const Row rows[] = {{"everyone", {}, 3},
                      {"channel", by_channel, 1},
                      {"comune", by_comune, 1},
                      {"age", young, 1},
                      // 3 chose no topic: they get every notice.
                      {"topics", by_topic, 2},
                      {"active", active, 2}};
  for (const auto& r : rows) {
    CAPTURE(r.name);
    CHECK(Count(*db, r.audience) == r.expected);
  }
}

TEST_CASE("an audience can be the people signed up to an event") {
  auto db = MigratedDb();
  const int64_t a = Add(*db, {.id = "1"});
  Add(*db, {.id = "2"});
  NewEvent e;
  e.title = "Recruiting day";
  e.starts_at = kNow + 5 * kDay;
  e.ends_at = e.starts_at + 3'600'000;
  e.place = "Via Sparano 1, Bari";
  e.capacity = 10;
  auto event = AddEvent(*db, e, kNow);
  REQUIRE(event.ok());
  REQUIRE(SignUp(*db, *event, a, kNow).ok());
  Audience signed_up;
  signed_up.event_id = *event;
  CHECK(Count(*db, signed_up) == 1);
}

TEST_CASE("an audience can ask for profile answers, one option of many") {
  auto db = MigratedDb();
  const int64_t student = Add(*db, {.id = "1"});
  REQUIRE(SaveAnswer(*db, student, "status", "studente", kNow).ok());
  REQUIRE(
      SaveAnswer(*db, student, "interests", "turismo,informatica", kNow).ok());
  const int64_t worker = Add(*db, {.id = "2"});
  REQUIRE(SaveAnswer(*db, worker, "status", "occupato", kNow).ok());
  REQUIRE(
      SaveAnswer(*db, worker, "interests", "informatica_avanzata", kNow).ok());
  Add(*db, {.id = "3"});  // no profile

  struct Row {
    const char* name;
    std::map<std::string, std::string> profile;
    int64_t expected;
  };
  const Row rows[] = {
      {"no filter", {}, 3},
      {"one answer", {{"status", "studente"}}, 1},
      {"one of a multi answer", {{"interests", "informatica"}}, 1},
      {"every pair must hold",
       {{"status", "occupato"}, {"interests", "turismo"}},
       0},
      {"an unanswered question", {{"titolo", "laurea"}}, 0},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    Audience a;
    a.profile = r.profile;
    CHECK(Count(*db, a) == r.expected);
  }
}

TEST_CASE("the fan-out reaches exactly the audience counted, profile too") {
  auto db = MigratedDb();
  const int64_t student = Add(*db, {.id = "1"});
  REQUIRE(SaveAnswer(*db, student, "status", "studente", kNow).ok());
  const int64_t worker = Add(*db, {.id = "2"});
  REQUIRE(SaveAnswer(*db, worker, "status", "occupato", kNow).ok());
  Audience a;
  a.profile = {{"status", "studente"}};
  REQUIRE(Count(*db, a) == 1);
  const int64_t id = NewBroadcastNow(*db, a);

  auto found = FindBroadcast(*db, id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->audience.profile == a.profile);
  auto n = FanOutDueBroadcasts(*db, kNow);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(Rows(*db, "user_id = " + std::to_string(student)) == 1);
}

// A second centre, and the person moved to it (the centre of their
// conversation is where they belong).
void MoveTo(Database& db, int64_t user_id, int64_t centre_id) {
  support::ConversationOf(db, user_id, kNow);
  Statement st =
      db.Prepare("UPDATE conversations SET centre_id = ?1 WHERE user_id = ?2");
  st.Bind(1, centre_id).Bind(2, user_id);
  REQUIRE(st.Run().ok());
}

TEST_CASE("an audience of centres reaches the people of those centres") {
  auto db = MigratedDb();
  const int64_t molfetta = support::NewCentre(*db, "CPI Molfetta");
  const int64_t in_bari = Add(*db, {.id = "1"});
  support::ConversationOf(*db, in_bari, kNow);
  const int64_t in_molfetta = Add(*db, {.id = "2"});
  MoveTo(*db, in_molfetta, molfetta);
  // Subscribed before they ever wrote: no conversation yet, so the first
  // centre's.
  Add(*db, {.id = "3"});

  Audience a;
  CHECK(Count(*db, a) == 3);  // no centres: the whole region
  a.centres = {molfetta};
  CHECK(Count(*db, a) == 1);
  a.centres = {kFirstCentre};
  CHECK(Count(*db, a) == 2);
  a.centres = {kFirstCentre, molfetta};
  CHECK(Count(*db, a) == 3);
  // An id that is a prefix or suffix of another matches only itself.
  a.centres = {molfetta + 10};
  CHECK(Count(*db, a) == 0);

  a.centres = {molfetta};
  const int64_t id = NewBroadcastNow(*db, a);
  auto found = FindBroadcast(*db, id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->audience.centres == std::vector<int64_t>{molfetta});
  auto n = FanOutDueBroadcasts(*db, kNow);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(Rows(*db, "user_id = " + std::to_string(in_molfetta)) == 1);
}

TEST_CASE("a centres audience combines with the other filters") {
  auto db = MigratedDb();
  const int64_t molfetta = support::NewCentre(*db, "CPI Molfetta");
  const int64_t young = Add(*db, {.id = "1", .birth_year = 2004});
  MoveTo(*db, young, molfetta);
  const int64_t older = Add(*db, {.id = "2", .birth_year = 1970});
  MoveTo(*db, older, molfetta);
  Add(*db, {.id = "3", .birth_year = 2004});  // the first centre's
  Audience a;
  a.centres = {molfetta};
  a.max_age = 29;
  CHECK(Count(*db, a) == 1);
}

TEST_CASE("broadcasts are listed newest first with who composed them") {
  auto db = MigratedDb();
  NewBroadcast b;
  b.payload_it = kPayload;
  b.payload_en = kPayload;
  b.send_at = kNow;
  b.created_by = "anna";
  auto first = CreateBroadcast(*db, b, kNow);
  REQUIRE(first.ok());
  b.created_by.reset();
  auto second = CreateBroadcast(*db, b, kNow);
  REQUIRE(second.ok());

  auto list = ListBroadcasts(*db, 10);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == *second);
  CHECK_FALSE((*list)[0].created_by.has_value());
  CHECK((*list)[1].created_by == "anna");
  CHECK((*list)[1].payload_it == kPayload);
}

TEST_CASE("a due broadcast becomes one outbox row per recipient, once") {
  auto db = MigratedDb();
  const int64_t a = Add(*db, {.id = "1"});
  Add(*db, {.channel = "whatsapp", .id = "392"});
  Add(*db, {.id = "3", .notify = false});
  const int64_t id = NewBroadcastNow(*db);
  CHECK(Status(*db, id) == "scheduled");

  auto first = FanOutDueBroadcasts(*db, kNow);
  REQUIRE(first.ok());
  CHECK(*first == 2);
  CHECK(Status(*db, id) == "sending");
  CHECK(Rows(*db, "dedupe_key = '" + BroadcastRowKey(id, a) + "'") == 1);
  int addressed = 0;
  for (const OutboxRow& row : Outbox(*db)) {
    addressed += row.priority == 2 && row.payload.value("text", "") == "Ciao" &&
                 row.payload.value("chat_id", "") == row.chat_id &&
                 row.payload.value("channel", "") == row.channel;
  }
  CHECK(addressed == 2);

  SUBCASE("running it again adds nothing") {
    auto again = FanOutDueBroadcasts(*db, kNow + 1000);
    REQUIRE(again.ok());
    CHECK(*again == 0);
    CHECK(Rows(*db) == 2);
  }
  SUBCASE("even if the status was lost (a crash between two steps)") {
    REQUIRE(db->Exec("UPDATE broadcasts SET status = 'scheduled'").ok());
    auto again = FanOutDueBroadcasts(*db, kNow + 1000);
    REQUIRE(again.ok());
    CHECK(*again == 0);
    CHECK(Rows(*db) == 2);
  }
}

// The planner's idea of the outbox's size, from its last ANALYZE (-1:
// never analysed).
double PlannedOutboxRows(Database& db) {
  Statement st = db.Prepare(
      "SELECT CAST(reltuples AS BIGINT) FROM pg_class"
      " WHERE oid = CAST('outbox' AS regclass)");
  REQUIRE(st.Step());
  return static_cast<double>(st.Int(0));
}

TEST_CASE(
    "a fan-out of 1,000 rows or more renews PostgreSQL's statistics of the "
    "outbox, within its transaction") {
  auto db = MigratedDb();
  if (!db->is_postgres()) return;  // SQLite's claim names its index
  REQUIRE(db->Exec("INSERT INTO users(channel, external_id, chat_id,"
                   " consent_version, consent_at, notify, created_at,"
                   " last_inbound_at) SELECT 'telegram', 'u' || g, 'u' || g,"
                   " 'v1', 1, 1, 1, " +
                   std::to_string(kNow) + " FROM generate_series(1, 1000) AS g")
              .ok());
  NewBroadcastNow(*db);
  CHECK(PlannedOutboxRows(*db) < 0);
  Transaction txn(*db);  // as the service fans out: in one write
  REQUIRE(txn.status().ok());
  auto rows = FanOutDueBroadcasts(*db, kNow);
  REQUIRE(rows.ok());
  CHECK(*rows == 1000);
  CHECK(PlannedOutboxRows(*db) == 1000);
  REQUIRE(txn.Commit().ok());
  CHECK(PlannedOutboxRows(*db) == 1000);
}

TEST_CASE("a broadcast waits for its send time") {
  auto db = MigratedDb();
  Add(*db, {.id = "1"});
  const int64_t id = NewBroadcastNow(*db, {}, kNow + kDay);
  auto next = NextBroadcastDue(*db);
  REQUIRE(next.ok());
  CHECK(*next == kNow + kDay);
  CHECK(*FanOutDueBroadcasts(*db, kNow) == 0);
  CHECK(Status(*db, id) == "scheduled");
  CHECK(*FanOutDueBroadcasts(*db, kNow + kDay) == 1);
}

TEST_CASE("a WhatsApp row carries the broadcast's template") {
  auto db = MigratedDb();
  Add(*db, {.channel = "whatsapp", .id = "391"});
  Add(*db, {.id = "2"});
  NewBroadcast b;
  b.payload_it = kPayload;
  b.payload_en = kPayload;
  b.whatsapp_template = R"({"name":"avviso","language":"it","params":["x"]})";
  b.send_at = kNow;
  REQUIRE(CreateBroadcast(*db, b, kNow).ok());
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  int with_template = 0;
  int without = 0;
  for (const OutboxRow& row : Outbox(*db)) {
    with_template += row.channel == "whatsapp" &&
                     row.payload.contains("template") &&
                     row.payload["template"].value("name", "") == "avviso";
    without += row.channel == "telegram" && !row.payload.contains("template");
  }
  CHECK(with_template == 1);
  CHECK(without == 1);
}

TEST_CASE("nobody in the audience: the broadcast is done at once") {
  auto db = MigratedDb();
  const int64_t id = NewBroadcastNow(*db);
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  CHECK(Status(*db, id) == "done");
}

TEST_CASE("counters follow the rows and the receipts") {
  auto db = MigratedDb();
  for (int i = 1; i <= 6; ++i)
    Add(*db, {.channel = "whatsapp", .id = "39" + std::to_string(i)});
  const int64_t id = NewBroadcastNow(*db);
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  std::vector<int64_t> rows;
  {
    Statement st = db->Prepare("SELECT id FROM outbox ORDER BY id");
    while (st.Step()) rows.push_back(st.Int(0));
  }
  REQUIRE(rows.size() == 6);
  REQUIRE(MarkOutboxSent(*db, rows[0], "wamid.A", kNow).ok());
  REQUIRE(MarkOutboxSent(*db, rows[1], "wamid.B", kNow).ok());
  REQUIRE(MarkOutboxFailed(*db, rows[2], "131026 undeliverable", kNow).ok());
  REQUIRE(
      MarkOutboxFailed(*db, rows[3], std::string(kSkippedOptedOut), kNow).ok());
  REQUIRE(MarkOutboxFailed(*db, rows[4], std::string(kSkippedUnreachable), kNow)
              .ok());
  core::StatusUpdate read;
  read.channel = core::Channel::kWhatsApp;
  read.provider_message_id = "wamid.A";
  read.state = core::DeliveryState::kRead;
  read.at = kNow;
  REQUIRE(ApplyReceipt(*db, read, kNow).ok());

  auto c = CountBroadcast(*db, id);
  REQUIRE(c.ok());
  CHECK(c->recipients == 6);
  CHECK(c->pending == 1);
  CHECK(c->sent == 2);
  CHECK(c->delivered == 1);
  CHECK(c->read == 1);
  CHECK(c->failed == 1);
  CHECK(c->skipped_opted_out == 1);
  CHECK(c->skipped_unreachable == 1);
  auto done = FinishBroadcasts(*db, kNow);
  REQUIRE(done.ok());
  CHECK(*done == 0);  // one row still pending

  CHECK_FALSE(*HasBroadcastWork(*db, kNow));
  REQUIRE(MarkOutboxSent(*db, rows[5], "wamid.F", kNow).ok());
  CHECK(*HasBroadcastWork(*db, kNow));
  CHECK(*FinishBroadcasts(*db, kNow) == 1);
  CHECK_FALSE(*HasBroadcastWork(*db, kNow));
  CHECK(Status(*db, id) == "done");
}

TEST_CASE(
    "notices in flight at a crash fail in doubt, counted apart, while other "
    "rows in flight are requeued") {
  auto db = MigratedDb();
  for (int i = 1; i <= 3; ++i)
    Add(*db, {.channel = "whatsapp", .id = "39" + std::to_string(i)});
  const int64_t id = NewBroadcastNow(*db);
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  NewOutboxRow reply;
  reply.channel = "whatsapp";
  reply.chat_id = "391";
  reply.kind = "text";
  reply.payload = "{}";
  reply.due_at = kNow;
  REQUIRE(EnqueueOutbox(*db, reply, kNow).ok());
  // Everything claimed and handed to the HTTP client, then the process died.
  REQUIRE(db->Exec("UPDATE outbox SET state = 'sending', handed_at = 1").ok());
  REQUIRE(MarkOutboxFailed(*db, 1, "131026 undeliverable", kNow).ok());

  CHECK(*FailInDoubtBroadcastRows(*db, kNow) == 2);
  CHECK(*RequeueInFlightOutbox(*db) == 1);  // the reply
  CHECK(Rows(*db, "broadcast_id IS NULL AND state = 'pending'") == 1);
  CHECK(Rows(*db, "last_error LIKE 'in doubt: %'") == 2);
  auto c = CountBroadcast(*db, id);
  REQUIRE(c.ok());
  CHECK(c->in_doubt == 2);
  CHECK(c->failed == 1);
  CHECK(c->pending == 0);
  CHECK(*FinishBroadcasts(*db, kNow) == 1);
}

TEST_CASE(
    "notices claimed but not handed to the HTTP client at a crash are not in "
    "doubt: they go back to pending") {
  auto db = MigratedDb();
  for (int i = 1; i <= 3; ++i)
    Add(*db, {.channel = "whatsapp", .id = "39" + std::to_string(i)});
  const int64_t id = NewBroadcastNow(*db);
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  REQUIRE(db->Exec("UPDATE outbox SET state = 'sending'").ok());
  REQUIRE(MarkOutboxHandedOver(*db, 2, kNow).ok());

  CHECK(*FailInDoubtBroadcastRows(*db, kNow) == 1);
  CHECK(*RequeueUnsentOutbox(*db) == 2);
  auto c = CountBroadcast(*db, id);
  REQUIRE(c.ok());
  CHECK(c->in_doubt == 1);
  CHECK(c->pending == 2);
}

TEST_CASE("cancelling a broadcast cancels its rows not sent yet") {
  auto db = MigratedDb();
  Add(*db, {.id = "1"});
  Add(*db, {.id = "2"});
  const int64_t id = NewBroadcastNow(*db);
  const int64_t other = NewBroadcastNow(*db);
  REQUIRE(FanOutDueBroadcasts(*db, kNow).ok());
  REQUIRE(db->Exec("UPDATE outbox SET state = 'sent' WHERE id = 1").ok());

  REQUIRE(CancelBroadcast(*db, id, kNow).ok());
  CHECK(Status(*db, id) == "cancelled");
  auto c = CountBroadcast(*db, id);
  REQUIRE(c.ok());
  CHECK(c->sent == 1);
  CHECK(c->cancelled == 1);
  CHECK(CountBroadcast(*db, other)->pending == 2);  // untouched
  CHECK(CancelBroadcast(*db, id, kNow).code() ==
        core::Status::Code::kInvalidArgument);
  CHECK(CancelBroadcast(*db, 99, kNow).code() == core::Status::Code::kNotFound);
}

}  // namespace
}  // namespace sportello::storage
