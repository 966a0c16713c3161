// Profiles: answers by question, the age band given with consent, consent
// and notices on users, and what privacy needs: counting what is stored
// about a person and erasing it.
#include "storage/profiles.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/appointments.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/inbox.h"
#include "storage/messages.h"
#include "storage/outbox.h"
#include "storage/users.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = 1'795'000'000'000;

using support::MigratedDb;

int64_t NewUser(Database& db, const std::string& id,
                const std::string& name = "Giulia") {
  return support::NewUser(db, id, "telegram", name, kNow);
}

int64_t Count(Database& db, const std::string& sql) {
  Statement st = db.Prepare(sql);
  REQUIRE(st.Step());
  return st.Int(0);
}

Profile Find(Database& db, int64_t user) {
  auto p = FindProfile(db, user);
  REQUIRE(p.ok());
  REQUIRE(p->has_value());
  return **p;
}

TEST_CASE("a person without answers has no profile") {
  auto db = MigratedDb();
  auto p = FindProfile(*db, NewUser(*db, "1"));
  REQUIRE(p.ok());
  CHECK_FALSE(p->has_value());
}

TEST_CASE(
    "the first answer creates the profile and answers read back by question") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(SaveAnswer(*db, user, "comune", "Bari", kNow).ok());
  REQUIRE(SaveAnswer(*db, user, "languages", "inglese,francese", kNow).ok());
  REQUIRE(SaveAnswer(*db, user, "name", "", kNow).ok());  // skipped
  const Profile p = Find(*db, user);
  CHECK(p.user_id == user);
  CHECK(p.answers ==
        std::map<std::string, std::string>{{"comune", "Bari"},
                                           {"languages", "inglese,francese"},
                                           {"name", ""}});
  CHECK(p.created_at == kNow);
  CHECK_FALSE(p.age_band.has_value());
  CHECK_FALSE(p.completed_at.has_value());
}

TEST_CASE("answering again replaces the answer") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(SaveAnswer(*db, user, "comune", "Bari", kNow).ok());
  REQUIRE(SaveAnswer(*db, user, "comune", "Molfetta", kNow + 1).ok());
  CHECK(Find(*db, user).answers.at("comune") == "Molfetta");
  CHECK(Count(*db, "SELECT count(*) FROM profile_answers") == 1);
  REQUIRE(DeleteAnswer(*db, user, "comune", kNow + 2).ok());
  CHECK(Find(*db, user).answers.empty());
}

TEST_CASE("the age band is one of four and never under 14") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(SetAgeBand(*db, user, "16_29", kNow).ok());
  CHECK(Find(*db, user).age_band == "16_29");
  CHECK(SetAgeBand(*db, user, "u14", kNow).code() ==
        Status::Code::kInvalidArgument);
  CHECK(SetAgeBand(*db, user, "", kNow).code() ==
        Status::Code::kInvalidArgument);
  CHECK(Find(*db, user).age_band == "16_29");
}

TEST_CASE("completion keeps the first time") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(MarkProfileCompleted(*db, user, kNow).ok());
  REQUIRE(MarkProfileCompleted(*db, user, kNow + 5000).ok());
  CHECK(Find(*db, user).completed_at == kNow);
}

TEST_CASE("consent is recorded with the notice's version and the time") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(RecordConsent(*db, user, "2026-11", kNow).ok());
  auto u = FindUserById(*db, user);
  REQUIRE(u.ok());
  CHECK((*u)->consent_version == "2026-11");
  CHECK((*u)->consent_at == kNow);
  CHECK(RecordConsent(*db, user, "", kNow).code() ==
        Status::Code::kInvalidArgument);
  CHECK(RecordConsent(*db, 999, "2026-11", kNow).code() ==
        Status::Code::kNotFound);
}

TEST_CASE("notices are switched on and off") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  REQUIRE(SetNotify(*db, user, true).ok());
  CHECK((*FindUserById(*db, user))->notify);
  REQUIRE(SetNotify(*db, user, false).ok());
  CHECK_FALSE((*FindUserById(*db, user))->notify);
  CHECK(SetNotify(*db, 999, true).code() == Status::Code::kNotFound);
}

// A user with a conversation of two messages in and one out, a processed
// inbox row, a sent and a pending outbox row, a booking and a profile.
struct Stored {
  int64_t user = 0;
  int64_t other = 0;
  int64_t conversation = 0;
};

Stored StoreEverything(Database& db) {
  Stored s;
  s.user = NewUser(db, "1");
  s.other = NewUser(db, "2", "Marco");
  s.conversation = GetOrCreateConversation(db, s.user, kNow).value().id;
  const int64_t other_conversation =
      GetOrCreateConversation(db, s.other, kNow).value().id;
  for (const auto& [conversation, direction, text] :
       {std::tuple{s.conversation, "in", "sono Giulia di Bari"},
        std::tuple{s.conversation, "in", "2004"},
        std::tuple{s.conversation, "out", "Ciao Giulia!"},
        std::tuple{other_conversation, "in", "sono Marco"}}) {
    NewMessage m;
    m.conversation_id = conversation;
    m.direction = direction;
    m.author = std::string(direction) == "in" ? "user" : "bot";
    m.kind = "text";
    m.text = text;
    REQUIRE(InsertMessage(db, m, kNow).ok());
  }
  NewInboxItem in{
      "telegram",     "tg:1", "message", "1", R"({"text":"sono Giulia"})",
      "{raw Giulia}", true,   ""};
  REQUIRE(InsertInbox(db, in, kNow).ok());
  for (const char* state : {"sent", "pending"}) {
    NewOutboxRow row;
    row.channel = "telegram";
    row.chat_id = "1";
    row.user_id = s.user;
    row.kind = "text";
    row.payload = R"({"text":"Ciao Giulia!"})";
    row.due_at = kNow;
    auto id = EnqueueOutbox(db, row, kNow);
    REQUIRE(id.ok());
    Statement st = db.Prepare("UPDATE outbox SET state = ? WHERE id = ?");
    st.Bind(1, state).Bind(2, *id);
    REQUIRE(st.Run().ok());
  }
  NewSlot slot;
  slot.counsellor = "anna";
  slot.starts_at = kNow - 3'600'000;
  slot.minutes = 30;
  slot.place = "Via Petroni";
  const int64_t slot_id = AddSlot(db, slot, kNow - 7 * 86'400'000LL).value();
  REQUIRE(InsertBooking(db, slot_id, s.user, "orientamento", kNow - 86'400'000)
              .ok());
  REQUIRE(SetAgeBand(db, s.user, "16_29", kNow).ok());
  REQUIRE(SaveAnswer(db, s.user, "name", "Giulia", kNow).ok());
  REQUIRE(RecordConsent(db, s.user, "2026-11", kNow).ok());
  REQUIRE(SetNotify(db, s.user, true).ok());
  return s;
}

TEST_CASE("what is stored about a person is counted") {
  auto db = MigratedDb();
  const Stored s = StoreEverything(*db);
  auto c = CountStoredData(*db, s.user);
  REQUIRE(c.ok());
  CHECK(c->messages_from_user == 2);
  CHECK(c->messages_to_user == 1);
  CHECK(c->messages_erased == 0);
  CHECK(c->bookings == 1);
  CHECK(c->vacancy_interests == 0);
}

TEST_CASE("erasure leaves nothing personal and touches no one else") {
  auto db = MigratedDb();
  const Stored s = StoreEverything(*db);
  auto e = ErasePersonalData(*db, s.user, kNow + 1);
  REQUIRE(e.ok());
  CHECK(e->profile);
  CHECK(e->messages == 3);
  CHECK(e->bookings == 1);

  CHECK_FALSE(FindProfile(*db, s.user)->has_value());
  CHECK(Count(*db, "SELECT count(*) FROM profile_answers") == 0);
  const User u = **FindUserById(*db, s.user);
  CHECK(u.name.empty());
  CHECK_FALSE(u.consent_version.has_value());
  CHECK_FALSE(u.consent_at.has_value());
  CHECK_FALSE(u.notify);
  CHECK(u.chat_id == "1");  // still reachable, to be told
  CHECK(Count(*db,
              "SELECT count(*) FROM messages WHERE text LIKE '%Giulia%' OR "
              "text = '2004'") == 0);
  CHECK(
      Count(*db, "SELECT count(*) FROM messages WHERE text = '[cancellato]'") ==
      3);
  CHECK(Count(*db,
              "SELECT count(*) FROM inbox WHERE payload LIKE '%Giulia%' OR raw "
              "LIKE '%Giulia%'") == 0);
  CHECK(Count(*db, "SELECT count(*) FROM inbox") == 1);  // the dedupe key stays
  CHECK(Count(*db, "SELECT count(*) FROM outbox WHERE state = 'sent'") == 0);
  CHECK(Count(*db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM bookings WHERE user_id IS NULL") == 1);

  // Someone else's data is untouched.
  CHECK(Count(*db, "SELECT count(*) FROM messages WHERE text = 'sono Marco'") ==
        1);
  CHECK((*FindUserById(*db, s.other))->name == "Marco");

  auto c = CountStoredData(*db, s.user);
  REQUIRE(c.ok());
  CHECK(c->messages_from_user == 0);
  CHECK(c->messages_erased == 3);
  CHECK(c->bookings == 0);

  SUBCASE("erasing twice changes nothing more") {
    auto again = ErasePersonalData(*db, s.user, kNow + 2);
    REQUIRE(again.ok());
    CHECK_FALSE(again->profile);
    CHECK(again->messages == 0);
  }
}

}  // namespace
}  // namespace sportello::storage
