// Small named values kept across restarts (e.g. the Telegram polling offset).
#include "storage/settings.h"

#include <doctest/doctest.h>

#include <memory>

#include "storage/database.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using support::MigratedDb;

TEST_CASE("a setting never written reads as absent") {
  auto db = MigratedDb();
  auto v = GetSetting(*db, "telegram.offset");
  REQUIRE(v.ok());
  CHECK(*v == std::nullopt);
}

TEST_CASE("a setting reads back the last value written") {
  auto db = MigratedDb();
  REQUIRE(PutSetting(*db, "telegram.offset", "1000").ok());
  REQUIRE(PutSetting(*db, "telegram.offset", "1001").ok());
  REQUIRE(PutSetting(*db, "other", "").ok());

  auto offset = GetSetting(*db, "telegram.offset");
  REQUIRE(offset.ok());
  CHECK(*offset == "1001");
  auto other = GetSetting(*db, "other");
  REQUIRE(other.ok());
  CHECK(*other == "");  // empty is a value, not absence
}

}  // namespace
}  // namespace sportello::storage
