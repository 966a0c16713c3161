// The SQLite engine (driver.h): a file in WAL mode, or a private in-memory
// database for tests.
#pragma once

#include <memory>
#include <string>

#include "bot/core/status.h"
#include "storage/driver.h"

namespace sportello::storage::driver {

struct SqliteOptions {
  bool read_only = false;
  bool synchronous_full = true;
  int busy_timeout_ms = 10'000;
};

// Opens (creating if needed, unless read-only) `path`; ":memory:" is a
// private in-memory database.
core::Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path,
                                                     SqliteOptions options);

}  // namespace sportello::storage::driver
