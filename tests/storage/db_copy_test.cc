// `sportello db copy`: a centre's SQLite database moved into an empty
// PostgreSQL database whole, ids kept, or not at all.
#include "storage/db_copy.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/serve_lock.h"
#include "tests/support/have_postgres.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

// At least one row in every table, with what copies badly when done
// carelessly: quotes, accents and emoji, JSON, NULLs, rows deleted under
// AUTOINCREMENT, a seeded row edited, and enough users for many batches.
constexpr const char* kRows = R"sql(
INSERT INTO users(id, channel, external_id, chat_id, name, language,
                  consent_version, consent_at, notify, created_at, last_inbound_at)
VALUES (1, 'telegram', '1001', '1001', 'Anna D''Amico', 'it', 'v1', 1700000000000, 1,
        1700000000000, 1700000100000),
       (2, 'whatsapp', '393331234567', '393331234567', 'Luca', 'en', NULL, NULL, 0,
        1700000000001, NULL);
WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
INSERT INTO users(id, channel, external_id, chat_id, created_at)
SELECT i, 'telegram', 'u' || i, 'u' || i, i FROM n;
INSERT INTO conversations(id, user_id, mode, assigned_to, waiting_since, flow, step, slots,
                          created_at, updated_at, last_message_at)
VALUES (1, 1, 'human', 'anna', 1700000200000, 'vacancy_search', 'ask_city',
        '{"role":"cameriere"}', 1700000000000, 1700000200000, 1700000200000),
       (2, 2, 'bot', NULL, NULL, '', '', '{}', 1, 1, NULL);
INSERT INTO inbox(id, channel, dedupe_key, kind, chat_id, shard, payload, raw, received_at,
                  processed_at, error)
VALUES (1, 'telegram', 'tg:1', 'message', '1001', 3, '{"text":"ciao"}', '{}', 1, 2, NULL),
       (2, 'whatsapp', 'wa:1', 'status', '393331234567', 0, '{}', '', 1, NULL, 'boom');
INSERT INTO messages(id, conversation_id, direction, author, kind, text, button_id, buttons,
                     inbox_id, provider_message_id, status, status_rank, error, created_at,
                     updated_at)
VALUES (1, 1, 'in', 'user', 'text', 'ciao ☕ "virgolette" e l''apostrofo', NULL, NULL, 1,
        'm1', 'received', 0, NULL, 1, 1),
       (2, 1, 'out', 'bot', 'text', 'Benvenuta', NULL, '[{"id":"a"}]', NULL, 'm2',
        'delivered', 2, NULL, 2, 3);
INSERT INTO receipts VALUES ('whatsapp', 'm2', 'delivered', 2, 1700000000000, NULL, NULL);
INSERT INTO settings VALUES ('telegram.offset', '42');
INSERT INTO channel_pace VALUES ('telegram', 1.5, 1700000000000, 0);
INSERT INTO chat_pace VALUES ('telegram', '1001', 1700000001000);
INSERT INTO vacancies(id, external_id, title, employer, comune, province, sector, contract,
                      description, requirements, how_to_apply, partner, published_at,
                      expires_at, created_at, updated_at)
VALUES (7, 'v-7', 'Cameriere di sala', 'Trattoria Già', 'Bari', 'BA', 'ristorazione',
        'part_time', 'Servizio ai tavoli', 'HACCP', 'Scrivere a lavoro@example.it', 1, 1, 2,
        1, 1);
INSERT INTO vacancy_interest VALUES (1, 1, 7, 5);
UPDATE services SET name_it = name_it || ' (Bari)'
  WHERE code = (SELECT code FROM services ORDER BY position, code LIMIT 1);
INSERT INTO services(code, name_it, name_en, minutes, position)
VALUES ('extra', 'Extra', 'Extra', 15, 99);
INSERT INTO slots(id, service_code, counsellor, starts_at, minutes, place, link, capacity,
                  created_at)
VALUES (1, 'extra', 'anna', 1800000000000, 30, 'online', 'https://meet.example/x', 1, 1),
       (2, NULL, '', 1800000000000, 30, 'Via Sparano 1', NULL, 1, 1);
INSERT INTO bookings(id, slot_id, user_id, service_code, state, created_at, cancelled_at,
                     attendance, attendance_by, attendance_at)
VALUES (1, 1, 1, 'extra', 'booked', 1, NULL, 'attended', 'anna', 2),
       (2, 2, 2, 'extra', 'cancelled', 1, 2, NULL, NULL, NULL),
       (3, 2, 1, 'extra', 'booked', 3, NULL, NULL, NULL, NULL);
DELETE FROM bookings WHERE id = 3;
INSERT INTO profiles VALUES (1, '16_29', 5, 1, 5);
INSERT INTO profile_answers VALUES (1, 'comune', 'bari', 5);
INSERT INTO events(id, external_id, title, description, starts_at, ends_at, place, link,
                   capacity, tags, created_at, cancelled_at, updated_at)
VALUES (1, NULL, 'Recruiting day', '', 10, 20, 'Fiera del Levante', NULL, 1, 'ict', 1, NULL,
        NULL);
INSERT INTO event_signups VALUES (1, 1, 1, 'signed_up', 1, 1), (2, 1, 2, 'waiting', 2, 2);
INSERT INTO staff VALUES (1, 'anna', 'counsellor', 'hash', 0, 1);
INSERT INTO staff_sessions VALUES ('token-hash', 1, 1, 2);
INSERT INTO centres(id, name, address, services, whatsapp_phone_number_id, created_at,
                    updated_at)
VALUES (2, 'Molfetta', 'Via Cifariello 29', 'orientamento', '106540352242922', 1, 1);
INSERT INTO centre_comuni VALUES (2, '072029'), (1, '072006');
INSERT INTO staff_centres VALUES (1, 1), (1, 2);
INSERT INTO login_failures VALUES (1, 'mallory', 3);
INSERT INTO audit_log VALUES (1, 4, 'anna', 'takeover', 1, 1, '', 1);
INSERT INTO conversation_notes VALUES (1, 1, 'anna', 'Richiamare lunedì', 5);
INSERT INTO user_topics VALUES (1, 'ict');
INSERT INTO broadcasts(id, event_id, payload_it, payload_en, send_at, created_at, created_by,
                       audience_profile)
VALUES (1, 1, '{"text":"Ci vediamo"}', '{"text":"See you"}', 9, 1, 'anna', '');
INSERT INTO outbox(id, channel, chat_id, user_id, message_id, kind, payload, priority,
                   dedupe_key, due_at, next_attempt_at, attempts, state, created_at,
                   broadcast_id)
VALUES (1, 'telegram', '1001', 1, 2, 'text', '{}', 0, 'reply:1', 1, 1, 0, 'sent', 1, NULL),
       (2, 'telegram', '1001', 1, NULL, 'text', '{}', 1, 'broadcast:1:1', 1, 1, 0,
        'pending', 1, 1);
)sql";

// A SQLite file at this build's schema with kRows (and `extra` SQL) in it.
std::string MakeSource(const support::TempDir& dir, const std::string& name,
                       const std::string& extra = "") {
  const std::string path = dir.File(name);
  auto db = Database::Open(path);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  REQUIRE(Migrate(**db).ok());
  const auto s = (*db)->Exec(std::string(kRows) + extra);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return path;
}

// One integer from `db`.
int64_t Int(Database& db, const std::string& sql) {
  Statement st = db.Prepare(sql);
  REQUIRE_MESSAGE(st.Step(), sql, ": ", st.status().ToString());
  return st.Int(0);
}

std::string Text(Database& db, const std::string& sql) {
  Statement st = db.Prepare(sql);
  REQUIRE_MESSAGE(st.Step(), sql, ": ", st.status().ToString());
  return st.Text(0);
}

// Tables of the schema the URI starts in, with their row counts.
std::map<std::string, int64_t> Contents(const std::string& uri) {
  auto db = Database::Open(uri);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  std::vector<std::string> names;
  Statement st = (*db)->Prepare(
      "SELECT table_name FROM information_schema.tables"
      " WHERE table_schema = current_schema()");
  while (st.Step()) names.push_back(st.Text(0));
  REQUIRE(st.status().ok());
  std::map<std::string, int64_t> out;
  for (const std::string& n : names)
    out[n] = Int(**db, "SELECT count(*) FROM \"" + n + "\"");
  return out;
}

TEST_CASE(
    "db copy moves every table of a SQLite database into an empty "
    "PostgreSQL schema, ids kept, and the next ids follow them") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  const std::string source = MakeSource(dir, "centre.db");
  const std::string target = support::FreshPostgresSchema();

  // Every table of the source has rows, so every table is really copied.
  auto src = Database::Open(source);
  REQUIRE(src.ok());
  std::vector<std::string> source_tables;
  {
    Statement st = (*src)->Prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'vacancies_fts%'");
    while (st.Step()) source_tables.push_back(st.Text(0));
  }
  REQUIRE(source_tables.size() >= 20);
  for (const std::string& t : source_tables) {
    CAPTURE(t);
    CHECK(Int(**src, "SELECT count(*) FROM " + t) > 0);
  }

  // Small batches: many full INSERTs and a short one at each table's end.
  auto report = CopySqliteToPostgres(source, target, {.batch_rows = 7});
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->schema_version == LatestSchemaVersion());
  CHECK(report->tables.size() == source_tables.size());
  int64_t total = 0;
  for (const TableCopy& t : report->tables) {
    CAPTURE(t.table);
    CHECK(t.source_rows > 0);
    CHECK(t.target_rows == t.source_rows);
    total += t.source_rows;
  }
  CHECK(report->rows == total);
  // Parents before children.
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < report->tables.size(); ++i)
    position[report->tables[i].table] = i;
  CHECK(position["users"] < position["conversations"]);
  CHECK(position["conversations"] < position["messages"]);
  CHECK(position["messages"] < position["outbox"]);
  CHECK(position["broadcasts"] < position["outbox"]);
  CHECK(position["profiles"] < position["profile_answers"]);
  CHECK(position["centres"] < position["conversations"]);
  CHECK(position["centres"] < position["staff_centres"]);

  // Counted again, independently, on a new connection after commit.
  const auto contents = Contents(target);
  for (const std::string& t : source_tables) {
    CAPTURE(t);
    REQUIRE(contents.count(t) == 1);
    CHECK(contents.at(t) == Int(**src, "SELECT count(*) FROM " + t));
  }
  CHECK(contents.at("users") == 1200);
  CHECK(contents.at("schema_version") == 1);

  auto pg = Database::Open(target);
  REQUIRE(pg.ok());
  Database& db = **pg;
  CHECK(Int(db, "SELECT version FROM schema_version") == LatestSchemaVersion());
  CHECK(Text(db, "SELECT name FROM users WHERE id = 1") == "Anna D'Amico");
  CHECK(Int(db,
            "SELECT count(*) FROM users WHERE id = 2 AND consent_at IS NULL"
            " AND last_inbound_at IS NULL") == 1);
  CHECK(Int(db, "SELECT consent_at FROM users WHERE id = 1") == 1700000000000);
  CHECK(Text(db, "SELECT text FROM messages WHERE id = 1") ==
        "ciao ☕ \"virgolette\" e l'apostrofo");
  CHECK(Text(db, "SELECT slots FROM conversations WHERE id = 1") ==
        R"({"role":"cameriere"})");
  CHECK(Text(db, "SELECT external_id FROM users WHERE id = 1200") == "u1200");
  // The seeded services are the source's, edited one included.
  CHECK(Int(db, "SELECT count(*) FROM services") ==
        Int(**src, "SELECT count(*) FROM services"));
  CHECK(Text(db,
             "SELECT name_it FROM services ORDER BY position, code"
             " LIMIT 1")
            .ends_with(" (Bari)"));
  // PostgreSQL's own search column was computed for the copied offer,
  // with Italian stemming and accents folded.
  CHECK(Int(db,
            "SELECT count(*) FROM vacancies WHERE id = 7 AND search @@ "
            "to_tsquery('sportello_fold', 'cameriere & gia')") == 1);

  // New rows get ids after the copied ones; bookings never reuses the id of
  // the booking deleted in SQLite (AUTOINCREMENT).
  CHECK(Int(db,
            "INSERT INTO users(channel, external_id, chat_id, created_at) "
            "VALUES ('telegram', 'new', 'new', 1) RETURNING id") == 1201);
  CHECK(Int(db,
            "INSERT INTO bookings(slot_id, user_id, service_code, created_at) "
            "VALUES (2, 2, 'extra', 9) RETURNING id") == 4);
  CHECK(Int(db,
            "INSERT INTO broadcasts(payload_it, payload_en, send_at, "
            "created_at) VALUES ('{}', '{}', 1, 1) RETURNING id") == 2);

  // The source was only read, and is free for a service again.
  CHECK(Int(**src, "SELECT count(*) FROM users") == 1200);
  CHECK(ServeLock::Acquire(source).ok());
}

TEST_CASE(
    "db copy refuses a target that is not empty and leaves it as it was") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  const std::string source = MakeSource(dir, "centre.db");

  SUBCASE("a target copied into already") {
    const std::string target = support::FreshPostgresSchema();
    REQUIRE(CopySqliteToPostgres(source, target).ok());
    const auto before = Contents(target);
    auto again = CopySqliteToPostgres(source, target);
    REQUIRE_FALSE(again.ok());
    CHECK(again.status().code() == core::Status::Code::kAlreadyExists);
    CHECK(again.status().message().find("not empty") != std::string::npos);
    CHECK(Contents(target) == before);
  }
  SUBCASE("a target migrated, without rows of its own") {
    const std::string target = support::FreshPostgresSchema();
    {
      auto db = Database::Open(target);
      REQUIRE(db.ok());
      REQUIRE(Migrate(**db).ok());
    }
    const auto before = Contents(target);
    auto copy = CopySqliteToPostgres(source, target);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().message().find("already has a Sportello schema") !=
          std::string::npos);
    CHECK(Contents(target) == before);
  }
  SUBCASE("a target with a table of ours and a row in it") {
    const std::string target = support::FreshPostgresSchema();
    {
      auto db = Database::Open(target);
      REQUIRE(db.ok());
      REQUIRE((*db)
                  ->Exec("CREATE TABLE users (id BIGINT);"
                         "INSERT INTO users VALUES (99)")
                  .ok());
    }
    auto copy = CopySqliteToPostgres(source, target);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().message().find("table users (1 rows)") !=
          std::string::npos);
    CHECK(Contents(target) == std::map<std::string, int64_t>{{"users", 1}});
  }
}

TEST_CASE("db copy that fails half-way leaves the target empty") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  // SQLite keeps a text where PostgreSQL wants a number: outbox, among the
  // last tables copied, cannot go in.
  const std::string source = MakeSource(
      dir, "odd.db", "UPDATE outbox SET due_at = 'soon' WHERE id = 2;");
  const std::string target = support::FreshPostgresSchema();
  auto copy = CopySqliteToPostgres(source, target);
  REQUIRE_FALSE(copy.ok());
  CHECK(copy.status().message().find("outbox") != std::string::npos);
  // Not even the schema: the target can take a corrected copy.
  CHECK(Contents(target).empty());
}

TEST_CASE("db copy refuses a source being served, with nothing written") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  const std::string source = MakeSource(dir, "served.db");
  const std::string target = support::FreshPostgresSchema();
  auto serving = ServeLock::Acquire(source);
  REQUIRE(serving.ok());
  auto copy = CopySqliteToPostgres(source, target);
  REQUIRE_FALSE(copy.ok());
  CHECK(copy.status().code() == core::Status::Code::kAlreadyExists);
  CHECK(copy.status().message().find("serving") != std::string::npos);
  CHECK(Contents(target).empty());
}

TEST_CASE(
    "db copy refuses an unreachable target or wrong credentials quickly, "
    "without the password") {
  if (!support::HavePostgresCluster()) return;
  support::TempDir dir;
  const std::string source = MakeSource(dir, "centre.db");
  const std::string secret = "Segreto-Non-Mostrare-77";
  const std::string nobody =
      "postgresql://sportello:" + secret +
      "@127.0.0.1:" + std::to_string(support::FreePort()) + "/sportello";
  auto unreachable = CopySqliteToPostgres(source, nobody);
  REQUIRE_FALSE(unreachable.ok());
  CHECK(unreachable.status().code() == core::Status::Code::kUnavailable);
  CHECK(unreachable.status().message().find(secret) == std::string::npos);
  CHECK(unreachable.status().message().find("***") != std::string::npos);

  // The test cluster's URI with another password.
  std::string wrong = support::FreshPostgresSchema();
  const size_t colon = wrong.find(':', wrong.find("//") + 2);
  const size_t at = wrong.find('@');
  REQUIRE(colon < at);
  wrong.replace(colon + 1, at - colon - 1, secret);
  auto refused = CopySqliteToPostgres(source, wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find(secret) == std::string::npos);
}

TEST_CASE("db copy refuses what is not a SQLite source and PostgreSQL target") {
  support::TempDir dir;
  const std::string pg = "postgresql://u:pw-secret@127.0.0.1:1/db";
  // None of these reaches a server: no cluster needed.
  SUBCASE("the target is a file") {
    const std::string source = MakeSource(dir, "a.db");
    auto copy = CopySqliteToPostgres(source, dir.File("b.db"));
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().code() == core::Status::Code::kInvalidArgument);
    CHECK(copy.status().message().find("PostgreSQL URI") != std::string::npos);
  }
  SUBCASE("the source is PostgreSQL") {
    auto copy = CopySqliteToPostgres(pg, pg);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().message().find("already PostgreSQL") !=
          std::string::npos);
    CHECK(copy.status().message().find("pw-secret") == std::string::npos);
  }
  SUBCASE("the source does not exist") {
    auto copy = CopySqliteToPostgres(dir.File("none.db"), pg);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().code() == core::Status::Code::kNotFound);
  }
  SUBCASE("the source is at an older schema version") {
    const std::string path = dir.File("old.db");
    {
      auto db = Database::Open(path);
      REQUIRE(db.ok());
      REQUIRE(MigrateTo(**db, 5).ok());
    }
    auto copy = CopySqliteToPostgres(path, pg);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.status().message().find("sportello migrate") !=
          std::string::npos);
    // Left at its version: the copy never writes to its source.
    auto db = Database::Open(path);
    REQUIRE(db.ok());
    CHECK(*SchemaVersion(**db) == 5);
  }
}

}  // namespace
}  // namespace sportello::storage
