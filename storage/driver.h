// The engines under a Database: one connection to SQLite or to PostgreSQL,
// behind one small interface, so that repositories write their SQL once.
// Only database.cc, sqlite_driver.cc and postgres_driver.cc see it; everyone
// else uses Database and Statement (database.h).
//
// SQL is written in SQLite's parameter style (?1, ?2, or ? counted from the
// left); the PostgreSQL driver rewrites it to $1, $2. Parameters are always
// bound, never pasted into the text.
//
// A Connection and its Cursors are used by one thread at a time; a Cursor
// must not outlive its Connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bot/core/status.h"

namespace sportello::storage {

enum class Engine { kSqlite, kPostgres };

// Which constraint the last failed statement broke, for callers that answer
// differently to "taken" and to "refers to nothing".
enum class Constraint { kNone, kUnique, kForeignKey, kOther };

namespace driver {

// One prepared statement: bind, step through its rows, reset, again.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Parameters are 1-based; an unbound one is NULL.
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindNull(int index) = 0;
  // True with a row to read; false at the end, or on error with `status`
  // set (kAlreadyExists for a broken constraint, kUnavailable when the
  // database cannot be reached or is busy, kInternal for a bug in our SQL).
  virtual bool Step(core::Status& status) = 0;
  // For another run: rows and bindings are dropped.
  virtual void Reset() = 0;
  virtual int64_t Int(int column) const = 0;
  virtual double Double(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Engine engine() const = 0;
  // A statement on this connection. `reused`: it will run many times (the
  // engine may plan it once). A statement that does not prepare comes back
  // with `status` set and a null cursor.
  virtual std::unique_ptr<Cursor> Prepare(std::string_view sql, bool reused,
                                          core::Status& status) = 0;
  // One or more statements without parameters (DDL, settings).
  virtual core::Status Exec(std::string_view sql) = 0;
  // Starts a write transaction: SQLite takes its write lock at once (BEGIN
  // IMMEDIATE); PostgreSQL's locks are taken row by row.
  virtual core::Status Begin() = 0;
  // The id the last INSERT on this connection generated.
  virtual int64_t LastInsertRowId() = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual int64_t Changes() const = 0;
  virtual Constraint LastConstraint() const = 0;
  // Calls `fn` with the table's name for each row an INSERT (`inserted`) or
  // UPDATE on this connection writes, as it is written (before commit, so also
  // for work later rolled back). SQLite only, through its update hook;
  // PostgreSQL ignores it: its triggers tell every session after commit
  // (storage/change_listener.h). Replaces any earlier `fn`.
  virtual void OnRowWritten(
      std::function<void(std::string_view table, bool inserted)> fn) {
    (void)fn;
  }
};

}  // namespace driver
}  // namespace sportello::storage
