// Conversations: one per user, holding who answers (bot, queue, counsellor)
// and where the bot is in a flow.
#include "storage/conversations.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/store.h"
#include "tests/support/storage_fixture.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = support::kStorageNow;

using support::MigratedDb;
using support::NewUser;

Conversation Open(Database& db, int64_t user_id, int64_t now = kNow) {
  auto c = GetOrCreateConversation(db, user_id, now);
  REQUIRE(c.ok());
  return std::move(*c);
}

// A second centre, CPI Molfetta; returns its id.
int64_t AddMolfetta(Database& db) {
  Centre molfetta;
  molfetta.name = "CPI Molfetta";
  Transaction txn(db);
  auto centre = AddCentre(db, molfetta, kNow);
  REQUIRE(centre.ok());
  REQUIRE(txn.Commit().ok());
  return *centre;
}

TEST_CASE("a new conversation starts with the bot and no flow") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const Conversation c = Open(*db, user);
  CHECK(c.id > 0);
  CHECK(c.user_id == user);
  CHECK(c.mode == ConversationMode::kBot);
  CHECK(c.assigned_to == std::nullopt);
  CHECK(c.waiting_since == std::nullopt);
  CHECK(c.flow.empty());
  CHECK(c.step.empty());
  CHECK(c.slots == "{}");
  CHECK(c.created_at == kNow);
  CHECK(c.updated_at == kNow);
  CHECK(c.last_message_at == std::nullopt);
}

TEST_CASE("a user has one conversation however often it is asked for") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const Conversation first = Open(*db, user, kNow);
  const Conversation again = Open(*db, user, kNow + 1000);
  CHECK(again.id == first.id);
  CHECK(again.created_at == kNow);
  const Conversation other = Open(*db, NewUser(*db, "2"));
  CHECK(other.id != first.id);
}

TEST_CASE("a conversation is placed in a centre, and stays there") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const Conversation c = Open(*db, user);
  CHECK(c.centre_id == kFirstCentre);
  const int64_t centre = AddMolfetta(*db);
  REQUIRE(PlaceConversation(*db, c.id, centre, kNow + 5).ok());
  const Conversation placed = Open(*db, user);
  CHECK(placed.centre_id == centre);
  CHECK(placed.updated_at == kNow + 5);
  // A turn saving the conversation does not undo the placement.
  REQUIRE(SaveConversation(*db, c, kNow + 6).ok());
  CHECK(Open(*db, user).centre_id == centre);
  CHECK(PlaceConversation(*db, 404, centre, kNow).code() ==
        Status::Code::kNotFound);
}

TEST_CASE("a conversation for a user who does not exist is refused") {
  auto db = MigratedDb();
  auto c = GetOrCreateConversation(*db, 404, kNow);
  CHECK(c.status().code() == Status::Code::kAlreadyExists);  // foreign key
}

TEST_CASE("saving a conversation writes every field") {
  auto db = MigratedDb();
  Conversation c = Open(*db, NewUser(*db, "1"));
  c.mode = ConversationMode::kHuman;
  c.assigned_to = "operatore.rossi";
  c.waiting_since = kNow + 5;
  c.flow = "profiling";
  c.step = "ask_city";
  c.slots = R"({"job":"cameriere","città":"Bari"})";
  c.last_message_at = kNow + 7;

  REQUIRE(SaveConversation(*db, c, kNow + 9).ok());

  auto stored = FindConversation(*db, c.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  const Conversation& s = **stored;
  CHECK(s.user_id == c.user_id);
  CHECK(s.mode == ConversationMode::kHuman);
  CHECK(s.assigned_to == "operatore.rossi");
  CHECK(s.waiting_since == kNow + 5);
  CHECK(s.flow == "profiling");
  CHECK(s.step == "ask_city");
  CHECK(s.slots == c.slots);
  CHECK(s.created_at == kNow);
  CHECK(s.updated_at == kNow + 9);
  CHECK(s.last_message_at == kNow + 7);

  SUBCASE("and clears optional fields back to nothing") {
    Conversation back = s;
    back.mode = ConversationMode::kBot;
    back.assigned_to.reset();
    back.waiting_since.reset();
    back.flow.clear();
    REQUIRE(SaveConversation(*db, back, kNow + 10).ok());
    auto cleared = FindConversation(*db, c.id);
    REQUIRE(cleared.ok());
    CHECK((*cleared)->mode == ConversationMode::kBot);
    CHECK((*cleared)->assigned_to == std::nullopt);
    CHECK((*cleared)->waiting_since == std::nullopt);
    CHECK((*cleared)->flow.empty());
  }
}

TEST_CASE("saving a conversation that does not exist is NotFound") {
  auto db = MigratedDb();
  Conversation ghost;
  ghost.id = 77;
  CHECK(SaveConversation(*db, ghost, kNow).code() == Status::Code::kNotFound);
}

TEST_CASE("finding a conversation that does not exist gives nothing") {
  auto db = MigratedDb();
  auto c = FindConversation(*db, 77);
  REQUIRE(c.ok());
  CHECK_FALSE(c->has_value());
}

TEST_CASE("conversation modes have stable names") {
  struct Row {
    ConversationMode mode;
    const char* name;
  };
  for (const Row& row :
       {Row{ConversationMode::kBot, "bot"},
        Row{ConversationMode::kWaitingForHuman, "waiting_for_human"},
        Row{ConversationMode::kHuman, "human"}}) {
    CAPTURE(row.name);
    CHECK(ConversationModeName(row.mode) == row.name);
    CHECK(ParseConversationMode(row.name) == row.mode);
  }
  CHECK(ParseConversationMode("Human") == std::nullopt);
  CHECK(ParseConversationMode("") == std::nullopt);
}

TEST_CASE("people waiting for a counsellor are listed oldest first") {
  auto db = MigratedDb();
  // Created in one order, queued in another.
  const int64_t waits[] = {kNow + 300, kNow + 100, kNow + 200};
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    Conversation c = Open(*db, NewUser(*db, std::to_string(i)));
    c.mode = ConversationMode::kWaitingForHuman;
    c.waiting_since = waits[i];
    REQUIRE(SaveConversation(*db, c, kNow + 1000).ok());
    ids.push_back(c.id);
  }
  Conversation bot = Open(*db, NewUser(*db, "bot-user"));  // stays with the bot

  auto waiting =
      ConversationsByMode(*db, ConversationMode::kWaitingForHuman, 10);

  REQUIRE(waiting.ok());
  REQUIRE(waiting->size() == 3);
  CHECK((*waiting)[0].id == ids[1]);
  CHECK((*waiting)[1].id == ids[2]);
  CHECK((*waiting)[2].id == ids[0]);
  SUBCASE("limited") {
    auto first =
        ConversationsByMode(*db, ConversationMode::kWaitingForHuman, 1);
    REQUIRE(first.ok());
    REQUIRE(first->size() == 1);
    CHECK(first->front().id == ids[1]);
  }
  SUBCASE("other modes are listed apart") {
    auto with_bot = ConversationsByMode(*db, ConversationMode::kBot, 10);
    REQUIRE(with_bot.ok());
    REQUIRE(with_bot->size() == 1);
    CHECK(with_bot->front().id == bot.id);
    auto human = ConversationsByMode(*db, ConversationMode::kHuman, 10);
    REQUIRE(human.ok());
    CHECK(human->empty());
  }
}

TEST_CASE("someone joining the queue is told how many others wait") {
  auto db = MigratedDb();
  Conversation joining = Open(*db, NewUser(*db, "joining"));
  SUBCASE("nobody else waits") {
    auto n = CountOthersWaiting(*db, joining.id, kFirstCentre);
    REQUIRE(n.ok());
    CHECK(*n == 0);
  }
  SUBCASE("only those waiting count, never the person asking") {
    const ConversationMode modes[] = {
        ConversationMode::kWaitingForHuman, ConversationMode::kWaitingForHuman,
        ConversationMode::kHuman, ConversationMode::kBot};
    for (int i = 0; i < 4; ++i) {
      Conversation c = Open(*db, NewUser(*db, std::to_string(i)));
      c.mode = modes[i];
      REQUIRE(SaveConversation(*db, c, kNow).ok());
    }
    joining.mode = ConversationMode::kWaitingForHuman;
    joining.waiting_since = kNow;
    REQUIRE(SaveConversation(*db, joining, kNow).ok());

    auto n = CountOthersWaiting(*db, joining.id, kFirstCentre);

    REQUIRE(n.ok());
    CHECK(*n == 2);
  }
  SUBCASE("those waiting at another centre are in another queue") {
    const int64_t centre = AddMolfetta(*db);
    Conversation there = Open(*db, NewUser(*db, "molfetta"));
    REQUIRE(PlaceConversation(*db, there.id, centre, kNow).ok());
    there.centre_id = centre;
    there.mode = ConversationMode::kWaitingForHuman;
    REQUIRE(SaveConversation(*db, there, kNow).ok());

    auto here = CountOthersWaiting(*db, joining.id, kFirstCentre);
    REQUIRE(here.ok());
    CHECK(*here == 0);
    Conversation also = Open(*db, NewUser(*db, "also-molfetta"));
    REQUIRE(PlaceConversation(*db, also.id, centre, kNow).ok());
    auto at_molfetta = CountOthersWaiting(*db, also.id, centre);
    REQUIRE(at_molfetta.ok());
    CHECK(*at_molfetta == 1);
  }
}

TEST_CASE(
    "on PostgreSQL, of two people joining the queue side by side, the second "
    "counts the first") {
  if (!support::TestOnPostgres()) return;
  support::TempDir dir;
  auto opened = Store::Open(support::TestDatabaseAt(dir.File("q.db")));
  REQUIRE(opened.ok());
  Store& store = **opened;
  Conversation first, second;
  REQUIRE(store
              .Write([&](Database& db) {
                first = Open(db, NewUser(db, "first"));
                second = Open(db, NewUser(db, "second"));
                return Status::Ok();
              })
              .ok());
  // Counts, queues, and stays open until told.
  auto join = [&](Conversation& c, int64_t& ahead, std::promise<void>* counted,
                  std::future<void>* finish) {
    return store.WriteBeside([&, counted, finish](Database& db) -> Status {
      auto n = CountOthersWaiting(db, c.id, kFirstCentre);
      if (!n.ok()) return n.status();
      ahead = *n;
      c.mode = ConversationMode::kWaitingForHuman;
      c.waiting_since = kNow;
      auto saved = SaveConversation(db, c, kNow);
      if (counted != nullptr) counted->set_value();
      if (finish != nullptr) finish->wait();
      return saved;
    });
  };
  std::promise<void> counted, finish;
  std::future<void> finished = finish.get_future();
  int64_t first_ahead = -1, second_ahead = -1;
  auto a = std::async(std::launch::async, [&] {
    return join(first, first_ahead, &counted, &finished);
  });
  counted.get_future().wait();
  auto b = std::async(std::launch::async, [&] {
    return join(second, second_ahead, nullptr, nullptr);
  });
  // The second waits for the first to be in the queue, committed.
  CHECK(b.wait_for(std::chrono::milliseconds(300)) ==
        std::future_status::timeout);
  finish.set_value();
  CHECK(a.get().ok());
  CHECK(b.get().ok());
  CHECK(first_ahead == 0);
  CHECK(second_ahead == 1);
}

}  // namespace
}  // namespace sportello::storage
