// The SQLite connection: statements that bind (never concatenate), status
// codes callers can act on, and transactions that roll back unless committed.
#include "storage/database.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/temp_dir.h"

namespace sportello::storage {
namespace {

using core::Status;

std::unique_ptr<Database> NewDb() {
  auto db = Database::OpenInMemory();
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, n "
                     "INTEGER, UNIQUE(a))")
              .ok());
  return std::move(*db);
}

int64_t CountRows(Database& db) {
  Statement st = db.Prepare("SELECT count(*) FROM t");
  REQUIRE(st.Step());
  return st.Int(0);
}

TEST_CASE("a transaction rolls back unless committed") {
  auto db = NewDb();
  SUBCASE("dropped without commit") {
    {
      Transaction txn(*db);
      REQUIRE(txn.status().ok());
      REQUIRE(db->Exec("INSERT INTO t(a) VALUES('x')").ok());
      CHECK(CountRows(*db) == 1);  // visible inside
    }
    CHECK(CountRows(*db) == 0);
  }
  SUBCASE("committed") {
    {
      Transaction txn(*db);
      REQUIRE(db->Exec("INSERT INTO t(a) VALUES('x')").ok());
      CHECK(txn.Commit().ok());
    }
    CHECK(CountRows(*db) == 1);
  }
}

TEST_CASE("a savepoint undoes only its own changes unless released") {
  auto db = NewDb();
  Transaction txn(*db);
  REQUIRE(db->Exec("INSERT INTO t(a) VALUES('before')").ok());
  SUBCASE("dropped: its rows go, the transaction's stay") {
    {
      Savepoint sp(*db);
      REQUIRE(sp.status().ok());
      REQUIRE(db->Exec("INSERT INTO t(a) VALUES('inside')").ok());
      CHECK(CountRows(*db) == 2);
    }
    CHECK(CountRows(*db) == 1);
  }
  SUBCASE("released: its rows stay") {
    {
      Savepoint sp(*db);
      REQUIRE(db->Exec("INSERT INTO t(a) VALUES('inside')").ok());
      CHECK(sp.Release().ok());
      CHECK(sp.Release().code() == Status::Code::kInternal);
    }
    CHECK(CountRows(*db) == 2);
  }
  SUBCASE("nested: dropping the inner one keeps the outer one's rows") {
    {
      Savepoint outer(*db);
      REQUIRE(db->Exec("INSERT INTO t(a) VALUES('outer')").ok());
      {
        Savepoint inner(*db);
        REQUIRE(inner.status().ok());
        REQUIRE(db->Exec("INSERT INTO t(a) VALUES('inner')").ok());
      }
      CHECK(CountRows(*db) == 2);
      CHECK(outer.Release().ok());
    }
    CHECK(CountRows(*db) == 2);
  }
  REQUIRE(txn.Commit().ok());
}

TEST_CASE("a transaction cannot be committed twice") {
  auto db = NewDb();
  Transaction txn(*db);
  REQUIRE(txn.Commit().ok());
  CHECK(txn.Commit().code() == Status::Code::kInternal);
}

TEST_CASE(
    "a transaction inside a transaction fails to begin and leaves the outer "
    "one alone") {
  auto db = NewDb();
  Transaction outer(*db);
  REQUIRE(outer.status().ok());
  REQUIRE(db->Exec("INSERT INTO t(a) VALUES('outer')").ok());
  {
    Transaction inner(*db);
    CHECK_FALSE(inner.status().ok());
    CHECK_FALSE(inner.Commit().ok());
  }  // must not roll back the outer transaction
  REQUIRE(outer.Commit().ok());
  CHECK(CountRows(*db) == 1);
}

TEST_CASE("text with NUL bytes and UTF-8 survives a round trip") {
  auto db = NewDb();
  const std::string texts[] = {
      std::string("a\0b\0", 4),
      "Ciao, cerco lavoro a Forlì 👋 — caffè",
      std::string(100'000, 'x'),
      "",
  };
  for (const std::string& text : texts) {
    CAPTURE(text.size());
    Statement ins = db->Prepare("INSERT INTO t(a) VALUES(?)");
    ins.Bind(1, text);
    REQUIRE(ins.Run().ok());
    Statement sel = db->Prepare("SELECT a FROM t WHERE id = ?");
    sel.Bind(1, db->LastInsertRowId());
    REQUIRE(sel.Step());
    CHECK(sel.Text(0) == text);
    CHECK_FALSE(sel.IsNull(0));
  }
}

TEST_CASE("integers keep all 64 bits and doubles their value") {
  auto db = NewDb();
  for (int64_t n : {std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min(),
                    int64_t{9'007'199'254'740'993}, int64_t{-1}}) {
    CAPTURE(n);
    Statement st = db->Prepare("SELECT ?, ?");
    st.Bind(1, n).Bind(2, 45.1107);
    REQUIRE(st.Step());
    CHECK(st.Int(0) == n);
    CHECK(st.Double(1) == 45.1107);
  }
}

TEST_CASE("an empty optional binds NULL and a full one its value") {
  auto db = NewDb();
  Statement st = db->Prepare("SELECT ?, ?, ?, ?");
  st.Bind(1, std::optional<int64_t>())
      .Bind(2, std::optional<std::string>())
      .Bind(3, std::optional<int64_t>(7))
      .Bind(4, std::optional<std::string>("sette"));
  REQUIRE(st.Step());
  CHECK(st.IsNull(0));
  CHECK(st.OptionalInt(0) == std::nullopt);
  CHECK(st.OptionalText(1) == std::nullopt);
  CHECK(st.OptionalInt(2) == 7);
  CHECK(st.OptionalText(3) == "sette");
}

TEST_CASE("a parameter is data and never SQL") {
  auto db = NewDb();
  const std::string hostile = "x'); DROP TABLE t; --";
  Statement ins = db->Prepare("INSERT INTO t(a) VALUES(?)");
  ins.Bind(1, hostile);
  REQUIRE(ins.Run().ok());
  Statement sel = db->Prepare("SELECT a FROM t");
  REQUIRE(sel.Step());
  CHECK(sel.Text(0) == hostile);
}

TEST_CASE("a constraint violation is AlreadyExists") {
  auto db = NewDb();
  REQUIRE(db->Exec("INSERT INTO t(a) VALUES('once')").ok());
  Statement again = db->Prepare("INSERT INTO t(a) VALUES(?)");
  again.Bind(1, "once");
  const Status s = again.Run();
  CHECK(s.code() == Status::Code::kAlreadyExists);
  CHECK(s.message().find("UNIQUE") != std::string::npos);
  CHECK(CountRows(*db) == 1);
}

TEST_CASE(
    "a cached statement is prepared once and comes back reset without "
    "bindings") {
  auto db = NewDb();
  REQUIRE(
      db->Exec("INSERT INTO t(a, n) VALUES('a', 1), ('b', 2), ('c', 3)").ok());
  const char* sql = "SELECT count(*) FROM t WHERE n >= coalesce(?, 0)";

  Statement& first = db->Cached(sql);
  first.Bind(1, 2);
  REQUIRE(first.Step());
  CHECK(first.Int(0) == 2);

  Statement& second = db->Cached(sql);
  CHECK(&second == &first);
  REQUIRE(second.Step());
  CHECK(second.Int(0) == 3);  // the old binding is gone: NULL -> 0
}

TEST_CASE("a cached statement left half-way is reset by the next use") {
  auto db = NewDb();
  REQUIRE(db->Exec("INSERT INTO t(a) VALUES('a'), ('b'), ('c')").ok());
  const char* sql = "SELECT a FROM t ORDER BY id";
  Statement& st = db->Cached(sql);
  REQUIRE(st.Step());
  CHECK(st.Text(0) == "a");  // abandoned after the first row

  Statement& again = db->Cached(sql);
  REQUIRE(again.Step());
  CHECK(again.Text(0) == "a");
}

TEST_CASE("a bad SQL statement reports Internal and does not crash") {
  auto db = NewDb();
  SUBCASE("syntax error") {
    Statement st = db->Prepare("SELEC nothing");
    st.Bind(1, 5).Bind(2, "x").Bind(3, std::nullopt);
    CHECK_FALSE(st.Step());
    CHECK(st.status().code() == Status::Code::kInternal);
    st.Reset();
    CHECK(st.Run().code() == Status::Code::kInternal);  // stays bad
  }
  SUBCASE("missing table") {
    const Status s = db->Prepare("SELECT * FROM nowhere").Run();
    CHECK(s.code() == Status::Code::kInternal);
    CHECK(s.message().find("nowhere") != std::string::npos);
  }
  SUBCASE("cached") {
    CHECK(db->Cached("INSERT INTO nowhere VALUES(1)").Run().code() ==
          Status::Code::kInternal);
    CHECK(db->Cached("INSERT INTO nowhere VALUES(1)").Run().code() ==
          Status::Code::kInternal);
  }
  SUBCASE("exec") {
    CHECK(db->Exec("CREATE TABLE (").code() == Status::Code::kInternal);
  }
}

TEST_CASE("changes and the last row id describe the latest write") {
  auto db = NewDb();
  REQUIRE(db->Exec("INSERT INTO t(a) VALUES('a'), ('b')").ok());
  CHECK(db->Changes() == 2);
  CHECK(db->LastInsertRowId() == 2);
  REQUIRE(db->Exec("UPDATE t SET n = 1 WHERE a = 'zzz'").ok());
  CHECK(db->Changes() == 0);
}

TEST_CASE("a database file runs in WAL mode with foreign keys on") {
  support::TempDir dir;
  SUBCASE("synchronous FULL by default") {
    auto db = Database::Open(dir.File("a.db"));
    REQUIRE(db.ok());
    Statement mode = (*db)->Prepare("PRAGMA journal_mode");
    REQUIRE(mode.Step());
    CHECK(mode.Text(0) == "wal");
    Statement sync = (*db)->Prepare("PRAGMA synchronous");
    REQUIRE(sync.Step());
    CHECK(sync.Int(0) == 2);
    Statement fk = (*db)->Prepare("PRAGMA foreign_keys");
    REQUIRE(fk.Step());
    CHECK(fk.Int(0) == 1);
    CHECK((*db)->path() == dir.File("a.db"));
  }
  SUBCASE("synchronous NORMAL when asked") {
    OpenOptions options;
    options.synchronous_full = false;
    auto db = Database::Open(dir.File("b.db"), options);
    REQUIRE(db.ok());
    Statement sync = (*db)->Prepare("PRAGMA synchronous");
    REQUIRE(sync.Step());
    CHECK(sync.Int(0) == 1);
  }
}

TEST_CASE("a database in a missing directory cannot be opened") {
  auto db = Database::Open("/nonexistent-sportello-dir/x/sportello.db");
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kUnavailable);
  CHECK(db.status().message().find("/nonexistent-sportello-dir") !=
        std::string::npos);
}

TEST_CASE("a file that is not a database is refused") {
  support::TempDir dir;
  const std::string path = dir.File("notes.txt");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(
        "SPORTELLO_DB=./sportello.db\nthis is a config file, not a database\n",
        f);
    std::fclose(f);
  }
  auto db = Database::Open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message().find("not a database") != std::string::npos);
}

TEST_CASE("a read-only connection cannot write") {
  support::TempDir dir;
  const std::string path = dir.File("ro.db");
  auto writer = Database::Open(path);
  REQUIRE(writer.ok());
  REQUIRE((*writer)
              ->Exec("CREATE TABLE t (a TEXT); INSERT INTO t VALUES('x')")
              .ok());
  OpenOptions options;
  options.read_only = true;
  auto reader = Database::Open(path, options);
  REQUIRE(reader.ok());

  Statement sel = (*reader)->Prepare("SELECT a FROM t");
  REQUIRE(sel.Step());
  CHECK(sel.Text(0) == "x");
  CHECK((*reader)->Exec("INSERT INTO t VALUES('y')").code() ==
        Status::Code::kUnavailable);
}

}  // namespace
}  // namespace sportello::storage
