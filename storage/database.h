// A database connection, SQLite or PostgreSQL, with prepared statements
// that always bind parameters and transactions that roll back unless
// committed. SQL is written once for both engines (SQLite's ?1 parameters;
// the PostgreSQL driver rewrites them); where the engines really differ a
// repository asks engine().
//
//   auto db = Database::Open("sportello.db");   // or "postgresql://..."
//   Transaction txn(**db);            // BEGIN IMMEDIATE on SQLite
//   Statement st = (*db)->Prepare("INSERT INTO t(a) VALUES(?)");
//   st.Bind(1, "x");
//   if (auto s = st.Run(); !s.ok()) return s;
//   return txn.Commit();
//
// A Database is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bot/core/status.h"
#include "storage/driver.h"

namespace sportello::storage {

class Statement;

struct OpenOptions {
  bool read_only = false;  // SQLite opens the file read-only; PostgreSQL
                           // refuses writes on the connection
  // FULL: a committed transaction survives power loss (we acknowledge webhooks
  // only after commit). NORMAL would only survive a process crash.
  bool synchronous_full = true;
  int busy_timeout_ms = 10'000;
};

class Database {
 public:
  // Opens `target`: a PostgreSQL URI (postgresql://, postgres://), or a
  // SQLite file, created if needed and in WAL mode. Errors never show a
  // password.
  static core::Result<std::unique_ptr<Database>> Open(const std::string& target,
                                                      OpenOptions options = {});
  // A private in-memory database (one per call), for tests.
  static core::Result<std::unique_ptr<Database>> OpenInMemory();
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // REQUIRES: sql is one statement. Throws nothing; a bad statement is a bug
  // in our SQL, reported by the Statement's first Step() as kInternal.
  Statement Prepare(std::string_view sql);
  // Like Prepare, but the statement is prepared once per connection and
  // reused: for hot paths. Returned reset, with no bindings. REQUIRES: the
  // previous use of the same SQL is finished (no nesting).
  Statement& Cached(std::string_view sql);
  // Runs one or more statements without parameters (DDL, PRAGMA).
  core::Status Exec(std::string_view sql);
  // Starts a write transaction (Transaction does this).
  core::Status Begin() { return conn_->Begin(); }

  int64_t LastInsertRowId() const;
  int Changes() const;
  // Which constraint the last failed statement broke.
  Constraint LastConstraint() const { return conn_->LastConstraint(); }
  Engine engine() const { return conn_->engine(); }
  // Calls `fn` with the table's name for each row an INSERT (`inserted`) or
  // UPDATE on this connection writes, before commit. SQLite only; a no-op on
  // PostgreSQL (see driver::Connection::OnRowWritten).
  void OnRowWritten(
      std::function<void(std::string_view table, bool inserted)> fn) {
    conn_->OnRowWritten(std::move(fn));
  }
  bool is_postgres() const { return engine() == Engine::kPostgres; }

 private:
  explicit Database(std::unique_ptr<driver::Connection> conn);
  std::unique_ptr<driver::Connection> conn_;
  // Declared after db_, so its statements are finalized before the
  // connection closes.
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

class Statement {
 public:
  Statement(Statement&&) = default;
  Statement& operator=(Statement&&) = default;

  // Parameters are 1-based, as in SQLite. A parameter never bound is NULL.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const char* value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, std::nullopt_t);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : Bind(index, std::nullopt);
  }

  // True while a row is available; false at the end. Errors end iteration
  // and are kept in status().
  bool Step();
  // Steps to completion; the status of the run (constraint violations are
  // kAlreadyExists, busy is kUnavailable).
  core::Status Run();
  // Resets for another run with new bindings.
  void Reset();
  const core::Status& status() const { return status_; }

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;
  std::optional<std::string> OptionalText(int column) const;

 private:
  friend class Database;
  Statement(std::unique_ptr<driver::Cursor> cursor, core::Status status)
      : stmt_(std::move(cursor)),
        prepare_status_(status),
        status_(std::move(status)) {}
  std::unique_ptr<driver::Cursor> stmt_;
  core::Status prepare_status_;  // a bad statement stays bad across Reset()
  core::Status status_;
};

// Begins on construction (on SQLite BEGIN IMMEDIATE: takes the write lock at
// once, so a transaction never fails half-way for a lock); ROLLBACK on
// destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Whether BEGIN succeeded; check before doing work.
  const core::Status& status() const { return begin_status_; }
  core::Status Commit();

 private:
  Database& db_;
  core::Status begin_status_;
  bool done_ = false;
};

// A nested all-or-nothing step inside an open transaction (SAVEPOINT): the
// changes since construction are undone on destruction unless Release()
// succeeded, and the enclosing transaction goes on either way. For an
// operation that may fail after writing part of its work (a booking moved,
// a sign-up with its reminder) inside a turn's transaction.
// REQUIRES: inside a transaction on `db`; destroyed before it ends.
class Savepoint {
 public:
  explicit Savepoint(Database& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  // Whether SAVEPOINT succeeded; check before doing work.
  const core::Status& status() const { return begin_status_; }
  core::Status Release();

 private:
  Database& db_;
  core::Status begin_status_;
  bool done_ = false;
};

}  // namespace sportello::storage
