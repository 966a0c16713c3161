#include "storage/postgres_driver.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "storage/pg_connection.h"

namespace sportello::storage::driver {
namespace {

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

class PostgresConnection;

class PostgresCursor final : public Cursor {
 public:
  PostgresCursor(PostgresConnection& conn, std::string sql, int count,
                 bool reused)
      : conn_(conn),
        sql_(std::move(sql)),
        reused_(reused),
        values_(static_cast<size_t>(count)) {}

  void BindInt(int index, int64_t value) override {
    Set(index, std::to_string(value));
  }
  void BindDouble(int index, double value) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    Set(index, buf);
  }
  // PostgreSQL's text cannot hold NUL, and would refuse the statement:
  // a NUL becomes U+FFFD, as an undecodable character would.
  void BindText(int index, std::string_view value) override {
    std::string text;
    text.reserve(value.size());
    for (char c : value) {
      if (c == '\0') {
        text += "\xEF\xBF\xBD";
      } else {
        text += c;
      }
    }
    Set(index, std::move(text));
  }
  void BindNull(int index) override {
    if (index >= 1 && index <= static_cast<int>(values_.size()))
      values_[static_cast<size_t>(index - 1)].reset();
  }

  bool Step(core::Status& status) override;

  void Reset() override {
    result_.reset();
    ran_ = false;
    row_ = -1;
    for (auto& v : values_) v.reset();
  }

  int64_t Int(int column) const override {
    const char* v = Value(column);
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
    int64_t n = 0;
    std::from_chars(v, v + std::strlen(v), n);
    return n;
  }
  double Double(int column) const override {
    const char* v = Value(column);
    if (v[0] == 't' && v[1] == '\0') return 1;
    return std::strtod(v, nullptr);
  }
  std::string Text(int column) const override {
    if (!result_ || row_ < 0) return {};
    return std::string(
        PQgetvalue(result_.get(), row_, column),
        static_cast<size_t>(PQgetlength(result_.get(), row_, column)));
  }
  bool IsNull(int column) const override {
    return !result_ || row_ < 0 ||
           PQgetisnull(result_.get(), row_, column) != 0;
  }

 private:
  friend class PostgresConnection;
  void Set(int index, std::string value) {
    if (index >= 1 && index <= static_cast<int>(values_.size()))
      values_[static_cast<size_t>(index - 1)] = std::move(value);
  }
  const char* Value(int column) const {
    if (!result_ || row_ < 0) return "";
    return PQgetvalue(result_.get(), row_, column);
  }

  PostgresConnection& conn_;
  const std::string sql_;
  const bool reused_;
  std::string name_;      // of the prepared statement, once prepared
  int64_t session_ = -1;  // the session it was prepared in
  std::vector<std::optional<std::string>> values_;
  Result result_;
  bool ran_ = false;
  int row_ = -1;
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(std::unique_ptr<pg::Connection> conn,
                              bool read_only)
      : conn_(std::move(conn)), read_only_(read_only) {}

  Engine engine() const override { return Engine::kPostgres; }

  std::unique_ptr<Cursor> Prepare(std::string_view sql, bool reused,
                                  core::Status& /*status*/) override {
    int count = 0;
    std::string text = ToPostgresParameters(sql, count);
    // Errors in the SQL show when it first runs: the server checks it then.
    return std::make_unique<PostgresCursor>(*this, std::move(text), count,
                                            reused);
  }

  core::Status Exec(std::string_view sql) override {
    if (begin_pending_) {
      // Nothing was sent: there is nothing to end.
      if (sql == "COMMIT" || sql == "ROLLBACK") {
        begin_pending_ = false;
        return core::Status::Ok();
      }
      return SendBegin(sql);
    }
    return ExecNow(sql);
  }

  core::Status Begin() override {
    // PostgreSQL only warns about a BEGIN inside a transaction; SQLite
    // refuses it, and so do we, or the inner Transaction's COMMIT would
    // commit the outer one's work.
    const PGTransactionStatusType t = PQtransactionStatus(pg());
    if (begin_pending_ || t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
        t == PQTRANS_ACTIVE) {
      return core::Status::Internal(
          "postgresql: BEGIN: a transaction is already open");
    }
    in_transaction_ = false;  // a new transaction may start on a new session
    // Sent with the transaction's first command, in the same round trip
    // when that is a command without parameters (a lock, a setting): round
    // trips are most of what a short write costs the server.
    begin_pending_ = true;
    return core::Status::Ok();
  }

  int64_t LastInsertRowId() override {
    if (begin_pending_ && !SendBegin("").ok()) return 0;
    Result r(PQexec(pg(), "SELECT lastval()"));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1)
      return 0;
    int64_t id = 0;
    const char* v = PQgetvalue(r.get(), 0, 0);
    std::from_chars(v, v + std::strlen(v), id);
    return id;
  }
  int64_t Changes() const override { return changes_; }
  Constraint LastConstraint() const override { return constraint_; }

  // Runs a cursor's statement with its bindings.
  Result Run(PostgresCursor& c, core::Status& status) {
    if (begin_pending_) {
      if (status = SendBegin(""); !status.ok()) return nullptr;
    }
    if (status = EnsureConnected(); !status.ok()) return nullptr;
    std::vector<const char*> values;
    values.reserve(c.values_.size());
    for (const auto& v : c.values_) values.push_back(v ? v->c_str() : nullptr);
    const int n = static_cast<int>(values.size());
    Result r;
    if (c.reused_) {
      if (c.session_ != session_) {
        c.name_ = "s" + std::to_string(++statements_);
        Result prepared(
            PQprepare(pg(), c.name_.c_str(), c.sql_.c_str(), n, nullptr));
        if (status = Check(prepared.get(), c.sql_); !status.ok())
          return nullptr;
        c.session_ = session_;
      }
      r.reset(PQexecPrepared(pg(), c.name_.c_str(), n, values.data(), nullptr,
                             nullptr, 0));
    } else {
      r.reset(PQexecParams(pg(), c.sql_.c_str(), n, nullptr, values.data(),
                           nullptr, nullptr, 0));
    }
    if (status = Check(r.get(), c.sql_); !status.ok()) return nullptr;
    CountChanges(r.get());
    return r;
  }

 private:
  PGconn* pg() const { return conn_->handle(); }

  // BEGIN, then `sql` (commands without parameters, or none), in one round
  // trip. A connection learns that the server went away (a restart, a
  // failover) only when it next sends something; nothing of the transaction
  // has been done yet, so on a connection found broken this connects again
  // and sends it once more, rather than fail the first request each
  // connection serves afterwards.
  core::Status SendBegin(std::string_view sql) {
    begin_pending_ = false;
    std::string text = "BEGIN";
    if (!sql.empty()) (text += ";\n") += sql;
    auto s = ExecNow(text);
    if (!s.ok() && PQstatus(pg()) == CONNECTION_BAD) s = ExecNow(text);
    // Open unless BEGIN itself failed: an error in `sql` leaves the
    // transaction open and aborted, for the caller to roll back.
    in_transaction_ = PQstatus(pg()) == CONNECTION_OK &&
                      PQtransactionStatus(pg()) != PQTRANS_IDLE;
    return s;
  }

  core::Status ExecNow(std::string_view sql) {
    // The transaction ends here whatever happens: a ROLLBACK on a lost
    // connection must not leave the next transaction thinking it is inside
    // this one.
    if (sql == "COMMIT" || sql == "ROLLBACK") {
      const bool was_open = in_transaction_;
      in_transaction_ = false;
      if (was_open && PQstatus(pg()) != CONNECTION_OK) {
        return core::Status::Unavailable(
            "PostgreSQL connection lost in a transaction");
      }
    }
    if (auto s = EnsureConnected(); !s.ok()) return s;
    const std::string text(sql);
    Result r(PQexec(pg(), text.c_str()));
    auto s = Check(r.get(), text);
    if (s.ok()) CountChanges(r.get());
    return s;
  }

  // Outside a transaction a broken connection is opened again; inside one
  // the transaction is lost, and says so.
  core::Status EnsureConnected() {
    if (PQstatus(pg()) == CONNECTION_OK) return core::Status::Ok();
    if (in_transaction_) {
      return core::Status::Unavailable(
          "PostgreSQL connection lost in a transaction");
    }
    if (!conn_->Reconnect()) {
      return core::Status::Unavailable("PostgreSQL unreachable: " +
                                       conn_->ErrorMessage());
    }
    ++session_;
    if (read_only_) {
      Result r(PQexec(pg(), "SET default_transaction_read_only = on"));
      if (auto s = Check(r.get(), "read only"); !s.ok()) return s;
    }
    return core::Status::Ok();
  }

  // An INSERT, UPDATE or DELETE (also with RETURNING) says how many rows it
  // changed; other statements leave the count alone, as on SQLite.
  void CountChanges(PGresult* r) {
    const char* tag = PQcmdStatus(r);
    if (std::strncmp(tag, "INSERT", 6) != 0 &&
        std::strncmp(tag, "UPDATE", 6) != 0 &&
        std::strncmp(tag, "DELETE", 6) != 0)
      return;
    const char* t = PQcmdTuples(r);
    changes_ = 0;
    std::from_chars(t, t + std::strlen(t), changes_);
  }

  core::Status Check(PGresult* r, std::string_view sql) {
    constraint_ = Constraint::kNone;
    const ExecStatusType st = PQresultStatus(r);
    if (r != nullptr && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
                         st == PGRES_EMPTY_QUERY)) {
      return core::Status::Ok();
    }
    if (r == nullptr || PQstatus(pg()) != CONNECTION_OK) {
      return core::Status::Unavailable("PostgreSQL connection lost: " +
                                       conn_->ErrorMessage());
    }
    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const std::string state = code != nullptr ? code : "";
    std::string msg = "postgresql: " + std::string(sql.substr(0, 80)) + ": " +
                      conn_->ErrorMessage(r);
    if (state.rfind("23", 0) == 0) {  // integrity constraint violation
      constraint_ = state == "23505"   ? Constraint::kUnique
                    : state == "23503" ? Constraint::kForeignKey
                                       : Constraint::kOther;
      return core::Status::AlreadyExists(std::move(msg));
    }
    // Connection trouble, a server shutting down or out of resources,
    // serialization failures and deadlocks: worth retrying later.
    if (state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 ||
        state.rfind("57P", 0) == 0 || state == "40001" || state == "40P01" ||
        state == "55P03" || state == "25006") {
      return core::Status::Unavailable(std::move(msg));
    }
    return core::Status::Internal(std::move(msg));
  }

  std::unique_ptr<pg::Connection> conn_;
  const bool read_only_;
  bool in_transaction_ = false;
  bool begin_pending_ = false;  // Begin() called, BEGIN not sent yet
  int64_t session_ = 0;
  int64_t statements_ = 0;
  int64_t changes_ = 0;
  Constraint constraint_ = Constraint::kNone;
};

bool PostgresCursor::Step(core::Status& status) {
  if (!ran_) {
    ran_ = true;
    result_ = conn_.Run(*this, status);
    row_ = -1;
    if (!result_) return false;
  }
  if (!result_) return false;
  ++row_;
  if (row_ < PQntuples(result_.get())) return true;
  row_ = -1;
  result_.reset();
  return false;
}

}  // namespace

std::string ToPostgresParameters(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 8);
  count = 0;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a string or a quoted name, '' inside
      const size_t end = sql.find(c, i + 1);
      const size_t stop = end == std::string_view::npos ? n : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      const size_t stop = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '?') {
      size_t j = i + 1;
      int number = 0;
      while (j < n && sql[j] >= '0' && sql[j] <= '9') {
        number = number * 10 + (sql[j] - '0');
        ++j;
      }
      if (j == i + 1) number = count + 1;
      if (number > count) count = number;
      out += '$';
      out += std::to_string(number);
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

core::Result<std::unique_ptr<Connection>> OpenPostgres(
    const std::string& uri, PostgresOptions options) {
  auto conn = pg::Connection::Open(uri, options.connect_timeout);
  if (!conn.ok()) return conn.status();
  auto out =
      std::make_unique<PostgresConnection>(std::move(*conn), options.read_only);
  if (options.read_only) {
    if (auto s = out->Exec("SET default_transaction_read_only = on"); !s.ok())
      return s;
  }
  return std::unique_ptr<Connection>(std::move(out));
}

}  // namespace sportello::storage::driver
