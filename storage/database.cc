#include "storage/database.h"

#include <string>

#include "storage/pg_connection.h"
#include "storage/postgres_driver.h"
#include "storage/sqlite_driver.h"

namespace sportello::storage {

core::Result<std::unique_ptr<Database>> Database::Open(
    const std::string& target, OpenOptions options) {
  core::Result<std::unique_ptr<driver::Connection>> conn =
      pg::IsPostgresUri(target)
          ? driver::OpenPostgres(target, {.read_only = options.read_only})
          : driver::OpenSqlite(target,
                               {.read_only = options.read_only,
                                .synchronous_full = options.synchronous_full,
                                .busy_timeout_ms = options.busy_timeout_ms});
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<Database>(new Database(std::move(*conn)));
}

core::Result<std::unique_ptr<Database>> Database::OpenInMemory() {
  return Open(":memory:");
}

Statement Database::Prepare(std::string_view sql) {
  core::Status status;
  auto cursor = conn_->Prepare(sql, /*reused=*/false, status);
  return Statement(std::move(cursor), std::move(status));
}

core::Status Database::Exec(std::string_view sql) { return conn_->Exec(sql); }

Database::Database(std::unique_ptr<driver::Connection> conn)
    : conn_(std::move(conn)) {}

Database::~Database() { cache_.clear(); }

Statement& Database::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    core::Status status;
    auto cursor = conn_->Prepare(sql, /*reused=*/true, status);
    it = cache_
             .emplace(std::string(sql),
                      std::unique_ptr<Statement>(
                          new Statement(std::move(cursor), std::move(status))))
             .first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

int64_t Database::LastInsertRowId() const { return conn_->LastInsertRowId(); }
int Database::Changes() const { return static_cast<int>(conn_->Changes()); }

Statement& Statement::Bind(int index, int64_t value) {
  if (stmt_ && status_.ok()) stmt_->BindInt(index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (stmt_ && status_.ok()) stmt_->BindDouble(index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (stmt_ && status_.ok()) stmt_->BindText(index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::nullopt_t) {
  if (stmt_ && status_.ok()) stmt_->BindNull(index);
  return *this;
}

bool Statement::Step() {
  if (!stmt_ || !status_.ok()) return false;
  return stmt_->Step(status_);
}

core::Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

void Statement::Reset() {
  if (!stmt_) return;
  stmt_->Reset();
  status_ = prepare_status_;
}

int64_t Statement::Int(int column) const { return stmt_->Int(column); }
double Statement::Double(int column) const { return stmt_->Double(column); }
std::string Statement::Text(int column) const { return stmt_->Text(column); }
bool Statement::IsNull(int column) const { return stmt_->IsNull(column); }

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

Transaction::Transaction(Database& db) : db_(db), begin_status_(db.Begin()) {
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
