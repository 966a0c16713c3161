#include "storage/migrations.h"

#include <string>
#include <string_view>
#include <vector>

namespace sportello::storage {
namespace {

// Append only: never edit a migration that has shipped. Times are unix
// milliseconds; ids from the channels are text (Telegram ids exceed 32 bits,
// WhatsApp's are strings).
const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: the backbone.
      R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  external_id TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  blocked INTEGER NOT NULL DEFAULT 0,
  unreachable INTEGER NOT NULL DEFAULT 0,
  consent_version TEXT,
  consent_at INTEGER,
  notify INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_inbound_at INTEGER,
  UNIQUE (channel, external_id)
);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
  mode TEXT NOT NULL DEFAULT 'bot' CHECK (mode IN ('bot', 'waiting_for_human', 'human')),
  assigned_to TEXT,
  waiting_since INTEGER,
  flow TEXT NOT NULL DEFAULT '',
  step TEXT NOT NULL DEFAULT '',
  slots TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_message_at INTEGER
);
CREATE INDEX conversations_mode ON conversations(mode, waiting_since);

-- Every update acknowledged to a channel, in arrival order. The UNIQUE key is
-- the dedupe set; processed_at IS NULL marks the work still to do.
CREATE TABLE inbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('message', 'status', 'membership', 'dead_letter')),
  chat_id TEXT NOT NULL DEFAULT '',
  shard INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL,
  raw TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  processed_at INTEGER,
  error TEXT,
  UNIQUE (channel, dedupe_key)
);
CREATE INDEX inbox_pending ON inbox(shard, id) WHERE processed_at IS NULL;
CREATE INDEX inbox_received ON inbox(received_at);

-- The conversation history a counsellor reads: every message in and out.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  author TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  button_id TEXT,
  buttons TEXT,
  inbox_id INTEGER,  -- no foreign key: old inbox rows are pruned
  provider_message_id TEXT,
  status TEXT NOT NULL,
  status_rank INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE INDEX messages_provider ON messages(provider_message_id)
  WHERE provider_message_id IS NOT NULL;

-- Delivery receipts, kept even when they arrive before we know the message
-- they refer to (a status can beat the send's response).
CREATE TABLE receipts (
  channel TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  status_rank INTEGER NOT NULL,
  at INTEGER NOT NULL,
  error_code INTEGER,
  error_title TEXT,
  PRIMARY KEY (channel, provider_message_id, status)
) WITHOUT ROWID;

-- What is to leave the process. A row is one API call, due at due_at
-- (replies now, reminders and broadcasts later).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id),
  message_id INTEGER REFERENCES messages(id),
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  dedupe_key TEXT UNIQUE,
  due_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  last_error TEXT,
  provider_message_id TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_chat ON outbox(channel, chat_id, id) WHERE state IN ('pending', 'sending');

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
      // 2: vacancies (issue 4): insert the migration string here.
      // 3: appointments (issue 4): insert the migration string here.
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

core::Result<int> SchemaVersion(Database& db) {
  Statement st = db.Prepare("PRAGMA user_version");
  if (!st.Step()) {
    return st.status().ok() ? core::Status::Internal("migrations: no user_version") : st.status();
  }
  return static_cast<int>(st.Int(0));
}

core::Status MigrateTo(Database& db, int target) {
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current > LatestSchemaVersion()) {
    return core::Status::InvalidArgument(
        "migrations: database schema is version " + std::to_string(*current) +
        ", newer than this build knows (" + std::to_string(LatestSchemaVersion()) +
        "): upgrade sportello");
  }
  for (int v = *current + 1; v <= target; ++v) {
    Transaction txn(db);
    if (!txn.status().ok()) return txn.status();
    if (auto s = db.Exec(Migrations()[v - 1]); !s.ok()) {
      return core::Status::Internal("migrations: version " + std::to_string(v) + ": " +
                                    s.message());
    }
    if (auto s = db.Exec("PRAGMA user_version = " + std::to_string(v)); !s.ok()) return s;
    if (auto s = txn.Commit(); !s.ok()) return s;
  }
  return core::Status::Ok();
}

core::Status Migrate(Database& db) { return MigrateTo(db, LatestSchemaVersion()); }

}  // namespace sportello::storage
