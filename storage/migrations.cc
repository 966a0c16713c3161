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
CREATE INDEX outbox_claim ON outbox(priority, next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_chat ON outbox(channel, chat_id, id) WHERE state IN ('pending', 'sending');

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
      // 2: vacancies.
      R"sql(
-- Job offers, imported from partner feeds (CSV/JSON) by external_id. Times
-- are unix ms; an offer is shown only while expires_at is in the future.
CREATE TABLE vacancies (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL CHECK (title <> ''),
  employer TEXT NOT NULL,
  comune TEXT NOT NULL,
  province TEXT,
  sector TEXT NOT NULL DEFAULT '',
  contract TEXT NOT NULL
    CHECK (contract IN ('full_time', 'part_time', 'tirocinio', 'stagionale', 'apprendistato')),
  description TEXT NOT NULL DEFAULT '',
  requirements TEXT NOT NULL DEFAULT '',
  how_to_apply TEXT NOT NULL,
  partner INTEGER NOT NULL DEFAULT 0 CHECK (partner IN (0, 1)),
  published_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL CHECK (expires_at > published_at),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX vacancies_expires ON vacancies(expires_at);

-- Full-text index over the offers' words, accents folded ("caffe" finds
-- "caffè"). External content: the triggers keep it in step with vacancies in
-- the same transaction.
CREATE VIRTUAL TABLE vacancies_fts USING fts5(
  title, description, requirements, sector, employer,
  content = 'vacancies', content_rowid = 'id',
  tokenize = "unicode61 remove_diacritics 2");
CREATE TRIGGER vacancies_fts_insert AFTER INSERT ON vacancies BEGIN
  INSERT INTO vacancies_fts(rowid, title, description, requirements, sector, employer)
  VALUES (new.id, new.title, new.description, new.requirements, new.sector, new.employer);
END;
CREATE TRIGGER vacancies_fts_delete AFTER DELETE ON vacancies BEGIN
  INSERT INTO vacancies_fts(vacancies_fts, rowid, title, description, requirements, sector,
                            employer)
  VALUES ('delete', old.id, old.title, old.description, old.requirements, old.sector,
          old.employer);
END;
CREATE TRIGGER vacancies_fts_update AFTER UPDATE ON vacancies BEGIN
  INSERT INTO vacancies_fts(vacancies_fts, rowid, title, description, requirements, sector,
                            employer)
  VALUES ('delete', old.id, old.title, old.description, old.requirements, old.sector,
          old.employer);
  INSERT INTO vacancies_fts(rowid, title, description, requirements, sector, employer)
  VALUES (new.id, new.title, new.description, new.requirements, new.sector, new.employer);
END;

-- "Mi interessa": who asked about which offer, for the counsellor.
CREATE TABLE vacancy_interest (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  vacancy_id INTEGER NOT NULL REFERENCES vacancies(id),
  at INTEGER NOT NULL,
  UNIQUE (user_id, vacancy_id)
);
CREATE INDEX vacancy_interest_vacancy ON vacancy_interest(vacancy_id, at);
)sql",
      // 3: appointments: services, counsellors' slots, bookings.
      R"sql(
CREATE TABLE services (
  code TEXT PRIMARY KEY,
  name_it TEXT NOT NULL,
  name_en TEXT NOT NULL,
  minutes INTEGER NOT NULL CHECK (minutes > 0),
  position INTEGER NOT NULL DEFAULT 0  -- order in which they are offered
);
INSERT INTO services(code, name_it, name_en, minutes, position) VALUES
  ('orientamento', 'Orientamento', 'Career guidance', 45, 1),
  ('bilancio_competenze', 'Bilancio di competenze', 'Skills assessment', 60, 2),
  ('garanzia_giovani', 'Garanzia Giovani', 'Youth Guarantee', 45, 3),
  ('curriculum', 'Curriculum', 'CV check', 30, 4),
  ('creazione_impresa', 'Creazione d''impresa', 'Starting a business', 60, 5),
  ('mobilita_europea', 'Mobilità europea', 'Working in Europe', 45, 6);

-- A counsellor's availability: one appointment at a given time, for one
-- service or (service_code NULL) any. Group sessions are events, not slots.
CREATE TABLE slots (
  id INTEGER PRIMARY KEY,
  service_code TEXT REFERENCES services(code),
  counsellor TEXT NOT NULL DEFAULT '',
  starts_at INTEGER NOT NULL,
  minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 480),
  place TEXT NOT NULL CHECK (place <> ''),  -- an address, or 'online'
  link TEXT,                                -- the video call, when online
  capacity INTEGER NOT NULL DEFAULT 1 CHECK (capacity = 1),
  created_at INTEGER NOT NULL,
  CHECK (place <> 'online' OR link IS NOT NULL)
);
CREATE UNIQUE INDEX slots_counsellor_time ON slots(counsellor, starts_at);
CREATE INDEX slots_starts ON slots(starts_at);

-- The partial unique index is what makes double booking impossible: of two
-- transactions racing for a slot, the second insert fails, whatever either
-- of them read before. user_id is NULL once a person's data is erased.
CREATE TABLE bookings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: reminders' dedupe keys name it
  slot_id INTEGER NOT NULL REFERENCES slots(id),
  user_id INTEGER REFERENCES users(id),
  service_code TEXT NOT NULL REFERENCES services(code),
  state TEXT NOT NULL DEFAULT 'booked' CHECK (state IN ('booked', 'cancelled')),
  created_at INTEGER NOT NULL,
  cancelled_at INTEGER
);
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings(slot_id) WHERE state = 'booked';
CREATE INDEX bookings_user ON bookings(user_id, state);
)sql",
      // 4: profiles and consent. Consent's version and time live on
      // users (migration 1); the age band is given with consent, so a person
      // under 14 (who cannot consent) never has a profile.
      R"sql(
CREATE TABLE profiles (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  age_band TEXT CHECK (age_band IN ('14_15', '16_29', '30_39', '40_plus')),
  completed_at INTEGER,  -- when the questionnaire was first finished
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The questionnaire's answers (bot/domain/data/profile.json), by question id.
-- value: an option id, comma-separated option ids (multi), a year, a comune's
-- official name or free text; '' for a question the person skipped.
CREATE TABLE profile_answers (
  user_id INTEGER NOT NULL REFERENCES profiles(user_id) ON DELETE CASCADE,
  question TEXT NOT NULL CHECK (question <> ''),
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, question)
) WITHOUT ROWID;
)sql",
      // 5: events.
      R"sql(
-- What the centre runs: recruiting days, workshops, seminars. place is an
-- address or 'online' (then link is the call). tags: comma-separated.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  external_id TEXT UNIQUE,
  title TEXT NOT NULL CHECK (title <> ''),
  description TEXT NOT NULL DEFAULT '',
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
  place TEXT NOT NULL CHECK (place <> ''),
  link TEXT,
  capacity INTEGER NOT NULL CHECK (capacity > 0),
  tags TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  CHECK (place <> 'online' OR link IS NOT NULL)
);
CREATE INDEX events_starts ON events(starts_at);

-- One row per person and event; a cancelled sign-up is reused when they sign
-- up again. The waiting list is ordered by queued_at, then id. user_id is
-- NULL once a person's data is erased.
CREATE TABLE event_signups (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),
  user_id INTEGER REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('signed_up', 'waiting', 'cancelled')),
  queued_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (event_id, user_id)
);
CREATE INDEX event_signups_queue ON event_signups(event_id, state, queued_at, id);
CREATE INDEX event_signups_user ON event_signups(user_id, state);

-- No event seats more people than it has places, whatever the code does.
CREATE TRIGGER event_signups_capacity_insert BEFORE INSERT ON event_signups
WHEN NEW.state = 'signed_up' AND
  (SELECT count(*) FROM event_signups WHERE event_id = NEW.event_id AND state = 'signed_up') >=
  (SELECT capacity FROM events WHERE id = NEW.event_id)
BEGIN SELECT RAISE(ABORT, 'event_signups: event full'); END;
CREATE TRIGGER event_signups_capacity_update BEFORE UPDATE OF state ON event_signups
WHEN NEW.state = 'signed_up' AND OLD.state <> 'signed_up' AND
  (SELECT count(*) FROM event_signups WHERE event_id = NEW.event_id AND state = 'signed_up') >=
  (SELECT capacity FROM events WHERE id = NEW.event_id)
BEGIN SELECT RAISE(ABORT, 'event_signups: event full'); END;
)sql",
      // 6: staff accounts, console sessions, login failures, audit log.
      // Staff are not chat users: they live in their own table.
      R"sql(
-- password_hash: "scrypt$N$r$p$salt_hex$hash_hex", so the cost can be raised
-- later and old hashes still verify.
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE CHECK (username <> ''),
  role TEXT NOT NULL CHECK (role IN ('counsellor', 'admin')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at INTEGER NOT NULL
);

-- Only the SHA-256 of a session token is stored: a copy of the database
-- does not let anyone in.
CREATE TABLE staff_sessions (
  token_hash TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

-- Failed logins by the name typed (known or not), for the lockout.
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_name ON login_failures(username, at);

-- Who looked at or did what to whose data. Append only.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  conversation_id INTEGER,
  user_id INTEGER,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- A counsellor's internal notes on a conversation: never sent.
CREATE TABLE conversation_notes (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  author TEXT NOT NULL,
  text TEXT NOT NULL CHECK (text <> ''),
  created_at INTEGER NOT NULL
);
CREATE INDEX conversation_notes_conversation ON conversation_notes(conversation_id, id);
)sql",
      // 7: broadcast notices.
      R"sql(
-- What a subscriber asked to hear about (contacts import, later the bot).
CREATE TABLE user_topics (
  user_id INTEGER NOT NULL REFERENCES users(id),
  topic TEXT NOT NULL CHECK (topic <> ''),
  PRIMARY KEY (user_id, topic)
) WITHOUT ROWID;
CREATE INDEX user_topics_topic ON user_topics(topic, user_id);

-- A notice to an audience. Its recipients are outbox rows with dedupe key
-- 'broadcast:<id>:<user>', written all at once when it is due: the key is
-- what makes a second fan-out (after a crash) add nothing. payload_it/_en:
-- the outbound JSON (codec.h) without channel and chat_id, per language.
-- The audience is kept in columns so the fan-out after a restart sees it.
CREATE TABLE broadcasts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: dedupe keys name it
  event_id INTEGER REFERENCES events(id),
  payload_it TEXT NOT NULL,
  payload_en TEXT NOT NULL,
  whatsapp_template TEXT,  -- {"name","language","params"} as JSON
  audience_channel TEXT,
  audience_comuni TEXT NOT NULL DEFAULT '',  -- comma-separated
  audience_min_age INTEGER,
  audience_max_age INTEGER,
  audience_topics TEXT NOT NULL DEFAULT '',  -- comma-separated
  audience_event_id INTEGER,
  audience_active_days INTEGER,
  send_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
  created_at INTEGER NOT NULL,
  fanned_out_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX broadcasts_due ON broadcasts(send_at) WHERE status = 'scheduled';
)sql",
      // 8: broadcasts in the console: a notice's rows say which
      // broadcast they belong to; events can be edited and cancelled.
      R"sql(
-- Which broadcast an outbox row delivers (NULL for replies and reminders):
-- the sender holds notices in quiet hours and mid-question by it, and the
-- counters read a broadcast's rows through its index.
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts(id);
UPDATE outbox SET broadcast_id = CAST(substr(dedupe_key, 11,
    instr(substr(dedupe_key, 11), ':') - 1) AS INTEGER)
  WHERE dedupe_key LIKE 'broadcast:%';
CREATE INDEX outbox_broadcast ON outbox(broadcast_id, state)
  WHERE broadcast_id IS NOT NULL;
-- Who composed it (a staff username; NULL for the CLI and older rows).
ALTER TABLE broadcasts ADD COLUMN created_by TEXT;
-- A cancelled event stays (its sign-ups and notices refer to it) but is no
-- longer offered.
ALTER TABLE events ADD COLUMN cancelled_at INTEGER;
ALTER TABLE events ADD COLUMN updated_at INTEGER;
)sql",
      // 9: a notice's audience by profile answers.
      R"sql(
-- {"<question id>": "<option id>", ...} as JSON, every pair required; a
-- multi-answer question matches when the option is among its answers.
-- '' for no profile filter.
ALTER TABLE broadcasts ADD COLUMN audience_profile TEXT NOT NULL DEFAULT '';
)sql",
      // 10: whether the person came to an appointment, marked by the
      // counsellor on the day (reports count who attended).
      R"sql(
ALTER TABLE bookings ADD COLUMN attendance TEXT
  CHECK (attendance IN ('attended', 'no_show'));
ALTER TABLE bookings ADD COLUMN attendance_by TEXT;
ALTER TABLE bookings ADD COLUMN attendance_at INTEGER;
)sql",
      // 11: in doubt is only what was handed to the HTTP client.
      R"sql(
-- When the current attempt of a 'sending' row was handed to the HTTP
-- client; NULL while it is only claimed. After a crash a claimed row that
-- was never handed over is sent, not counted in doubt.
ALTER TABLE outbox ADD COLUMN handed_at INTEGER;
)sql",
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

core::Result<int> SchemaVersion(Database& db) {
  Statement st = db.Prepare("PRAGMA user_version");
  if (!st.Step()) {
    return st.status().ok()
               ? core::Status::Internal("migrations: no user_version")
               : st.status();
  }
  return static_cast<int>(st.Int(0));
}

core::Status MigrateTo(Database& db, int target) {
  if (target < 0 || target > LatestSchemaVersion()) {
    return core::Status::InvalidArgument(
        "migrations: no version " + std::to_string(target) +
        " in this build (latest " + std::to_string(LatestSchemaVersion()) +
        ")");
  }
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current > LatestSchemaVersion()) {
    return core::Status::InvalidArgument(
        "migrations: database schema is version " + std::to_string(*current) +
        ", newer than this build knows (" +
        std::to_string(LatestSchemaVersion()) + "): upgrade sportello");
  }
  for (int v = *current + 1; v <= target; ++v) {
    Transaction txn(db);
    if (!txn.status().ok()) return txn.status();
    if (auto s = db.Exec(Migrations()[v - 1]); !s.ok()) {
      return core::Status::Internal("migrations: version " + std::to_string(v) +
                                    ": " + s.message());
    }
    if (auto s = db.Exec("PRAGMA user_version = " + std::to_string(v)); !s.ok())
      return s;
    if (auto s = txn.Commit(); !s.ok()) return s;
  }
  return core::Status::Ok();
}

core::Status Migrate(Database& db) {
  return MigrateTo(db, LatestSchemaVersion());
}

}  // namespace sportello::storage
