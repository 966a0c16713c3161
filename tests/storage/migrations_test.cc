// The schema: numbered migrations, idempotent, refusing databases from the
// future, and the tables (with their CHECK constraints) later issues rely on.
#include "storage/migrations.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "storage/centres.h"
#include "storage/database.h"
#include "storage/staff.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

std::unique_ptr<Database> NewDb() {
  auto db = support::OpenTestDatabase();
  REQUIRE(db.ok());
  return std::move(*db);
}

bool TableExists(Database& db, const std::string& name) {
  Statement st = db.Prepare(
      db.is_postgres()
          ? "SELECT 1 FROM information_schema.tables WHERE table_schema ="
            " current_schema() AND table_name = ?"
          : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  st.Bind(1, name);
  return st.Step();
}

int64_t Count(Database& db, const std::string& sql) {
  Statement st = db.Prepare(sql);
  REQUIRE(st.Step());
  return st.Int(0);
}

TEST_CASE("a new database starts at schema version zero") {
  auto db = NewDb();
  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == 0);
}

TEST_CASE("a new database migrates to the latest schema version") {
  auto db = NewDb();
  REQUIRE(LatestSchemaVersion() >= 1);
  REQUIRE(Migrate(*db).ok());
  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == LatestSchemaVersion());
}

TEST_CASE("migrating twice changes nothing and keeps the data") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  REQUIRE(db->Exec("INSERT INTO settings(key, value) VALUES('k', 'v')").ok());

  CHECK(Migrate(*db).ok());

  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == LatestSchemaVersion());
  CHECK(Count(*db, "SELECT count(*) FROM settings WHERE value = 'v'") == 1);
}

TEST_CASE("a database written by a newer build is refused") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  const int future = LatestSchemaVersion() + 1;
  REQUIRE(db->Exec((db->is_postgres() ? "UPDATE schema_version SET version = "
                                      : "PRAGMA user_version = ") +
                   std::to_string(future))
              .ok());

  const Status s = Migrate(*db);

  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("upgrade") != std::string::npos);
  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == future);
}

TEST_CASE("migrating to a version this build does not know is refused") {
  auto db = NewDb();
  const Status s = MigrateTo(*db, LatestSchemaVersion() + 1);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == 0);
}

TEST_CASE(
    "on PostgreSQL a process that waited for another's migration finds it "
    "done") {
  if (!support::TestOnPostgres()) return;
  support::TempDir dir;
  const std::string uri = support::TestDatabaseAt(dir.File("db"));
  auto open = [&] {
    auto db = Database::Open(uri);
    REQUIRE(db.ok());
    return std::move(*db);
  };
  auto first = open();
  auto second = open();
  auto observer = open();
  // The second process has looked at the empty database already, as
  // `sportello migrate` does to say which version it starts from.
  auto before = SchemaVersion(*second);
  REQUIRE(before.ok());
  REQUIRE(*before == 0);

  // The first process is migrating and has not committed.
  Transaction txn(*first);
  REQUIRE(txn.status().ok());
  REQUIRE(MigrateInTransaction(*first, LatestSchemaVersion()).ok());

  std::atomic<bool> done{false};
  Status second_status;
  std::thread late([&] {
    second_status = Migrate(*second);
    done = true;
  });
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    Statement st = observer->Prepare(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT "
        "granted");
    REQUIRE(st.Step());
    waiting = st.Int(0) > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(waiting);
  CHECK_FALSE(done.load());
  REQUIRE(txn.Commit().ok());
  late.join();

  CHECK_MESSAGE(second_status.ok(), second_status.ToString());
  auto v = SchemaVersion(*second);
  REQUIRE(v.ok());
  CHECK(*v == LatestSchemaVersion());
}

TEST_CASE(
    "a migration that fails leaves the database at the previous version") {
  auto db = NewDb();
  // A clashing table makes migration 1 fail half-way through its script.
  REQUIRE(db->Exec("CREATE TABLE inbox (x INTEGER)").ok());

  const Status s = Migrate(*db);

  CHECK(s.code() == Status::Code::kInternal);
  CHECK(s.message().find("version 1") != std::string::npos);
  auto v = SchemaVersion(*db);
  REQUIRE(v.ok());
  CHECK(*v == 0);
  CHECK_FALSE(
      TableExists(*db, "users"));  // created before the clash, rolled back
}

TEST_CASE("the schema has every table the service needs") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  for (const char* table :
       {"users",          "conversations",   "inbox",
        "messages",       "receipts",        "outbox",
        "settings",       "vacancies",       "vacancy_interest",
        "services",       "slots",           "bookings",
        "profiles",       "profile_answers", "events",
        "event_signups",  "staff",           "staff_sessions",
        "login_failures", "audit_log",       "conversation_notes",
        "user_topics",    "broadcasts",      "channel_pace",
        "chat_pace",      "centres",         "centre_comuni",
        "staff_centres"}) {
    CAPTURE(table);
    CHECK(TableExists(*db, table));
  }
}

TEST_CASE("the schema rejects values outside its CHECK constraints") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  REQUIRE(
      db->Exec(
            "INSERT INTO users(id, channel, external_id, chat_id, created_at)"
            " VALUES(1, 'web', 'u1', 'u1', 0)")
          .ok());
  REQUIRE(
      db->Exec("INSERT INTO conversations(id, user_id, created_at, updated_at)"
               " VALUES(1, 1, 0, 0)")
          .ok());

  SUBCASE("a conversation mode") {
    CHECK(db->Exec("UPDATE conversations SET mode = 'robot'").code() ==
          Status::Code::kAlreadyExists);
    for (const char* mode : {"bot", "waiting_for_human", "human"}) {
      CAPTURE(mode);
      CHECK(db->Exec(std::string("UPDATE conversations SET mode = '") + mode +
                     "'")
                .ok());
    }
  }
  SUBCASE("an outbox state") {
    const std::string insert =
        "INSERT INTO outbox(channel, chat_id, kind, payload, due_at, "
        "next_attempt_at,"
        " created_at, state) VALUES('web', 'u1', 'text', '{}', 0, 0, 0, ";
    CHECK(db->Exec(insert + "'lost')").code() == Status::Code::kAlreadyExists);
    for (const char* state :
         {"pending", "sending", "sent", "failed", "cancelled"}) {
      CAPTURE(state);
      CHECK(db->Exec(insert + "'" + state + "')").ok());
    }
  }
  SUBCASE("an inbox kind") {
    CHECK(db->Exec("INSERT INTO inbox(channel, dedupe_key, kind, payload, "
                   "received_at)"
                   " VALUES('web', 'k', 'letter', '{}', 0)")
              .code() == Status::Code::kAlreadyExists);
  }
  SUBCASE("a message direction") {
    CHECK(db->Exec("INSERT INTO messages(conversation_id, direction, author, "
                   "kind, status,"
                   " created_at, updated_at) VALUES(1, 'sideways', 'bot', "
                   "'text', 'queued', 0, 0)")
              .code() == Status::Code::kAlreadyExists);
  }
  SUBCASE("a conversation of a user who does not exist") {
    CHECK(db->Exec("INSERT INTO conversations(user_id, created_at, updated_at) "
                   "VALUES(99, 0, 0)")
              .code() == Status::Code::kAlreadyExists);
  }
}

TEST_CASE("the schema keeps one user per channel identity") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  const std::string insert =
      "INSERT INTO users(channel, external_id, chat_id, created_at) VALUES(";
  REQUIRE(db->Exec(insert + "'telegram', '42', '42', 0)").ok());
  CHECK(db->Exec(insert + "'telegram', '42', '42', 1)").code() ==
        Status::Code::kAlreadyExists);
  CHECK(db->Exec(insert + "'whatsapp', '42', '42', 1)").ok());
}

TEST_CASE(
    "migration 8 tells which broadcast each notice row of an older database "
    "belongs to" *
    doctest::test_suite("sqlite")) {
  auto db = NewDb();
  REQUIRE(MigrateTo(*db, 7).ok());
  REQUIRE(db->Exec("INSERT INTO broadcasts(id, payload_it, payload_en,"
                   " send_at, created_at) VALUES(12, '{}', '{}', 1, 1)")
              .ok());
  REQUIRE(
      db->Exec("INSERT INTO outbox(channel, chat_id, kind, payload,"
               " dedupe_key, due_at, next_attempt_at, created_at) VALUES"
               " ('telegram', '5', 'text', '{}', 'broadcast:12:5', 1, 1, 1),"
               " ('telegram', '6', 'text', '{}', 'reminder:3:24h', 1, 1, 1),"
               " ('telegram', '7', 'text', '{}', NULL, 1, 1, 1)")
          .ok());

  REQUIRE(Migrate(*db).ok());

  CHECK(Count(*db, "SELECT count(*) FROM outbox WHERE broadcast_id = 12") == 1);
  CHECK(Count(*db,
              "SELECT count(*) FROM outbox WHERE broadcast_id = 12"
              " AND chat_id = '5'") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM outbox WHERE broadcast_id IS NULL") ==
        2);
}

// What a single-centre service has after a while: people, their
// conversations and messages, staff with a session, slots and a booking,
// an event with a sign-up, an offer, a notice. Migration 13 makes it
// centre 1, row for row.
TEST_CASE("migration 13 makes an existing database centre 1 with every row") {
  auto db = NewDb();
  REQUIRE(MigrateTo(*db, 12).ok());
  for (const char* sql : {
           "INSERT INTO users(id, channel, external_id, chat_id, name,"
           " created_at) VALUES (1, 'telegram', '11', '11', 'Ada', 1),"
           " (2, 'whatsapp', '3933', '3933', 'Bea', 2)",
           "INSERT INTO conversations(id, user_id, mode, assigned_to,"
           " created_at, updated_at) VALUES (1, 1, 'human', 'anna', 1, 1),"
           " (2, 2, 'bot', NULL, 2, 2)",
           "INSERT INTO messages(conversation_id, direction, author, kind,"
           " text, status, created_at, updated_at) VALUES"
           " (1, 'in', 'user', 'text', 'ciao', 'received', 1, 1),"
           " (1, 'out', 'bot', 'text', 'Ciao!', 'sent', 1, 1)",
           "INSERT INTO staff(id, username, role, password_hash, disabled,"
           " created_at) VALUES (1, 'anna', 'counsellor', 'scrypt$a', 0, 1),"
           " (2, 'capo', 'admin', 'scrypt$c', 0, 1),"
           " (3, 'ex', 'counsellor', 'scrypt$e', 1, 1)",
           "INSERT INTO staff_sessions(token_hash, staff_id, created_at,"
           " last_seen_at) VALUES ('t1', 1, 1, 5)",
           "INSERT INTO slots(id, service_code, counsellor, starts_at,"
           " minutes, place, created_at) VALUES"
           " (1, 'orientamento', 'anna', 1000, 45, 'Sede', 1),"
           " (2, 'curriculum', 'anna', 9000, 30, 'Sede', 1)",
           "INSERT INTO bookings(slot_id, user_id, service_code, created_at)"
           " VALUES (1, 1, 'orientamento', 1)",
           "INSERT INTO events(id, title, starts_at, ends_at, place,"
           " capacity, created_at) VALUES (1, 'Recruiting day', 10, 20,"
           " 'Fiera', 50, 1)",
           "INSERT INTO event_signups(event_id, user_id, state, queued_at,"
           " updated_at) VALUES (1, 2, 'signed_up', 1, 1)",
           "INSERT INTO vacancies(external_id, title, employer, comune,"
           " contract, how_to_apply, published_at, expires_at, created_at,"
           " updated_at) VALUES ('v1', 'Cameriere', 'Bar', 'Bari',"
           " 'part_time', 'cv@bar.it', 1, 99, 1, 1)",
           "INSERT INTO broadcasts(id, payload_it, payload_en, send_at,"
           " created_at) VALUES (1, '{}', '{}', 1, 1)",
       }) {
    CAPTURE(sql);
    REQUIRE(db->Exec(sql).ok());
  }

  REQUIRE(Migrate(*db).ok());

  CHECK(Count(*db, "SELECT count(*) FROM centres") == 1);
  auto first = FindCentre(*db, kFirstCentre);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->from_config);
  CHECK_FALSE((*first)->disabled);
  for (const char* table :
       {"conversations", "slots", "events", "vacancies", "broadcasts"}) {
    CAPTURE(table);
    const std::string from = std::string(" FROM ") + table;
    const int64_t rows = Count(*db, "SELECT count(*)" + from);
    CHECK(rows > 0);
    CHECK(Count(*db, "SELECT count(*)" + from + " WHERE centre_id = 1") ==
          rows);
  }
  CHECK(Count(*db, "SELECT count(*) FROM users") == 2);
  CHECK(Count(*db, "SELECT count(*) FROM messages") == 2);
  CHECK(Count(*db, "SELECT count(*) FROM bookings WHERE slot_id = 1") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM event_signups") == 1);
  CHECK(Count(*db,
              "SELECT count(*) FROM conversations WHERE id = 1 AND"
              " mode = 'human' AND assigned_to = 'anna'") == 1);

  // Accounts keep their roles, passwords and sessions, and work for
  // centre 1 (the admin stays an admin: regional, which in a one-centre
  // service is the same).
  auto anna = FindStaff(*db, "anna");
  REQUIRE(anna.ok());
  REQUIRE(anna->has_value());
  CHECK((*anna)->role == StaffRole::kCounsellor);
  CHECK((*anna)->password_hash == "scrypt$a");
  auto capo = FindStaff(*db, "capo");
  REQUIRE(capo.ok());
  REQUIRE(capo->has_value());
  CHECK((*capo)->role == StaffRole::kAdmin);
  auto ex = FindStaff(*db, "ex");
  REQUIRE(ex.ok());
  REQUIRE(ex->has_value());
  CHECK((*ex)->disabled);
  for (int64_t id : {1, 2, 3}) {
    CAPTURE(id);
    auto centres = StaffCentreIds(*db, id);
    REQUIRE(centres.ok());
    CHECK(*centres == std::vector<int64_t>{kFirstCentre});
  }
  auto session = FindSession(*db, "t1");
  REQUIRE(session.ok());
  REQUIRE(session->has_value());
  CHECK((*session)->staff.username == "anna");
  CHECK((*session)->last_seen_at == 5);
  // Sessions still belong to accounts that exist (SQLite rebuilt both).
  CHECK(db->Exec("INSERT INTO staff_sessions(token_hash, staff_id,"
                 " created_at, last_seen_at) VALUES ('t2', 99, 1, 1)")
            .code() == Status::Code::kAlreadyExists);
  CHECK(db->Exec("UPDATE staff SET role = 'centre_admin' WHERE id = 1").ok());

  // New rows written by code that knows nothing of centres go to centre 1,
  // and the next centre gets id 2.
  REQUIRE(db->Exec("INSERT INTO users(id, channel, external_id, chat_id,"
                   " created_at) VALUES (3, 'web', 'w', 'w', 3)")
              .ok());
  REQUIRE(db->Exec("INSERT INTO conversations(id, user_id, created_at,"
                   " updated_at) VALUES (3, 3, 3, 3)")
              .ok());
  CHECK(Count(*db, "SELECT centre_id FROM conversations WHERE user_id = 3") ==
        1);
  Centre molfetta;
  molfetta.name = "Molfetta";
  Transaction txn(*db);
  REQUIRE(txn.status().ok());
  auto id = AddCentre(*db, molfetta, 10);
  REQUIRE(id.ok());
  CHECK(*id == 2);
  CHECK(txn.Commit().ok());
}

TEST_CASE("a row cannot name a centre that does not exist") {
  auto db = NewDb();
  REQUIRE(Migrate(*db).ok());
  REQUIRE(db->Exec("INSERT INTO users(id, channel, external_id, chat_id,"
                   " created_at) VALUES (1, 'web', 'w', 'w', 1)")
              .ok());
  CHECK(db->Exec("INSERT INTO conversations(user_id, centre_id, created_at,"
                 " updated_at) VALUES (1, 7, 1, 1)")
            .code() == Status::Code::kAlreadyExists);
  REQUIRE(db->Exec("INSERT INTO conversations(id, user_id, created_at,"
                   " updated_at) VALUES (1, 1, 1, 1)")
              .ok());
  CHECK(db->Exec("UPDATE conversations SET centre_id = 7").code() ==
        Status::Code::kAlreadyExists);
  CHECK(db->Exec("INSERT INTO events(title, starts_at, ends_at, place,"
                 " capacity, created_at, centre_id) VALUES ('x', 1, 2, 'p',"
                 " 1, 1, 7)")
            .code() == Status::Code::kAlreadyExists);
  // NULL is the whole region, where allowed.
  CHECK(db->Exec("INSERT INTO events(title, starts_at, ends_at, place,"
                 " capacity, created_at, centre_id) VALUES ('x', 1, 2, 'p',"
                 " 1, 1, NULL)")
            .ok());
  CHECK(db->Exec("UPDATE slots SET centre_id = NULL").ok());  // no rows
  CHECK(db->Exec("INSERT INTO slots(counsellor, starts_at, minutes, place,"
                 " created_at, centre_id) VALUES ('a', 1, 30, 'p', 1, NULL)")
            .code() == Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace sportello::storage
