// The schema, as numbered migrations applied in order. PRAGMA user_version
// records how far a database has come; Migrate() is idempotent.
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

}  // namespace sportello::storage
