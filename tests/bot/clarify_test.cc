// Understanding: an unsure intent becomes "Intendevi...?" with the two
// likeliest intents as buttons; a press carries on as if the message had
// been understood; two misunderstandings in a row bring the menu and a
// person. First the rules on made-up analyses, then conversations through
// the real engine, dispatcher and SQLite.
#include "bot/flows/clarify.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/catalog.h"
#include "intents/acting.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/messages.h"
#include "storage/migrations.h"
#include "storage/users.h"
#include "tests/bot/test_bot.h"

namespace sportello::flows {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;

intents::Analysis Unsure(std::vector<intents::IntentScore> top) {
  intents::Analysis a;
  a.intent = top.front().intent;
  a.confidence = top.front().confidence;
  a.lang = "it";
  a.top = std::move(top);
  return a;
}

// One person's conversation on an in-memory database, turns played as the
// dispatcher does: the message stored in the history, then the router's call.
struct Scene {
  std::unique_ptr<storage::Database> db;
  storage::User user;
  storage::Conversation conv;
  Catalog catalog = Catalog::LoadEmbedded().value();
  CentreConfig centre;

  Scene() {
    db = std::move(storage::Database::OpenInMemory().value());
    REQUIRE(storage::Migrate(*db).ok());
    user =
        storage::UpsertUserOnInbound(*db, "web", "u1", "u1", "", kNow).value();
    conv = storage::GetOrCreateConversation(*db, user.id, kNow).value();
  }

  void Store(const core::InboundMessage& in) {
    storage::NewMessage m;
    m.conversation_id = conv.id;
    m.direction = "in";
    m.author = "user";
    m.kind = std::string(core::InboundKindName(in.kind));
    m.text = in.text;
    if (!in.button_id.empty()) m.button_id = in.button_id;
    m.status = core::DeliveryState::kRead;
    REQUIRE(storage::InsertMessage(*db, m, kNow).ok());
  }

  std::optional<std::vector<Reply>> Type(const std::string& text,
                                         const intents::Analysis& a) {
    core::InboundMessage in;
    in.user_id = in.chat_id = "u1";
    in.text = text;
    Store(in);
    Turn turn{in, a, user, conv, "it", kNow, *db, centre, {}};
    return AskToClarify(catalog, turn, [](const char* key) {
      return Reply{key, {{"menu:human", "Parla con noi"}}};
    });
  }

  std::optional<Clarified> Press(const std::string& id) {
    core::InboundMessage in;
    in.user_id = in.chat_id = "u1";
    in.kind = core::InboundKind::kButton;
    in.button_id = id;
    Store(in);
    const intents::Analysis none;
    Turn turn{in, none, user, conv, "it", kNow, *db, centre, {}};
    return ClarifiedMessage(turn);
  }
};

std::vector<std::string> Ids(const std::vector<Reply>& replies) {
  std::vector<std::string> ids;
  for (const auto& r : replies) {
    for (const auto& b : r.buttons) ids.push_back(b.id);
  }
  return ids;
}

TEST_CASE("a sure intent is not questioned") {
  Scene s;
  CHECK_FALSE(
      s.Type("cos'è garanzia giovani?", Unsure({{"info_programs", 0.99}}))
          .has_value());
}

TEST_CASE(
    "an unsure message is asked about with the two likeliest intents and "
    "something else") {
  Scene s;
  auto asked =
      s.Type("do you have internships?",
             Unsure({{"vacancy_search", 0.53}, {"info_programs", 0.40}}));
  REQUIRE(asked.has_value());
  REQUIRE(asked->size() == 1);
  CHECK((*asked)[0].text == s.catalog.Text("it", "clarify.question"));
  CHECK(Ids(*asked) == std::vector<std::string>{"clarify:vacancy_search",
                                                "clarify:info_programs",
                                                "clarify:help"});
  CHECK((*asked)[0].buttons[1].title ==
        s.catalog.Text("it", "clarify.intent.info_programs"));
}

TEST_CASE(
    "a guess that would change something is asked about with the two "
    "likeliest intents, below the act threshold") {
  Scene s;
  for (const char* intent : {"notify_on", "notify_off", "privacy_erase",
                             "booking_cancel", "event_signup", "handoff"}) {
    CAPTURE(intent);
    REQUIRE(intents::kActAtLeast > 0.7);
    auto asked = s.Type("mah forse", Unsure({{intent, 0.7}, {"events", 0.2}}));
    REQUIRE(asked.has_value());
    CHECK((*asked)[0].text == s.catalog.Text("it", "clarify.question"));
    CHECK(Ids(*asked) ==
          std::vector<std::string>{std::string("clarify:") + intent,
                                   "clarify:events", "clarify:help"});
    CHECK_FALSE(
        s.Type("sicuro", Unsure({{intent, intents::kActAtLeast}})).has_value());
  }
  // The same confidence is enough for an answer that changes nothing.
  CHECK_FALSE(
      s.Type("orari?", Unsure({{"info_where_when", 0.7}, {"events", 0.2}}))
          .has_value());
}

TEST_CASE("intents too unlikely or meaningless as a choice are not offered") {
  Scene s;
  SUBCASE("too unlikely") {
    auto asked = s.Type("boh lavoro",
                        Unsure({{"vacancy_search", 0.4}, {"events", 0.05}}));
    REQUIRE(asked.has_value());
    CHECK(Ids(*asked) ==
          std::vector<std::string>{"clarify:vacancy_search", "clarify:help"});
  }
  SUBCASE("yes no and out of scope") {
    auto asked = s.Type(
        "mah", Unsure({{"out_of_scope", 0.4}, {"affirm", 0.3}, {"deny", 0.2}}));
    CHECK_FALSE(asked.has_value());  // the router's "not understood" menu
  }
}

TEST_CASE("an unsure greeting with nothing else likely is taken as it is") {
  Scene s;
  CHECK_FALSE(s.Type("ehi tu", Unsure({{"greet", 0.4}, {"out_of_scope", 0.3}}))
                  .has_value());
  // Not a misunderstanding: the next one is asked about, not given up on.
  auto next = s.Type("lavoro?",
                     Unsure({{"vacancy_search", 0.4}, {"info_programs", 0.3}}));
  REQUIRE(next.has_value());
  CHECK((*next)[0].text == s.catalog.Text("it", "clarify.question"));
}

TEST_CASE(
    "pressing a choice gives back the unsure message understood with its "
    "entities") {
  Scene s;
  auto a = Unsure({{"vacancy_search", 0.5}, {"info_programs", 0.3}});
  a.entities.city = "Bari";
  a.entities.contract = "tirocinio";
  REQUIRE(s.Type("tirocinio a Bari?", a).has_value());
  auto chosen = s.Press("clarify:vacancy_search");
  REQUIRE(chosen.has_value());
  CHECK(chosen->in.kind == core::InboundKind::kText);
  CHECK(chosen->in.text == "tirocinio a Bari?");
  CHECK(chosen->in.button_id.empty());
  CHECK(chosen->analysis.intent == "vacancy_search");
  CHECK(chosen->analysis.confidence == doctest::Approx(1.0));
  CHECK(chosen->analysis.entities.city == "Bari");
  CHECK(chosen->analysis.entities.contract == "tirocinio");
  CHECK(Slots(s.conv).contains("_clarify") == false);
}

TEST_CASE("a press of a button that is not a clarification is left alone") {
  Scene s;
  CHECK_FALSE(s.Press("menu:info").has_value());
}

TEST_CASE("an unknown intent on a clarification button leads to the menu") {
  Scene s;
  auto chosen = s.Press("clarify:nonsense");
  REQUIRE(chosen.has_value());
  CHECK(chosen->analysis.intent == "help");
}

TEST_CASE("two misunderstandings in a row bring the menu with a person") {
  Scene s;
  REQUIRE(
      s.Type("boh lavoro", Unsure({{"vacancy_search", 0.4}, {"events", 0.2}}))
          .has_value());
  auto second =
      s.Type("mah quella cosa", Unsure({{"out_of_scope", 0.5}, {"help", 0.3}}));
  REQUIRE(second.has_value());
  REQUIRE(second->size() == 1);
  CHECK((*second)[0].text == "clarify.give_up");
  CHECK(Ids(*second) == std::vector<std::string>{"menu:human"});
  // And then the count starts again.
  auto third =
      s.Type("boh lavoro", Unsure({{"vacancy_search", 0.4}, {"events", 0.2}}));
  REQUIRE(third.has_value());
  CHECK((*third)[0].text == s.catalog.Text("it", "clarify.question"));
}

TEST_CASE(
    "a message understood between two misunderstandings starts the count "
    "again") {
  Scene s;
  REQUIRE(
      s.Type("boh lavoro", Unsure({{"vacancy_search", 0.4}, {"events", 0.2}}))
          .has_value());
  SUBCASE("a typed message") {
    CHECK_FALSE(
        s.Type("orari?", Unsure({{"info_where_when", 0.9}})).has_value());
  }
  SUBCASE("a button pressed") { (void)s.Press("menu:info"); }
  auto again =
      s.Type("boh lavoro", Unsure({{"vacancy_search", 0.4}, {"events", 0.2}}));
  REQUIRE(again.has_value());
  CHECK((*again)[0].text == s.catalog.Text("it", "clarify.question"));
}

}  // namespace
}  // namespace sportello::flows

namespace sportello::testing {
namespace {

bool Offers(const nlohmann::json& replies, const std::string& id) {
  const auto ids = ButtonIds(replies);
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string Texts(const nlohmann::json& replies) {
  std::string all;
  for (const auto& r : replies) all += r["text"].get<std::string>() + "\n";
  return all;
}

TEST_CASE(
    "an unsure question is clarified and the chosen meaning is answered") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  // The engine hesitates here between a job search and a programme.
  auto asked = bot.Say("u1", "internships or jobs?");
  REQUIRE(asked.size() == 1);
  CHECK(Texts(asked).find("Did you mean") != std::string::npos);
  REQUIRE(Offers(asked, "clarify:info_programs"));
  CHECK(Offers(asked, "clarify:vacancy_search"));
  CHECK(Offers(asked, "clarify:help"));
  auto answer = bot.Press("u1", "clarify:info_programs");
  CHECK(Texts(answer).find("traineeship") != std::string::npos);
}

TEST_CASE("markup in a message does not turn notifications on") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto reply = bot.Say("u1", "<script>alert('x')</script>");
  CHECK(Texts(reply).find(bot.catalog.Text("it", "privacy.notify_on_done")) ==
        std::string::npos);
  CHECK(bot.Count("SELECT notify FROM users") == 0);
}

TEST_CASE("a clarification survives a restart") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  auto asked = bot.Say("u1", "internships or jobs?");
  REQUIRE(Offers(asked, "clarify:info_programs"));
  bot.Restart();
  auto answer = bot.Press("u1", "clarify:info_programs");
  CHECK(Texts(answer).find("traineeship") != std::string::npos);
}

TEST_CASE("something else on a clarification shows the menu") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  auto asked = bot.Say("u1", "internships or jobs?");
  REQUIRE(Offers(asked, "clarify:help"));
  auto menu = bot.Press("u1", "clarify:help");
  CHECK(Offers(menu, "menu:jobs"));
  CHECK(Offers(menu, "menu:human"));
}

TEST_CASE(
    "two messages in a row the bot cannot understand bring the menu and a "
    "person") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto first = bot.Say("u1", "asdfgh");
  CHECK(Texts(first).find(bot.catalog.Text("it", "not_understood")) !=
        std::string::npos);
  auto second = bot.Say("u1", "qwerty uiop");
  REQUIRE(second.size() == 1);
  CHECK(second[0]["text"] == bot.catalog.Text("it", "clarify.give_up"));
  CHECK(Offers(second, "menu:human"));
  CHECK(Offers(second, "menu:info"));
}

TEST_CASE(
    "an understood message between two that are not starts the count again") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Say("u1", "asdfgh");
  (void)bot.Say("u1", "dove siete?");
  auto third = bot.Say("u1", "qwerty uiop");
  CHECK(Texts(third).find(bot.catalog.Text("it", "clarify.give_up")) ==
        std::string::npos);
  CHECK(Texts(third).find(bot.catalog.Text("it", "not_understood")) !=
        std::string::npos);
}

}  // namespace
}  // namespace sportello::testing
