// Staff accounts, console sessions and failed logins.
#include "storage/staff.h"

#include <doctest/doctest.h>

#include <memory>

#include "storage/audit.h"
#include "storage/migrations.h"
#include "storage/notes.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

std::unique_ptr<Database> NewDb() {
  auto db = support::OpenTestDatabase();
  REQUIRE(db.ok());
  REQUIRE(Migrate(**db).ok());
  return std::move(*db);
}

TEST_CASE("a staff account is found by name with its role") {
  auto db = NewDb();
  auto id = AddStaff(*db, "anna", StaffRole::kAdmin, "scrypt$h", 5);
  REQUIRE(id.ok());

  auto found = FindStaff(*db, "anna");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == *id);
  CHECK((*found)->role == StaffRole::kAdmin);
  CHECK((*found)->password_hash == "scrypt$h");
  CHECK_FALSE((*found)->disabled);
  CHECK(FindStaff(*db, "nobody")->has_value() == false);
}

TEST_CASE("a staff name is taken once") {
  auto db = NewDb();
  REQUIRE(AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 0).ok());
  CHECK(AddStaff(*db, "anna", StaffRole::kAdmin, "h", 0).status().code() ==
        core::Status::Code::kAlreadyExists);
}

TEST_CASE("staff accounts are separate from chat users") {
  auto db = NewDb();
  REQUIRE(AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 0).ok());
  Statement st = db->Prepare("SELECT count(*) FROM users");
  REQUIRE(st.Step());
  CHECK(st.Int(0) == 0);
}

TEST_CASE("disabling an account ends its sessions") {
  auto db = NewDb();
  auto id = AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 0);
  REQUIRE(id.ok());
  REQUIRE(CreateSession(*db, "tokhash", *id, 10).ok());
  REQUIRE(FindSession(*db, "tokhash")->has_value());

  REQUIRE(DisableStaff(*db, "anna").ok());

  CHECK_FALSE(FindSession(*db, "tokhash")->has_value());
  CHECK((*FindStaff(*db, "anna"))->disabled);
  CHECK(DisableStaff(*db, "nobody").code() == core::Status::Code::kNotFound);
}

TEST_CASE(
    "a session is found by its token hash and remembers when it was "
    "last used") {
  auto db = NewDb();
  auto id = AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 0);
  REQUIRE(CreateSession(*db, "tokhash", *id, 10).ok());
  REQUIRE(TouchSession(*db, "tokhash", 50).ok());

  auto s = FindSession(*db, "tokhash");
  REQUIRE(s.ok());
  REQUIRE(s->has_value());
  CHECK((*s)->staff.username == "anna");
  CHECK((*s)->created_at == 10);
  CHECK((*s)->last_seen_at == 50);

  REQUIRE(DeleteSession(*db, "tokhash").ok());
  CHECK_FALSE(FindSession(*db, "tokhash")->has_value());
}

TEST_CASE("failed logins are counted per name within a time window") {
  auto db = NewDb();
  for (int64_t at : {100, 200, 300}) {
    REQUIRE(RecordLoginFailure(*db, "anna", at).ok());
  }
  REQUIRE(RecordLoginFailure(*db, "bruno", 250).ok());

  auto recent = RecentLoginFailures(*db, "anna", 150);
  REQUIRE(recent.ok());
  CHECK(recent->count == 2);
  CHECK(recent->oldest == 200);

  REQUIRE(ClearLoginFailures(*db, "anna").ok());
  CHECK(RecentLoginFailures(*db, "anna", 0)->count == 0);
  CHECK(RecentLoginFailures(*db, "bruno", 0)->count == 1);
}

TEST_CASE("pruning forgets old failures and idle sessions only") {
  auto db = NewDb();
  auto id = AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 0);
  REQUIRE(RecordLoginFailure(*db, "bruno", 100).ok());
  REQUIRE(RecordLoginFailure(*db, "bruno", 300).ok());
  REQUIRE(CreateSession(*db, "old", *id, 100).ok());
  REQUIRE(CreateSession(*db, "fresh", *id, 300).ok());

  REQUIRE(PruneStaffAuth(*db, 200, 200).ok());

  CHECK(RecentLoginFailures(*db, "bruno", 0)->count == 1);
  CHECK_FALSE(FindSession(*db, "old")->has_value());
  CHECK(FindSession(*db, "fresh")->has_value());
}

TEST_CASE("the audit log lists the newest entries first, in pages") {
  auto db = NewDb();
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(AppendAudit(*db,
                        {0, i * 10, "anna", "takeover", 7, 3, "", std::nullopt})
                .ok());
  }
  auto all = ListAudit(*db, 10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].at == 30);
  CHECK((*all)[0].conversation_id == 7);
  auto page = ListAudit(*db, 10, (*all)[1].id);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 1);
  CHECK((*page)[0].at == 10);
}

TEST_CASE("notes are kept per conversation, oldest first") {
  auto db = NewDb();
  REQUIRE(db->Exec("INSERT INTO users(id, channel, external_id, chat_id, "
                   "created_at) VALUES(1, 'web', 'u', 'u', 0);"
                   "INSERT INTO conversations(id, user_id, created_at, "
                   "updated_at) VALUES(1, 1, 0, 0)")
              .ok());
  REQUIRE(AddNote(*db, 1, "anna", "prima", 1).ok());
  REQUIRE(AddNote(*db, 1, "anna", "seconda", 2).ok());
  auto notes = ConversationNotes(*db, 1);
  REQUIRE(notes.ok());
  REQUIRE(notes->size() == 2);
  CHECK((*notes)[0].text == "prima");
  CHECK((*notes)[1].author == "anna");
}

}  // namespace
}  // namespace sportello::storage
