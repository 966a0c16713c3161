// The schema, as numbered migrations applied in order, in each engine's
// dialect under the same numbers. SQLite's PRAGMA user_version, or
// PostgreSQL's schema_version table, records how far a database has come;
// Migrate() is idempotent, and on PostgreSQL safe to run from several
// processes at once.
#pragma once

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// The newest schema version this build knows.
int LatestSchemaVersion();

// The version `db` is at (0 for a new file).
core::Result<int> SchemaVersion(Database& db);

// Applies every migration above the database's version, each in its own
// transaction. A database newer than this build is refused (kInvalidArgument):
// running old code on a newer schema could corrupt it.
core::Status Migrate(Database& db);

// For tests: applies migrations up to and including `version` only.
core::Status MigrateTo(Database& db, int version);

// On PostgreSQL, takes the lock migrations run under, until the caller's
// open transaction ends (no-op on SQLite, whose write lock serves).
core::Status LockMigrations(Database& db);

// Applies every migration up to `version` inside the transaction the caller
// has open on `db`, under the same lock as MigrateTo, and commits nothing:
// for `sportello db copy`, whose target comes out whole (schema and rows)
// or not at all. REQUIRES: PostgreSQL (SQLite's migrations are not all
// transactional DDL), a transaction open on `db`.
core::Status MigrateInTransaction(Database& db, int version);

}  // namespace sportello::storage
