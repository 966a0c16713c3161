#include "storage/serve_lock.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "tests/support/temp_dir.h"

namespace sportello::storage {
namespace {

TEST_CASE("one ServeLock per database file at a time") {
  support::TempDir dir;
  const std::string db = dir.File("sportello.db");
  auto first = ServeLock::Acquire(db);
  REQUIRE(first.ok());
  CHECK(first->path() == db + "-serve.lock");

  auto second = ServeLock::Acquire(db);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == core::Status::Code::kAlreadyExists);
  CHECK(second.status().message().find(db) != std::string::npos);

  SUBCASE("another database is free") {
    CHECK(ServeLock::Acquire(dir.File("other.db")).ok());
  }
  SUBCASE("released when the holder goes, also after a move") {
    std::optional<ServeLock> moved(std::move(*first));
    CHECK_FALSE(ServeLock::Acquire(db).ok());
    moved.reset();
    CHECK(ServeLock::Acquire(db).ok());
  }
}

TEST_CASE("in-memory databases need no lock") {
  auto a = ServeLock::Acquire(":memory:");
  auto b = ServeLock::Acquire(":memory:");
  CHECK(a.ok());
  CHECK(b.ok());
}

TEST_CASE("a folder that cannot hold the lock file is a clear error") {
  auto lock = ServeLock::Acquire("/nonexistent-dir/sportello.db");
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().message().find(
            "/nonexistent-dir/sportello.db-serve.lock") != std::string::npos);
}

}  // namespace
}  // namespace sportello::storage
