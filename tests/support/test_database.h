// The database engine the storage and end-to-end tests run on: SQLite by
// default, PostgreSQL when SPORTELLO_TEST_ENGINE=postgresql (ctest runs the
// engine-neutral files both ways; scripts/test starts the throw-away
// cluster that SPORTELLO_TEST_PG names). On PostgreSQL each database handed
// out is a fresh, empty schema of that cluster, so tests never see each
// other's rows.
#pragma once

#include <memory>
#include <string>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::support {

bool TestOnPostgres();

// What to give Database::Open, Store::Open or SPORTELLO_DB for the database
// a test keeps at `sqlite_path`: that path on SQLite; on PostgreSQL the URI
// of a schema made empty on the first call with that path, and the same
// URI on later calls (a test that reopens its database). Thread-safe. Aborts
// the test binary with a clear message if PostgreSQL is asked for and not
// there.
std::string TestDatabaseAt(const std::string& sqlite_path);

// The URI of a new, empty schema of the test cluster (SPORTELLO_TEST_PG),
// whatever the engine under test: for tests about PostgreSQL itself (db
// copy's target). Empty when SPORTELLO_TEST_PG is unset. Thread-safe.
std::string FreshPostgresSchema();

// An empty database of the engine under test: Database::OpenInMemory() on
// SQLite.
core::Result<std::unique_ptr<storage::Database>> OpenTestDatabase();

}  // namespace sportello::support
