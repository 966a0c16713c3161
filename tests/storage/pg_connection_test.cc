#include "storage/pg_connection.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/support/have_postgres.h"
#include "tests/support/temp_dir.h"

namespace sportello::storage::pg {
namespace {

// The throw-away cluster scripts/test starts (scripts/pg-cluster), or "" when
// the suite runs without one.
std::string TestUri() {
  const char* uri = std::getenv("SPORTELLO_TEST_PG");
  return uri != nullptr ? uri : "";
}

TEST_CASE("a PostgreSQL URI is told from a SQLite path") {
  CHECK(IsPostgresUri("postgresql://u@h/db"));
  CHECK(IsPostgresUri("postgres://h/db"));
  CHECK_FALSE(IsPostgresUri("./sportello.db"));
  CHECK_FALSE(IsPostgresUri("/var/lib/sportello/postgresql.db"));
  CHECK_FALSE(IsPostgresUri("file:postgresql://x"));
}

TEST_CASE("a URI's password never survives redaction") {
  CHECK(RedactUri("postgresql://anna:s3cret@db.example:5432/sportello") ==
        "postgresql://anna:***@db.example:5432/sportello");
  CHECK(RedactUri("postgres://anna@db/sportello") ==
        "postgres://anna@db/sportello");
  CHECK(RedactUri("postgresql://db/sportello?user=a&password=s3cret&x=1") ==
        "postgresql://db/sportello?user=a&password=***&x=1");
  CHECK(RedactUri("postgresql://a:p%40ss@db") == "postgresql://a:***@db");
  CHECK(RedactUri("not a uri s3cret") == "postgresql://***");
}

TEST_CASE("a malformed URI is a clear error, without its password") {
  auto conn = Connection::Open("postgresql://a:s3cret@db:notaport/x");
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().message().find("s3cret") == std::string::npos);
}

// Statements, their parameters and their errors are the PostgreSQL engine's
// (postgres_driver.h): database_test runs on both engines for them.
TEST_CASE("a connection opens, knows its server and hides its password") {
  if (!support::HavePostgresCluster()) return;
  auto conn = Connection::Open(TestUri());
  REQUIRE_MESSAGE(conn.ok(), conn.status().message());
  CHECK((*conn)->Ok());
  CHECK((*conn)->ServerVersion() >= 150000);
  CHECK((*conn)->redacted_uri().find(":***@") != std::string::npos);
}

TEST_CASE("a wrong password is refused, and not repeated in the error") {
  if (!support::HavePostgresCluster()) return;
  std::string uri = TestUri();
  const size_t colon = uri.find(':', std::string("postgresql://").size());
  const size_t at = uri.find('@');
  REQUIRE(colon < at);
  uri.replace(colon + 1, at - colon - 1, "Wr0ngPassw0rd");
  auto conn = Connection::Open(uri);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == core::Status::Code::kUnavailable);
  CHECK(conn.status().message().find("Wr0ngPassw0rd") == std::string::npos);
  CHECK(conn.status().message().find("password authentication failed") !=
        std::string::npos);
}

TEST_CASE("a server nobody answers on fails fast") {
  const int port = support::FreePort();
  const auto start = std::chrono::steady_clock::now();
  auto conn = Connection::Open(
      "postgresql://u:s3cret@127.0.0.1:" + std::to_string(port) + "/db",
      std::chrono::seconds(3));
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == core::Status::Code::kUnavailable);
  CHECK(conn.status().message().find("s3cret") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

}  // namespace
}  // namespace sportello::storage::pg
