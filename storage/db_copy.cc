#include "storage/db_copy.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/pg_connection.h"
#include "storage/serve_lock.h"

namespace sportello::storage {
namespace {

// PostgreSQL allows at most this many parameters in one statement.
constexpr int kMaxParameters = 65535;

// "name" as an SQL identifier, valid on both engines.
std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out += '"';
}

core::Status Fail(const std::string& why) {
  return core::Status::Internal("db copy: " + why);
}

// `s` with "db copy: <context>" in front, its code kept.
core::Status Explained(const core::Status& s, const std::string& context) {
  std::string msg = "db copy: " + context + s.message();
  using Code = core::Status::Code;
  switch (s.code()) {
    case Code::kOk:
      return s;
    case Code::kInvalidArgument:
      return core::Status::InvalidArgument(std::move(msg));
    case Code::kNotFound:
      return core::Status::NotFound(std::move(msg));
    case Code::kAlreadyExists:
      return core::Status::AlreadyExists(std::move(msg));
    case Code::kUnavailable:
      return core::Status::Unavailable(std::move(msg));
    default:
      return core::Status::Internal(std::move(msg));
  }
}

struct SourceTable {
  std::string name;
  std::vector<std::string> columns;  // in the table's order
  std::vector<std::string> primary;  // primary key columns, in key order
  int64_t rows = 0;
  // AUTOINCREMENT's high-water mark (sqlite_sequence): ids up to it were
  // handed out, even if their rows are gone, and are never handed out again.
  std::optional<int64_t> last_id;
};

// A read transaction on the source, ended on destruction: one snapshot for
// every table even if a maintenance command commits meanwhile.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db), status_(db.Exec("BEGIN")) {}
  ~ReadSnapshot() {
    // Only reads happened: nothing to undo if even this fails.
    if (status_.ok()) (void)db_.Exec("ROLLBACK");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const core::Status& status() const { return status_; }

 private:
  Database& db_;
  core::Status status_;
};

// The source's tables with their columns and row counts, in creation order.
// Virtual tables and their shadow tables (FTS5's vacancies_fts_data...)
// are left out, and SQLite's own.
core::Result<std::vector<SourceTable>> ReadSourceTables(Database& src) {
  std::vector<SourceTable> tables;
  Statement list = src.Prepare(
      "SELECT m.name FROM sqlite_master m"
      " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
      " AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
      " AND NOT EXISTS (SELECT 1 FROM sqlite_master v"
      "   WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'"
      "   AND substr(m.name, 1, length(v.name) + 1) = v.name || '_')"
      " ORDER BY m.rowid");
  while (list.Step()) {
    SourceTable t;
    t.name = list.Text(0);
    tables.push_back(std::move(t));
  }
  if (!list.status().ok()) return list.status();
  for (SourceTable& t : tables) {
    Statement cols =
        src.Prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid");
    cols.Bind(1, t.name);
    std::vector<std::pair<int64_t, std::string>> keys;
    while (cols.Step()) {
      t.columns.push_back(cols.Text(0));
      if (cols.Int(1) > 0) keys.emplace_back(cols.Int(1), cols.Text(0));
    }
    if (!cols.status().ok()) return cols.status();
    std::sort(keys.begin(), keys.end());
    for (auto& k : keys) t.primary.push_back(std::move(k.second));
    Statement count = src.Prepare("SELECT count(*) FROM " + Quote(t.name));
    if (!count.Step()) return count.status();
    t.rows = count.Int(0);
  }
  Statement has_sequence = src.Prepare(
      "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (!has_sequence.Step()) return has_sequence.status();
  if (has_sequence.Int(0) > 0) {
    Statement seq = src.Prepare("SELECT name, seq FROM sqlite_sequence");
    while (seq.Step()) {
      for (SourceTable& t : tables) {
        if (t.name == seq.Text(0)) t.last_id = seq.Int(1);
      }
    }
    if (!seq.status().ok()) return seq.status();
  }
  return tables;
}

// Refuses a target holding our schema or any of the source's tables. Runs
// inside the copy's transaction, after the migration lock: a `migrate` or
// another copy cannot slip in between the check and the copy.
core::Status CheckTargetEmpty(Database& dst,
                              const std::vector<SourceTable>& tables) {
  Statement exists = dst.Prepare(
      "SELECT count(*) FROM information_schema.tables"
      " WHERE table_schema = current_schema() AND table_name = ?1");
  auto has = [&](const std::string& name) -> core::Result<bool> {
    exists.Reset();
    exists.Bind(1, name);
    if (!exists.Step()) return exists.status();
    return exists.Int(0) > 0;
  };
  auto version = has("schema_version");
  if (!version.ok()) return version.status();
  if (*version) {
    auto v = SchemaVersion(dst);
    return core::Status::AlreadyExists(
        "db copy: the target is not empty: it already has a Sportello schema "
        "(version " +
        (v.ok() ? std::to_string(*v) : std::string("unknown")) +
        "); db copy needs an empty database and creates the schema itself");
  }
  for (const SourceTable& t : tables) {
    auto found = has(t.name);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    Statement count = dst.Prepare("SELECT count(*) FROM " + Quote(t.name));
    const int64_t rows = count.Step() ? count.Int(0) : -1;
    return core::Status::AlreadyExists(
        "db copy: the target is not empty: it already has a table " + t.name +
        (rows >= 0 ? " (" + std::to_string(rows) + " rows)" : "") +
        "; db copy needs an empty database");
  }
  return core::Status::Ok();
}

struct TargetColumn {
  bool generated = false;
  bool identity = false;
};

core::Result<std::map<std::string, TargetColumn>> TargetColumns(
    Database& dst, const std::string& table) {
  Statement st = dst.Prepare(
      "SELECT column_name, is_generated, is_identity"
      " FROM information_schema.columns"
      " WHERE table_schema = current_schema() AND table_name = ?1");
  st.Bind(1, table);
  std::map<std::string, TargetColumn> out;
  while (st.Step()) {
    out[st.Text(0)] = {.generated = st.Text(1) == "ALWAYS",
                       .identity = st.Text(2) == "YES"};
  }
  if (!st.status().ok()) return st.status();
  return out;
}

// The tables in an order where every table comes after those its foreign
// keys (in the target, which enforces them) point to; otherwise as in the
// source.
core::Result<std::vector<SourceTable>> ParentsFirst(
    Database& dst, std::vector<SourceTable> tables) {
  Statement st = dst.Prepare(
      "SELECT child.relname, parent.relname FROM pg_constraint c"
      " JOIN pg_class child ON child.oid = c.conrelid"
      " JOIN pg_class parent ON parent.oid = c.confrelid"
      " WHERE c.contype = 'f'"
      " AND child.relnamespace = current_schema()::regnamespace");
  std::map<std::string, std::set<std::string>> parents;
  while (st.Step()) {
    if (st.Text(0) != st.Text(1)) parents[st.Text(0)].insert(st.Text(1));
  }
  if (!st.status().ok()) return st.status();
  std::set<std::string> names;
  for (const SourceTable& t : tables) names.insert(t.name);
  std::vector<SourceTable> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const auto& t) {
      for (const std::string& p : parents[t.name]) {
        if (names.count(p) && !placed.count(p)) return false;
      }
      return true;
    });
    if (ready == tables.end()) {
      return Fail("the foreign keys between " + tables.front().name +
                  " and other tables form a cycle");
    }
    placed.insert(ready->name);
    ordered.push_back(std::move(*ready));
    tables.erase(ready);
  }
  return ordered;
}

// "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4)" for `rows` rows.
std::string InsertSql(const SourceTable& t, bool overriding, int rows) {
  std::string sql = "INSERT INTO " + Quote(t.name) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += Quote(t.columns[i]);
  }
  sql += ")";
  // Ids are kept: an identity column that is GENERATED ALWAYS would
  // refuse them without this.
  if (overriding) sql += " OVERRIDING SYSTEM VALUE";
  sql += " VALUES ";
  int param = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r > 0 ? ", (" : "(";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += '?';
      sql += std::to_string(++param);
    }
    sql += ')';
  }
  return sql;
}

// Copies one table's rows; returns how many were inserted.
core::Result<int64_t> CopyRows(Database& src, Database& dst,
                               const SourceTable& t, bool overriding,
                               int batch_rows) {
  const int width = static_cast<int>(t.columns.size());
  const int per_statement =
      std::max(1, std::min(batch_rows, kMaxParameters / std::max(1, width)));
  std::string select = "SELECT ";
  for (int i = 0; i < width; ++i) {
    if (i > 0) select += ", ";
    select += Quote(t.columns[static_cast<size_t>(i)]);
  }
  select += " FROM " + Quote(t.name);
  // Key order: rows go in as they were made (and an index is built in
  // order), whatever order SQLite's pages happen to be in.
  for (size_t i = 0; i < t.primary.size(); ++i)
    select += (i == 0 ? " ORDER BY " : ", ") + Quote(t.primary[i]);
  Statement read = src.Prepare(select);

  const std::string full_sql = InsertSql(t, overriding, per_statement);
  int64_t inserted = 0;
  // One batch: values of up to per_statement rows, bound when full.
  std::vector<std::optional<std::string>> values;
  values.reserve(static_cast<size_t>(per_statement * width));
  auto flush = [&]() -> core::Status {
    const int rows = static_cast<int>(values.size()) / width;
    if (rows == 0) return core::Status::Ok();
    std::optional<Statement> tail;
    Statement* insert = nullptr;
    if (rows == per_statement) {
      insert = &dst.Cached(full_sql);
    } else {
      tail.emplace(dst.Prepare(InsertSql(t, overriding, rows)));
      insert = &*tail;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (values[i]) {
        insert->Bind(index, *values[i]);
      } else {
        insert->Bind(index, std::nullopt);
      }
    }
    if (auto s = insert->Run(); !s.ok()) {
      return core::Status::Internal("db copy: table " + t.name + ": " +
                                    s.message());
    }
    inserted += rows;
    values.clear();
    return core::Status::Ok();
  };
  while (read.Step()) {
    for (int i = 0; i < width; ++i) {
      if (read.IsNull(i)) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(read.Text(i));
      }
    }
    if (static_cast<int>(values.size()) == per_statement * width) {
      if (auto s = flush(); !s.ok()) return s;
    }
  }
  if (!read.status().ok()) {
    return core::Status::Internal("db copy: reading " + t.name + ": " +
                                  read.status().message());
  }
  if (auto s = flush(); !s.ok()) return s;
  return inserted;
}

}  // namespace

core::Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                              const std::string& postgres_uri,
                                              CopyOptions options) {
  const auto started = std::chrono::steady_clock::now();
  if (pg::IsPostgresUri(sqlite_path)) {
    return core::Status::InvalidArgument(
        "db copy: SPORTELLO_DB is already PostgreSQL (" +
        pg::RedactUri(sqlite_path) +
        "); db copy copies a SQLite file into PostgreSQL");
  }
  if (!pg::IsPostgresUri(postgres_uri)) {
    // Not echoed: whatever it is, it may hold a password.
    return core::Status::InvalidArgument(
        "db copy: --to must be a PostgreSQL URI (postgresql://... or "
        "postgres://...)");
  }
  std::error_code ec;
  if (sqlite_path.empty() || !std::filesystem::is_regular_file(sqlite_path, ec))
    return core::Status::NotFound("db copy: no SQLite database at '" +
                                  sqlite_path + "'");

  // Held to the end: a `serve` started meanwhile refuses to start, since
  // what it wrote to the file would not reach PostgreSQL.
  auto lock = ServeLock::Acquire(sqlite_path);
  if (!lock.ok()) return Explained(lock.status(), "");

  OpenOptions read_only;
  read_only.read_only = true;
  auto src = Database::Open(sqlite_path, read_only);
  if (!src.ok()) {
    return core::Status::InvalidArgument("db copy: cannot open '" +
                                         sqlite_path +
                                         "': " + src.status().message());
  }
  ReadSnapshot snapshot(**src);
  if (!snapshot.status().ok()) return snapshot.status();
  auto version = SchemaVersion(**src);
  if (!version.ok()) return version.status();
  const int latest = LatestSchemaVersion();
  if (*version != latest) {
    return core::Status::InvalidArgument(
        "db copy: '" + sqlite_path + "' is at schema version " +
        std::to_string(*version) + ", this sportello's is " +
        std::to_string(latest) +
        (*version < latest ? ": run `sportello migrate` on it first"
                           : ": copy it with a newer sportello"));
  }
  auto tables = ReadSourceTables(**src);
  if (!tables.ok()) return tables.status();

  auto dst = Database::Open(postgres_uri);
  if (!dst.ok()) {
    return Explained(dst.status(), "");
  }
  Database& target = **dst;
  Transaction txn(target);
  if (!txn.status().ok()) return txn.status();
  // Under the migrations' lock to the end: for every other migrator (a
  // `migrate`, another copy) the emptiness check and the copy are one step.
  if (auto s = LockMigrations(target); !s.ok()) return s;
  if (auto s = CheckTargetEmpty(target, *tables); !s.ok()) return s;
  if (auto s = MigrateInTransaction(target, latest); !s.ok()) {
    return core::Status::Internal("db copy: creating the schema: " +
                                  s.message());
  }
  auto ordered = ParentsFirst(target, std::move(*tables));
  if (!ordered.ok()) return ordered.status();

  // The migrations seed some tables (the services offered); the source has
  // its own rows for them, perhaps edited. Children first.
  for (auto t = ordered->rbegin(); t != ordered->rend(); ++t) {
    if (auto s = target.Exec("DELETE FROM " + Quote(t->name)); !s.ok())
      return Fail("emptying " + t->name + ": " + s.message());
  }

  CopyReport report;
  report.schema_version = latest;
  const auto copy_started = std::chrono::steady_clock::now();
  for (const SourceTable& t : *ordered) {
    auto columns = TargetColumns(target, t.name);
    if (!columns.ok()) return columns.status();
    if (columns->empty()) {
      return Fail("the target has no table " + t.name);
    }
    bool overriding = false;
    for (const std::string& c : t.columns) {
      auto it = columns->find(c);
      if (it == columns->end())
        return Fail("the target's table " + t.name + " has no column " + c);
      if (it->second.generated) {
        return Fail("the target's column " + t.name + "." + c +
                    " is generated and cannot take the source's values");
      }
      overriding = overriding || it->second.identity;
    }
    auto inserted = CopyRows(**src, target, t, overriding, options.batch_rows);
    if (!inserted.ok()) return inserted.status();

    // The next id PostgreSQL hands out comes after the ids copied, and
    // after those AUTOINCREMENT handed out for rows since deleted.
    for (const auto& [name, column] : *columns) {
      if (!column.identity) continue;
      Statement setval = target.Prepare(
          "SELECT setval(pg_get_serial_sequence(?1, ?2), m) FROM"
          " (SELECT GREATEST(max(" +
          Quote(name) + "), CAST(?3 AS BIGINT)) AS m FROM " + Quote(t.name) +
          ") x WHERE m IS NOT NULL");
      setval.Bind(1, Quote(t.name)).Bind(2, name).Bind(3, t.last_id);
      if (auto s = setval.Run(); !s.ok())
        return Fail("sequence of " + t.name + "." + name + ": " + s.message());
    }

    Statement count = target.Prepare("SELECT count(*) FROM " + Quote(t.name));
    if (!count.Step()) return count.status();
    TableCopy copied{
        .table = t.name, .source_rows = t.rows, .target_rows = count.Int(0)};
    if (copied.target_rows != copied.source_rows || *inserted != t.rows) {
      return Fail("table " + t.name + ": " +
                  std::to_string(copied.source_rows) + " rows in the source, " +
                  std::to_string(copied.target_rows) +
                  " in the target: nothing copied");
    }
    report.rows += copied.target_rows;
    report.tables.push_back(std::move(copied));
  }
  if (auto s = txn.Commit(); !s.ok()) {
    return Explained(s, "commit: ");
  }
  const auto now = std::chrono::steady_clock::now();
  report.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
  report.copy_elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - copy_started);
  return report;
}

}  // namespace sportello::storage
