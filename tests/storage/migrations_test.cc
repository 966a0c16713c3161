// The schema: numbered migrations, idempotent, refusing databases from the
// future, and the tables (with their CHECK constraints) later issues rely on.
#include "storage/migrations.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/database.h"
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
        "chat_pace"}) {
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

}  // namespace
}  // namespace sportello::storage
