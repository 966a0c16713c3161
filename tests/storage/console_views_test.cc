// The counsellors' console reads: the queue with who wrote and what, taking
// a conversation over, the search over profiles, and the live stream of
// changes. The same answers on both engines, case rules included.
#include "storage/console_views.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/centres.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/messages.h"
#include "storage/migrations.h"
#include "storage/profiles.h"
#include "storage/users.h"
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

// A person on Telegram with their conversation; returns its id.
Conversation NewPerson(Database& db, const std::string& id,
                       const std::string& name) {
  auto u = UpsertUserOnInbound(db, "telegram", id, id, name, kNow);
  REQUIRE(u.ok());
  auto c = GetOrCreateConversation(db, u->id, kNow);
  REQUIRE(c.ok());
  return *c;
}

void Say(Database& db, int64_t conversation_id, const std::string& direction,
         const std::string& text) {
  NewMessage m;
  m.conversation_id = conversation_id;
  m.direction = direction;
  m.author = direction == "in" ? "user" : "bot";
  m.kind = "text";
  m.text = text;
  REQUIRE(InsertMessage(db, m, kNow).ok());
}

void Wait(Database& db, Conversation c, int64_t since) {
  c.mode = ConversationMode::kWaitingForHuman;
  c.waiting_since = since;
  REQUIRE(SaveConversation(db, c, since).ok());
}

TEST_CASE("the queue shows the longest waiting first, with their own words") {
  auto db = MigratedDb();
  const Conversation giulia = NewPerson(*db, "1", "Giulia T");
  const Conversation marco = NewPerson(*db, "2", "Marco");
  NewPerson(*db, "3", "Sara");  // talking to the bot: not in the queue
  Say(*db, giulia.id, "in", "Vorrei parlare con qualcuno");
  Say(*db, giulia.id, "in", std::string(150, 'a'));
  Say(*db, giulia.id, "out", "Ti metto in coda");
  Say(*db, marco.id, "in", "");  // a photo: no text
  REQUIRE(SaveAnswer(*db, giulia.user_id, "name", "Giulia", kNow).ok());
  Wait(*db, marco, kNow + 2);
  Wait(*db, giulia, kNow + 1);

  auto queue = ListConversationSummaries(
      *db, ConversationMode::kWaitingForHuman, CentreScope::Every(), 10);
  REQUIRE(queue.ok());
  REQUIRE(queue->size() == 2);
  const ConversationSummary& first = (*queue)[0];
  CHECK(first.conversation.id == giulia.id);
  CHECK(first.conversation.waiting_since == kNow + 1);
  CHECK(first.channel == "telegram");
  CHECK(first.user_name == "Giulia T");
  CHECK(first.profile_name == "Giulia");
  CHECK(first.preview == std::string(120, 'a'));
  const ConversationSummary& second = (*queue)[1];
  CHECK(second.conversation.id == marco.id);
  CHECK(second.profile_name.empty());
  CHECK(second.preview.empty());

  auto limited = ListConversationSummaries(
      *db, ConversationMode::kWaitingForHuman, CentreScope::Every(), 1);
  REQUIRE(limited.ok());
  CHECK(limited->size() == 1);
}

TEST_CASE("of two counsellors taking a conversation, the first keeps it") {
  auto db = MigratedDb();
  Conversation c = NewPerson(*db, "1", "Giulia");
  c.flow = "booking";
  c.step = "pick_slot";
  Wait(*db, c, kNow);

  auto anna = TakeOverConversation(*db, c.id, "anna", kNow + 1);
  REQUIRE(anna.ok());
  CHECK(*anna);
  auto bruno = TakeOverConversation(*db, c.id, "bruno", kNow + 2);
  REQUIRE(bruno.ok());
  CHECK_FALSE(*bruno);
  auto again = TakeOverConversation(*db, c.id, "anna", kNow + 3);
  REQUIRE(again.ok());
  CHECK(*again);

  auto taken = FindConversation(*db, c.id);
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK((*taken)->mode == ConversationMode::kHuman);
  CHECK((*taken)->assigned_to == "anna");
  CHECK_FALSE((*taken)->waiting_since.has_value());
  CHECK((*taken)->flow.empty());
  CHECK((*taken)->step.empty());

  auto none = TakeOverConversation(*db, c.id + 100, "anna", kNow);
  CHECK(none.status().code() == core::Status::Code::kNotFound);
}

TEST_CASE("profile search ignores case and takes % literally") {
  auto db = MigratedDb();
  const Conversation giulia = NewPerson(*db, "1", "giulia_tg");
  const Conversation marco = NewPerson(*db, "2", "Marco");
  REQUIRE(SaveAnswer(*db, giulia.user_id, "name", "Giulia", kNow).ok());
  REQUIRE(SaveAnswer(*db, giulia.user_id, "comune", "Molfetta", kNow).ok());
  REQUIRE(
      SaveAnswer(*db, giulia.user_id, "roles", "Aiuto Cuoco, cameriera", kNow)
          .ok());
  REQUIRE(
      SaveAnswer(*db, giulia.user_id, "note", "disponibile al 50%", kNow).ok());
  REQUIRE(SaveAnswer(*db, marco.user_id, "comune", "Bari", kNow + 1).ok());
  REQUIRE(
      SaveAnswer(*db, marco.user_id, "roles", "magazziniere", kNow + 1).ok());
  REQUIRE(SaveAnswer(*db, marco.user_id, "note", "500 km", kNow + 1).ok());

  auto everyone = SearchProfiles(*db, "", "", "", CentreScope::Every(), 10);
  REQUIRE(everyone.ok());
  REQUIRE(everyone->size() == 2);
  CHECK((*everyone)[0].user_id == marco.user_id);  // latest updated first
  CHECK((*everyone)[1].user_id == giulia.user_id);
  CHECK((*everyone)[1].name == "Giulia");  // the questionnaire's name
  CHECK((*everyone)[1].conversation_id == giulia.id);
  CHECK((*everyone)[1].comune == "Molfetta");
  CHECK((*everyone)[0].name == "Marco");  // no answer: the channel's name

  auto by_text =
      SearchProfiles(*db, "MOLFETTA", "", "", CentreScope::Every(), 10);
  REQUIRE(by_text.ok());
  REQUIRE(by_text->size() == 1);
  CHECK((*by_text)[0].user_id == giulia.user_id);

  auto by_comune =
      SearchProfiles(*db, "", "molfetta", "", CentreScope::Every(), 10);
  REQUIRE(by_comune.ok());
  REQUIRE(by_comune->size() == 1);
  CHECK((*by_comune)[0].user_id == giulia.user_id);
  auto part_of_comune =
      SearchProfiles(*db, "", "Molf", "", CentreScope::Every(), 10);
  REQUIRE(part_of_comune.ok());
  CHECK(part_of_comune->empty());  // the comune matches whole

  auto by_role = SearchProfiles(*db, "", "", "cuoco", CentreScope::Every(), 10);
  REQUIRE(by_role.ok());
  REQUIRE(by_role->size() == 1);
  CHECK((*by_role)[0].user_id == giulia.user_id);
  auto role_elsewhere =
      SearchProfiles(*db, "", "", "molfetta", CentreScope::Every(), 10);
  REQUIRE(role_elsewhere.ok());
  CHECK(role_elsewhere->empty());  // only the roles answer is looked at

  auto percent = SearchProfiles(*db, "50%", "", "", CentreScope::Every(), 10);
  REQUIRE(percent.ok());
  REQUIRE(percent->size() == 1);
  CHECK((*percent)[0].user_id == giulia.user_id);

  auto both =
      SearchProfiles(*db, "", "BARI", "cuoco", CentreScope::Every(), 10);
  REQUIRE(both.ok());
  CHECK(both->empty());  // every filter must match
}

TEST_CASE("the live stream announces only what changed after it started") {
  auto db = MigratedDb();
  Conversation giulia = NewPerson(*db, "1", "Giulia");
  const Conversation marco = NewPerson(*db, "2", "Marco");
  Say(*db, giulia.id, "in", "ciao");
  Wait(*db, giulia, kNow + 10);

  auto start = StartStream(*db, CentreScope::Every());
  REQUIRE(start.ok());
  CHECK(start->waiting == 1);
  CHECK(start->cursor.conversation_at == kNow + 10);

  auto nothing =
      MessagesAddedSince(*db, start->cursor, CentreScope::Every(), 10);
  REQUIRE(nothing.ok());
  CHECK(nothing->empty());
  auto unchanged =
      ConversationsChangedSince(*db, start->cursor, CentreScope::Every(), 10);
  REQUIRE(unchanged.ok());
  CHECK(unchanged->empty());

  Say(*db, marco.id, "in", "buongiorno");
  giulia.mode = ConversationMode::kHuman;
  giulia.assigned_to = "anna";
  giulia.waiting_since.reset();
  REQUIRE(SaveConversation(*db, giulia, kNow + 20).ok());

  auto added = MessagesAddedSince(*db, start->cursor, CentreScope::Every(), 10);
  REQUIRE(added.ok());
  REQUIRE(added->size() == 1);
  CHECK((*added)[0].id > start->cursor.message_id);
  CHECK((*added)[0].conversation_id == marco.id);
  CHECK((*added)[0].direction == "in");
  CHECK((*added)[0].author == "user");
  auto changed =
      ConversationsChangedSince(*db, start->cursor, CentreScope::Every(), 10);
  REQUIRE(changed.ok());
  REQUIRE(changed->size() == 1);
  CHECK((*changed)[0].id == giulia.id);
  CHECK((*changed)[0].mode == "human");
  CHECK((*changed)[0].assigned_to == "anna");
  CHECK((*changed)[0].updated_at == kNow + 20);
}

}  // namespace
}  // namespace sportello::storage

namespace sportello::storage {
namespace {

// Moves the conversation to `centre` (the bot's placing, not here yet).
void PlaceIn(Database& db, int64_t conversation_id, int64_t centre) {
  Statement st =
      db.Prepare("UPDATE conversations SET centre_id = ?1 WHERE id = ?2");
  st.Bind(1, centre).Bind(2, conversation_id);
  REQUIRE(st.Run().ok());
}

TEST_CASE("the console's reads see only the centres of their scope") {
  auto db = MigratedDb();
  Centre molfetta;
  molfetta.name = "Molfetta";
  int64_t b = 0;
  {
    Transaction txn(*db);  // a centre is several rows
    REQUIRE(txn.status().ok());
    auto id = AddCentre(*db, molfetta, kNow);
    REQUIRE(id.ok());
    b = *id;
    REQUIRE(txn.Commit().ok());
  }
  const CentreScope only_a = CentreScope::Only({kFirstCentre});
  const CentreScope only_b = CentreScope::Only({b});
  const CentreScope none = CentreScope::Only({});
  const Conversation alba = NewPerson(*db, "1", "Alba");
  const Conversation bice = NewPerson(*db, "2", "Bice");
  PlaceIn(*db, bice.id, b);
  Wait(*db, *FindConversation(*db, alba.id).value(), kNow + 1);
  Wait(*db, *FindConversation(*db, bice.id).value(), kNow + 2);
  REQUIRE(SaveAnswer(*db, alba.user_id, "name", "Alba", kNow).ok());
  REQUIRE(SaveAnswer(*db, bice.user_id, "name", "Bice", kNow).ok());
  // An imported contact, with no conversation: centre 1's.
  auto contact =
      UpsertUserOnInbound(*db, "whatsapp", "39333", "39333", "", kNow);
  REQUIRE(contact.ok());
  REQUIRE(SaveAnswer(*db, contact->id, "name", "Carla", kNow).ok());

  const auto queue = [&](const CentreScope& scope) {
    auto rows = ListConversationSummaries(
        *db, ConversationMode::kWaitingForHuman, scope, 10);
    REQUIRE(rows.ok());
    std::vector<std::pair<int64_t, int64_t>> ids;  // id, centre
    for (const auto& r : *rows)
      ids.emplace_back(r.conversation.id, r.conversation.centre_id);
    return ids;
  };
  CHECK(queue(only_a) ==
        std::vector<std::pair<int64_t, int64_t>>{{alba.id, kFirstCentre}});
  CHECK(queue(only_b) ==
        std::vector<std::pair<int64_t, int64_t>>{{bice.id, b}});
  CHECK(queue(none).empty());
  CHECK(queue(CentreScope::Every()).size() == 2);

  CHECK(FindConversationIn(*db, bice.id, only_a).value() == std::nullopt);
  auto found = FindConversationIn(*db, bice.id, only_b);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->centre_id == b);

  const auto people = [&](const CentreScope& scope) {
    auto rows = SearchProfiles(*db, "", "", "", scope, 10);
    REQUIRE(rows.ok());
    std::vector<std::string> names;
    for (const auto& r : *rows) names.push_back(r.name);
    std::sort(names.begin(), names.end());
    return names;
  };
  CHECK(people(only_a) == std::vector<std::string>{"Alba", "Carla"});
  CHECK(people(only_b) == std::vector<std::string>{"Bice"});
  CHECK(people(none).empty());

  auto start = StartStream(*db, only_b);
  REQUIRE(start.ok());
  CHECK(start->waiting == 1);
  Say(*db, alba.id, "in", "ci sono?");
  Say(*db, bice.id, "in", "buongiorno");
  auto added = MessagesAddedSince(*db, start->cursor, only_b, 10);
  REQUIRE(added.ok());
  REQUIRE(added->size() == 1);
  CHECK((*added)[0].conversation_id == bice.id);
}

}  // namespace
}  // namespace sportello::storage
