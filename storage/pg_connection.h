// A PostgreSQL connection through libpq, with RAII handles: the first brick
// of the PostgreSQL engine, beside the SQLite one in database.h.
//
//   auto conn = pg::Connection::Open("postgresql://u:pw@127.0.0.1:5432/db");
//   if (!conn.ok()) { log(conn.status().message()); }  // never shows "pw"
//
// Statements run through the PostgreSQL engine built on it
// (postgres_driver.h), under storage::Database.
//
// A Connection is used by one thread at a time. Error messages never contain
// the URI's password: they come from libpq (which does not repeat it) and are
// scrubbed of it all the same.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "bot/core/status.h"

namespace sportello::storage::pg {

// True for a libpq URI ("postgresql://" or "postgres://"): SPORTELLO_DB
// names a PostgreSQL database then, and a SQLite file otherwise.
bool IsPostgresUri(std::string_view uri);

// The URI with its password (if any) replaced by "***", for logs and
// errors: "postgresql://u:***@h/db". Anything that does not parse as a URI
// comes back as "postgresql://***".
std::string RedactUri(std::string_view uri);

class Connection {
 public:
  // Connects, waiting at most `timeout` (unless the URI sets its own
  // connect_timeout). A bad URI is kInvalidArgument; a server that cannot be
  // reached, or refuses the credentials, is kUnavailable with libpq's reason
  // and the redacted URI.
  static core::Result<std::unique_ptr<Connection>> Open(
      const std::string& uri,
      std::chrono::seconds timeout = std::chrono::seconds(5));
  ~Connection() = default;  // PQfinish through the handle
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The server's version as libpq reports it (150018 for 15.18).
  int ServerVersion() const;
  // False once the connection is broken.
  bool Ok() const;
  // The URI without its password.
  const std::string& redacted_uri() const { return redacted_; }
  // `message` with the password (if any) replaced by "***".
  std::string Scrub(std::string message) const;
  // Why `result` failed (or, for nullptr, the connection), on one line and
  // scrubbed of the password.
  std::string ErrorMessage(const PGresult* result = nullptr) const;
  // The libpq handle, for the engine built on this connection. Owned here.
  PGconn* handle() const { return conn_.get(); }
  // Connects again with the same settings after the connection broke; true
  // when it is back. Statements prepared on the old session are gone.
  bool Reconnect();

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  Connection(PGconn* conn, std::string password, std::string redacted);

  std::unique_ptr<PGconn, Finish> conn_;
  std::string password_;  // only to scrub messages; never printed
  std::string redacted_;
};

}  // namespace sportello::storage::pg
