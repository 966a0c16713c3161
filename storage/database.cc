#include "storage/database.h"

#include <string>

namespace sportello::storage {

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

core::Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                       OpenOptions options) {
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(
      new Database(raw, path));  // owns raw even on error
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open " + path);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (!options.read_only) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += options.synchronous_full ? "PRAGMA synchronous=FULL;"
                                        : "PRAGMA synchronous=NORMAL;";
  }
  if (auto s = db->Exec(pragmas); !s.ok()) return s;
  return db;
}

core::Result<std::unique_ptr<Database>> Database::OpenInMemory() {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      ":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<Database> db(new Database(raw, ":memory:"));
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open :memory:");
  if (auto s = db->Exec("PRAGMA foreign_keys=ON;"); !s.ok()) return s;
  return db;
}

Statement Database::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(),
                                    static_cast<int>(sql.size()), &st, nullptr);
  return Statement(db_.get(), st,
                   SqliteStatus(rc, db_.get(), sql.substr(0, 80)));
}

core::Status Database::Exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  return SqliteStatus(rc, db_.get(), sql.substr(0, 80));
}

Database::Database(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)) {}

Database::~Database() { cache_.clear(); }

Statement& Database::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_
             .emplace(std::string(sql),
                      std::make_unique<Statement>(Prepare(sql)))
             .first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_.get());
}
int Database::Changes() const { return sqlite3_changes(db_.get()); }

Statement& Statement::Bind(int index, int64_t value) {
  if (stmt_ && status_.ok()) sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (stmt_ && status_.ok()) sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries are safe to pass.
  if (stmt_ && status_.ok()) {
    sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}

Statement& Statement::Bind(int index, std::nullopt_t) {
  if (stmt_ && status_.ok()) sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

bool Statement::Step() {
  if (!stmt_ || !status_.ok()) return false;
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE)
    status_ = SqliteStatus(rc, db_, sqlite3_sql(stmt_.get()));
  return false;
}

core::Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

void Statement::Reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  status_ = prepare_status_;
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}
double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}

std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  if (!p) return {};
  return std::string(
      reinterpret_cast<const char*>(p),
      static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

Transaction::Transaction(Database& db)
    : db_(db), begin_status_(db.Exec("BEGIN IMMEDIATE")) {
  done_ = !begin_status_.ok();
}

Transaction::~Transaction() {
  if (!done_) (void)db_.Exec("ROLLBACK");
}

core::Status Transaction::Commit() {
  if (done_)
    return core::Status::Internal(
        "transaction: commit after failed begin or commit");
  auto s = db_.Exec("COMMIT");
  if (s.ok()) done_ = true;  // else the destructor rolls back
  return s;
}

// One name serves every savepoint: they nest like a stack, and ROLLBACK TO
// and RELEASE act on the innermost of that name.
Savepoint::Savepoint(Database& db)
    : db_(db), begin_status_(db.Exec("SAVEPOINT sportello_op")) {
  done_ = !begin_status_.ok();
}

Savepoint::~Savepoint() {
  if (done_) return;
  (void)db_.Exec("ROLLBACK TO sportello_op");
  (void)db_.Exec("RELEASE sportello_op");
}

core::Status Savepoint::Release() {
  if (done_)
    return core::Status::Internal(
        "savepoint: release after failed begin or release");
  done_ = true;
  return db_.Exec("RELEASE sportello_op");
}

}  // namespace sportello::storage
