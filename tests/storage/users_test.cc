// People who write to us: one row per channel identity, kept current by each
// inbound message.
#include "storage/users.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/database.h"
#include "storage/migrations.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;

std::unique_ptr<Database> MigratedDb() {
  auto db = support::OpenTestDatabase();
  REQUIRE(db.ok());
  REQUIRE(Migrate(**db).ok());
  return std::move(*db);
}

User Upsert(Database& db, std::string_view external_id, std::string_view name,
            int64_t now, std::string_view channel = "telegram",
            std::string_view chat_id = {}) {
  auto u =
      UpsertUserOnInbound(db, channel, external_id,
                          chat_id.empty() ? external_id : chat_id, name, now);
  REQUIRE(u.ok());
  return std::move(*u);
}

int64_t CountUsers(Database& db) {
  Statement st = db.Prepare("SELECT count(*) FROM users");
  REQUIRE(st.Step());
  return st.Int(0);
}

TEST_CASE("the first message creates the user with defaults") {
  auto db = MigratedDb();
  const User u = Upsert(*db, "5012345678", "Giulia", kNow);
  CHECK(u.id > 0);
  CHECK(u.channel == "telegram");
  CHECK(u.external_id == "5012345678");
  CHECK(u.chat_id == "5012345678");
  CHECK(u.name == "Giulia");
  CHECK(u.language.empty());
  CHECK_FALSE(u.blocked);
  CHECK_FALSE(u.unreachable);
  CHECK_FALSE(u.notify);
  CHECK(u.consent_version == std::nullopt);
  CHECK(u.consent_at == std::nullopt);
  CHECK(u.created_at == kNow);
  CHECK(u.last_inbound_at == kNow);
}

TEST_CASE("a person writing again is the same user") {
  auto db = MigratedDb();
  const User first = Upsert(*db, "42", "Marco", kNow);
  const User second = Upsert(*db, "42", "Marco", kNow + 60'000);
  CHECK(second.id == first.id);
  CHECK(second.created_at == kNow);
  CHECK(second.last_inbound_at == kNow + 60'000);
  CHECK(CountUsers(*db) == 1);
}

TEST_CASE("the same external id on another channel is another user") {
  auto db = MigratedDb();
  const User tg = Upsert(*db, "393331234567", "", kNow, "telegram");
  const User wa = Upsert(*db, "393331234567", "", kNow, "whatsapp");
  CHECK(tg.id != wa.id);
  CHECK(CountUsers(*db) == 2);
}

TEST_CASE("the last inbound time never moves backwards") {
  auto db = MigratedDb();
  Upsert(*db, "42", "", kNow + 10'000);
  // A redelivered or late-processed older message.
  const User u = Upsert(*db, "42", "", kNow);
  CHECK(u.last_inbound_at == kNow + 10'000);
}

TEST_CASE(
    "a message without a name keeps the stored name and a new name replaces "
    "it") {
  auto db = MigratedDb();
  Upsert(*db, "42", "Anna", kNow);
  CHECK(Upsert(*db, "42", "", kNow + 1).name == "Anna");
  CHECK(Upsert(*db, "42", "Anna Maria", kNow + 2).name == "Anna Maria");
}

TEST_CASE("the chat id follows the latest message") {
  auto db = MigratedDb();
  Upsert(*db, "u1", "", kNow, "web", "chat-a");
  const User u = Upsert(*db, "u1", "", kNow + 1, "web", "chat-b");
  CHECK(u.chat_id == "chat-b");
}

TEST_CASE("a person who writes again is reachable again") {
  auto db = MigratedDb();
  const User u = Upsert(*db, "42", "", kNow);
  REQUIRE(SetUserBlocked(*db, u.id, true).ok());
  REQUIRE(SetUserUnreachable(*db, u.id, true).ok());
  auto stored = FindUserById(*db, u.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->blocked);
  CHECK((*stored)->unreachable);

  const User again = Upsert(*db, "42", "", kNow + 1);

  CHECK_FALSE(again.blocked);
  CHECK_FALSE(again.unreachable);
}

TEST_CASE("flags and language are set per user") {
  auto db = MigratedDb();
  const User a = Upsert(*db, "1", "", kNow);
  const User b = Upsert(*db, "2", "", kNow);
  REQUIRE(SetUserBlocked(*db, a.id, true).ok());
  REQUIRE(SetUserLanguage(*db, a.id, "en").ok());

  auto fa = FindUserById(*db, a.id);
  auto fb = FindUserById(*db, b.id);
  REQUIRE(fa.ok());
  REQUIRE(fb.ok());
  CHECK((*fa)->blocked);
  CHECK((*fa)->language == "en");
  CHECK_FALSE((*fb)->blocked);
  CHECK((*fb)->language.empty());

  REQUIRE(SetUserBlocked(*db, a.id, false).ok());
  CHECK_FALSE((*FindUserById(*db, a.id))->blocked);
}

TEST_CASE("a user is found by identity by id and by chat") {
  auto db = MigratedDb();
  const User u =
      Upsert(*db, "user-7", "Luca", kNow, "whatsapp", "393339999999");

  auto by_identity = FindUser(*db, "whatsapp", "user-7");
  auto by_id = FindUserById(*db, u.id);
  auto by_chat = FindUserByChat(*db, "whatsapp", "393339999999");

  for (const auto* found : {&by_identity, &by_id, &by_chat}) {
    REQUIRE(found->ok());
    REQUIRE((*found)->has_value());
    CHECK((**found)->id == u.id);
    CHECK((**found)->name == "Luca");
  }
}

TEST_CASE("looking up someone unknown gives no user and no error") {
  auto db = MigratedDb();
  Upsert(*db, "42", "", kNow, "telegram");
  SUBCASE("by identity on another channel") {
    auto r = FindUser(*db, "whatsapp", "42");
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
  SUBCASE("by id") {
    auto r = FindUserById(*db, 999);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
  SUBCASE("by chat") {
    auto r = FindUserByChat(*db, "telegram", "43");
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
}

}  // namespace
}  // namespace sportello::storage
