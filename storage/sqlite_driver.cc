#include "storage/sqlite_driver.h"

#include <sqlite3.h>

#include <functional>
#include <string>
#include <utility>

namespace sportello::storage::driver {
namespace {

core::Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return core::Status::Ok();
  std::string msg = "sqlite: ";
  msg += context;
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return core::Status::AlreadyExists(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return core::Status::Unavailable(std::move(msg));
    default:
      return core::Status::Internal(std::move(msg));
  }
}

class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~SqliteCursor() override { sqlite3_finalize(st_); }

  void BindInt(int index, int64_t value) override {
    sqlite3_bind_int64(st_, index, value);
  }
  void BindDouble(int index, double value) override {
    sqlite3_bind_double(st_, index, value);
  }
  void BindText(int index, std::string_view value) override {
    // SQLITE_TRANSIENT: SQLite copies, so temporaries are safe to pass.
    sqlite3_bind_text64(st_, index, value.data(), value.size(),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  void BindNull(int index) override { sqlite3_bind_null(st_, index); }

  bool Step(core::Status& status) override {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status = SqliteStatus(rc, db_, sqlite3_sql(st_));
    return false;
  }
  void Reset() override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  int64_t Int(int column) const override {
    return sqlite3_column_int64(st_, column);
  }
  double Double(int column) const override {
    return sqlite3_column_double(st_, column);
  }
  std::string Text(int column) const override {
    const auto* p = sqlite3_column_text(st_, column);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(st_, column)));
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(st_, column) == SQLITE_NULL;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Engine engine() const override { return Engine::kSqlite; }

  std::unique_ptr<Cursor> Prepare(std::string_view sql, bool /*reused*/,
                                  core::Status& status) override {
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v2(
        db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK || st == nullptr) {
      status = rc != SQLITE_OK
                   ? SqliteStatus(rc, db_, sql.substr(0, 80))
                   : core::Status::Internal("sqlite: empty statement");
      sqlite3_finalize(st);
      return nullptr;
    }
    return std::make_unique<SqliteCursor>(db_, st);
  }

  core::Status Exec(std::string_view sql) override {
    const std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    return SqliteStatus(rc, db_, sql.substr(0, 80));
  }

  core::Status Begin() override { return Exec("BEGIN IMMEDIATE"); }

  int64_t LastInsertRowId() override { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const override { return sqlite3_changes(db_); }

  void OnRowWritten(
      std::function<void(std::string_view table, bool inserted)> fn) override {
    on_row_written_ = std::move(fn);
    if (!on_row_written_) {
      sqlite3_update_hook(db_, nullptr, nullptr);
      return;
    }
    sqlite3_update_hook(
        db_,
        [](void* self, int op, const char*, const char* table, sqlite3_int64) {
          if (op == SQLITE_INSERT || op == SQLITE_UPDATE) {
            static_cast<SqliteConnection*>(self)->on_row_written_(
                table, op == SQLITE_INSERT);
          }
        },
        this);
  }

  Constraint LastConstraint() const override {
    const int rc = sqlite3_extended_errcode(db_);
    if ((rc & 0xff) != SQLITE_CONSTRAINT) return Constraint::kNone;
    switch (rc) {
      case SQLITE_CONSTRAINT_UNIQUE:
      case SQLITE_CONSTRAINT_PRIMARYKEY:
        return Constraint::kUnique;
      case SQLITE_CONSTRAINT_FOREIGNKEY:
        return Constraint::kForeignKey;
      default:
        return Constraint::kOther;
    }
  }

 private:
  sqlite3* db_;
  std::function<void(std::string_view table, bool inserted)> on_row_written_;
};

}  // namespace

core::Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path,
                                                     SqliteOptions options) {
  const bool memory = path == ":memory:";
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  auto conn = std::make_unique<SqliteConnection>(raw);  // owns raw on error
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open " + path);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (!options.read_only && !memory) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += options.synchronous_full ? "PRAGMA synchronous=FULL;"
                                        : "PRAGMA synchronous=NORMAL;";
  }
  if (auto s = conn->Exec(pragmas); !s.ok()) return s;
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace sportello::storage::driver
