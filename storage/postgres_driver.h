// The PostgreSQL engine (driver.h), through libpq (pg_connection.h).
//
// Statements are sent with their parameters apart (extended protocol), as
// text whose type the server infers from the statement; a statement marked
// `reused` is prepared once per session. Results come back as text and are
// converted on reading (a boolean reads as 1 or 0).
//
// A broken connection is reopened at the next statement outside a
// transaction (a transaction that lost its connection fails as a whole:
// kUnavailable), so the service recovers by itself when the server returns.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "bot/core/status.h"
#include "storage/driver.h"

namespace sportello::storage::driver {

struct PostgresOptions {
  // A connection for reads only: the server refuses writes on it.
  bool read_only = false;
  std::chrono::seconds connect_timeout{5};
};

core::Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri,
                                                       PostgresOptions options);

// SQLite's parameters (?NNN, and ? numbered one above the largest so far)
// as PostgreSQL's ($NNN), outside quotes and comments. `count` is set to
// the largest number used.
std::string ToPostgresParameters(std::string_view sql, int& count);

}  // namespace sportello::storage::driver
