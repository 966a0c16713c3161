// Profiling ("bilancio di competenze" light): the questionnaire as data, and
// the conversation through the web chat, the real dispatcher and SQLite:
// one question at a time, resumable after an interruption or a restart,
// editable, ending with a summary and Garanzia Giovani explained.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bot/domain/questionnaire.h"
#include "bot/flows/profile.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

constexpr int kYear = 2026;  // TestBot's FakeClock starts in November 2026

const Questionnaire& Shipped() {
  static const Questionnaire q = Questionnaire::LoadEmbedded().value();
  return q;
}

std::string Answer(TestBot& bot, const std::string& question) {
  auto reader = bot.store->OpenReader().value();
  auto st =
      reader->Prepare("SELECT value FROM profile_answers WHERE question = ?");
  st.Bind(1, question);
  return st.Step() ? st.Text(0) : "<none>";
}

// A consenting person at the profile's first question.
void BeginProfile(TestBot& bot, const std::string& user = "u1") {
  (void)bot.Say(user, "ciao");
  bot.GiveConsent(user);
  auto first = bot.Say(user, "profilo");
  REQUIRE(Step(bot) == "q:name");
  REQUIRE(Mentions(first, "Come ti chiami"));
}

// Answers from the name to the last question of a young person's profile.
nlohmann::json AnswerAll(
    TestBot& bot, const std::string& birth_year = "2004",
    const std::string& status = "profile:status:disoccupato") {
  (void)bot.Say("u1", "Giulia");
  (void)bot.Say("u1", birth_year);
  (void)bot.Say("u1", "Molfetta");
  (void)bot.Press("u1", "profile:education:diploma");
  (void)bot.Press("u1", status);
  (void)bot.Say("u1", "barista o cameriera");
  (void)bot.Press("u1", "profile:sectors:ristorazione");
  (void)bot.Press("u1", "profile:sectors:commercio");
  (void)bot.Press("u1", "profile:sectors:_done");
  (void)bot.Press("u1", "profile:experience:1_3");
  (void)bot.Say("u1", "inglese e spagnolo");
  (void)bot.Press("u1", "profile:licence:b");
  (void)bot.Press("u1", "profile:availability:part_time");
  (void)bot.Press("u1", "profile:shifts:si");
  return bot.Press("u1", "profile:mobility:provincia");
}

TEST_CASE(
    "the shipped questionnaire loads and every text it needs exists in both "
    "languages") {
  auto q = Questionnaire::LoadEmbedded();
  REQUIRE(q.ok());
  CHECK(q->CheckTexts(Catalogue()).ok());
  for (const char* id :
       {"name", "birth_year", "comune", "education", "status", "roles",
        "sectors", "experience", "languages", "licence", "availability",
        "shifts", "mobility", "responsibility", "responsibility_years",
        "business"}) {
    CAPTURE(id);
    CHECK(q->Find(id) != nullptr);
  }
}

TEST_CASE(
    "a questionnaire the flow could not use is refused with the question "
    "named") {
  const auto error = [](const std::string& questions) {
    auto q = Questionnaire::Parse(R"({"questions": )" + questions + R"(,
      "garanzia_giovani": {"birth_year": "y", "status": "s", "not_in_work_or_education": ["a"]}})");
    REQUIRE_FALSE(q.ok());
    CHECK(q.status().code() == core::Status::Code::kInvalidArgument);
    return q.status().message();
  };
  const std::string base =
      R"({"id": "y", "type": "year"}, {"id": "s", "type": "choice", "options": [{"id": "a"}]})";
  SUBCASE("an unknown type") {
    CHECK(
        error("[" + base + R"(, {"id": "x", "type": "number"}])").find("(x)") !=
        std::string::npos);
  }
  SUBCASE("a duplicate id") {
    CHECK(error("[" + base + R"(, {"id": "y", "type": "text"}])")
              .find("duplicate") != std::string::npos);
  }
  SUBCASE("a condition on a later question") {
    const std::string msg = error(
        R"([{"id": "x", "type": "text", "when": [{"question": "s", "in": ["a"]}]}, )" +
        base + "]");
    CHECK(msg.find("(x)") != std::string::npos);
    CHECK(msg.find("earlier") != std::string::npos);
  }
  SUBCASE("a condition on an option that does not exist") {
    CHECK(
        error(
            "[" + base +
            R"(, {"id": "x", "type": "text", "when": [{"question": "s", "in": ["b"]}]}])")
            .find("no option") != std::string::npos);
  }
  SUBCASE("a misspelt key") {
    CHECK(
        error("[" + base + R"(, {"id": "x", "type": "text", "optinal": true}])")
            .find("optinal") != std::string::npos);
  }
  SUBCASE("more options than a phone's list holds") {
    std::string options;
    for (int i = 0; i < 10; ++i)
      options += (i ? "," : "") + std::string(R"({"id": "o)") +
                 std::to_string(i) + "\"}";
    CHECK(error("[" + base + R"(, {"id": "x", "type": "multi", "options": [)" +
                options + "]}]")
              .find("too many") != std::string::npos);
  }
  SUBCASE("not JSON") { CHECK_FALSE(Questionnaire::Parse("{").ok()); }
}

TEST_CASE("Garanzia Giovani eligibility follows age and status") {
  struct Row {
    const char* year;
    const char* status;
    Eligibility expected;
  };
  const Row rows[] = {
      {"2004", "disoccupato", Eligibility::kEligible},
      {"2004", "neet", Eligibility::kEligible},
      {"2011", "neet", Eligibility::kEligible},  // 15 this year
      {"2012", "neet", Eligibility::kTooYoung},
      {"1997", "neet", Eligibility::kEligible},           // 29 this year
      {"1996", "neet", Eligibility::kEligibleIfUnder30},  // 30 this year
      {"1990", "disoccupato", Eligibility::kTooOld},
      {"2004", "studente", Eligibility::kInWorkOrEducation},
      {"2004", "occupato", Eligibility::kInWorkOrEducation},
      {"2004", "", Eligibility::kUnknown},
  };
  for (const auto& row : rows) {
    CAPTURE(row.year);
    CAPTURE(row.status);
    Answers answers{{"birth_year", row.year}};
    if (*row.status) answers["status"] = row.status;
    CHECK(Shipped().GaranziaGiovani(answers, kYear) == row.expected);
  }
  CHECK(Shipped().GaranziaGiovani({{"status", "neet"}}, kYear) ==
        Eligibility::kUnknown);
}

TEST_CASE("typed answers are read as options of their question") {
  const Questionnaire& q = Shipped();
  const auto parse = [&](const char* id, const char* text) {
    auto parsed = q.ParseTyped(*q.Find(id), text, Catalogue(), "it", kYear);
    return parsed.ok ? parsed.value : std::string("<no>");
  };
  CHECK(parse("education", "ho la laurea") == "laurea");
  CHECK(parse("status", "cerco lavoro") == "disoccupato");
  CHECK(parse("status", "né studio né lavoro") == "neet");
  CHECK(parse("languages", "Inglese, francese e tedesco") ==
        "inglese,francese,tedesco");
  CHECK(parse("languages", "1, 3") == "inglese,spagnolo");
  CHECK(parse("languages", "inglese e nessuna") ==
        "<no>");  // "nessuna" stands alone
  CHECK(parse("birth_year", "sono del 2001") == "2001");
  CHECK(parse("birth_year", "2020") == "<no>");  // under 14
  CHECK(parse("birth_year", "ieri") == "<no>");
  CHECK(parse("name", "Maria Grazia") == "Maria Grazia");
  CHECK(parse("name", "Marco, 3331234567") == "<no>");
  CHECK(parse("shifts", "sì") == "si");
}

TEST_CASE(
    "answering every question ends with a summary and Garanzia Giovani "
    "explained") {
  TestBot bot;
  BeginProfile(bot);
  auto summary = AnswerAll(bot);
  CHECK(Mentions(summary, "Giulia"));
  CHECK(Mentions(summary, "Molfetta"));
  CHECK(Mentions(summary, "Turismo e ristoranti, Negozi e vendita"));
  CHECK(Mentions(summary, "Inglese, Spagnolo"));
  CHECK(Mentions(summary, Catalogue().Text("it", "profile.gg.eligible")));
  CHECK(Has(ButtonIds(summary), "profile:edit"));
  CHECK(Answer(bot, "languages") == "inglese,spagnolo");
  CHECK(Answer(bot, "roles") == "barista o cameriera");
  CHECK(bot.Count("SELECT count(*) FROM profile_answers") ==
        13);  // no experienced track at 22
  CHECK(bot.Count(
            "SELECT count(*) FROM profiles WHERE completed_at IS NOT NULL") ==
        1);
  CHECK(
      bot.Count(
          "SELECT count(*) FROM conversations WHERE flow = '' AND step = ''") ==
      1);
}

TEST_CASE(
    "a student is told Garanzia Giovani is for people not in work or "
    "education") {
  TestBot bot;
  BeginProfile(bot);
  auto summary = AnswerAll(bot, "2004", "profile:status:studente");
  CHECK(Mentions(summary,
                 Catalogue().Text("it", "profile.gg.in_work_or_education")));
}

TEST_CASE("a place named early is not asked again") {
  TestBot bot;
  BeginProfile(bot);
  auto noted = bot.Say("u1", "sono di Bari");
  CHECK(Mentions(noted, "Bari"));
  CHECK(Step(bot) == "q:name");  // "sono di Bari" is not a name
  (void)bot.Say("u1", "Marco");
  auto next = bot.Say("u1", "2001");
  CHECK(Step(bot) == "q:education");
  CHECK(Has(ButtonIds(next), "profile:education:diploma"));
  CHECK(Answer(bot, "comune") == "Bari");
}

TEST_CASE("a comune the gazetteer does not know is asked again politely") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Say("u1", "Marco");
  (void)bot.Say("u1", "2001");
  auto retry = bot.Say("u1", "boh");
  CHECK(Mentions(retry, Catalogue().Text("it", "profile.retry.comune")));
  CHECK(Step(bot) == "q:comune");
  (void)bot.Say("u1", "altamura");
  CHECK(Answer(bot, "comune") == "Altamura");
  CHECK(Step(bot) == "q:education");
}

TEST_CASE("an answer that does not fit its question is asked again") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Say("u1", "Marco");
  auto retry = bot.Say("u1", "ieri");
  CHECK(Mentions(retry, Catalogue().Text("it", "profile.retry.year")));
  CHECK(Step(bot) == "q:birth_year");
  CHECK(Answer(bot, "birth_year") == "<none>");
}

TEST_CASE("the name can be skipped") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Press("u1", "profile:name:_skip");
  CHECK(Answer(bot, "name").empty());
  CHECK(Step(bot) == "q:birth_year");
}

TEST_CASE(
    "profiling resumes where it stopped after another flow interrupts it") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Say("u1", "Marco");
  (void)bot.Say("u1", "2001");
  auto info = bot.Press("u1", "menu:info");
  CHECK(Mentions(info, bot.config.centre.address));
  CHECK(Step(bot).empty());
  auto resumed = bot.Say("u1", "modifica profilo");
  CHECK(Mentions(resumed, Catalogue().Text("it", "profile.resume")));
  CHECK(Mentions(resumed, Catalogue().Text("it", "profile.q.comune")));
  CHECK(Answer(bot, "name") == "Marco");
}

TEST_CASE("profiling resumes after a restart in the middle") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Say("u1", "Marco");
  (void)bot.Press(
      "u1",
      "profile:sectors:digitale");  // an old button: a multiple choice begun
  REQUIRE(Step(bot) == "q:sectors");
  bot.Restart();
  auto next = bot.Press("u1", "profile:sectors:ufficio");
  CHECK(Mentions(
      next, "Digitale e IT, Ufficio"));  // the choices made before the restart
  (void)bot.Press("u1", "profile:sectors:_done");
  CHECK(Answer(bot, "sectors") == "digitale,ufficio");
  CHECK(Step(bot) == "q:birth_year");  // back to the first open question
  (void)bot.Say("u1", "2001");
  CHECK(Answer(bot, "birth_year") == "2001");
}

TEST_CASE("one answer can be changed from the list of answers") {
  TestBot bot;
  BeginProfile(bot);
  (void)AnswerAll(bot);
  (void)bot.Say("u1", "menu");
  auto list = bot.Say("u1", "modifica profilo");
  CHECK(Mentions(list, "Molfetta"));  // the summary first
  CHECK(Has(ButtonIds(list), "profile:edit:comune"));
  CHECK(Has(ButtonIds(list), "profile:done"));
  auto ask = bot.Press("u1", "profile:edit:comune");
  CHECK(Mentions(ask, "Molfetta"));  // the current answer
  auto summary = bot.Say("u1", "Bari");
  CHECK(Answer(bot, "comune") == "Bari");
  CHECK(Mentions(summary, "Bari"));
  CHECK(Answer(bot, "name") == "Giulia");  // the rest is untouched
}

TEST_CASE(
    "over 40 the questionnaire asks about responsibility and taking over a "
    "company") {
  TestBot bot;
  BeginProfile(bot);
  auto track = AnswerAll(bot, "1975");
  CHECK(Step(bot) == "q:responsibility");
  CHECK(Has(ButtonIds(track), "profile:responsibility:si"));
  (void)bot.Press("u1", "profile:responsibility:si");
  CHECK(Step(bot) == "q:responsibility_years");
  (void)bot.Press("u1", "profile:responsibility_years:10_20");
  auto business = bot.Say("u1", "investire o buy out");
  CHECK(Answer(bot, "business") == "investire,buyout");
  CHECK(Mentions(business, "BacktoWork"));
  CHECK(Mentions(business, Catalogue().Text("it", "profile.gg.too_old")));

  SUBCASE("a younger birth year drops the answers only that track asked") {
    (void)bot.Press("u1", "profile:edit:birth_year");
    (void)bot.Say("u1", "1999");
    CHECK(Answer(bot, "responsibility") == "<none>");
    CHECK(Answer(bot, "responsibility_years") == "<none>");
    CHECK(Answer(bot, "business") == "<none>");
    CHECK(bot.Count("SELECT count(*) FROM profiles WHERE age_band = '16_29'") ==
          1);
  }
  SUBCASE("no responsibility skips the years") {
    (void)bot.Press("u1", "profile:edit:responsibility");
    (void)bot.Press("u1", "profile:responsibility:no");
    CHECK(Answer(bot, "responsibility_years") == "<none>");
    CHECK(Answer(bot, "business") == "investire,buyout");
  }
}

TEST_CASE("the modify button of the summary lists the answers to change") {
  TestBot bot;
  BeginProfile(bot);
  (void)AnswerAll(bot);
  auto list = bot.Say("u1", "modifica profilo");  // the summary's button title
  CHECK(Mentions(list, Catalogue().Text("it", "profile.edit_prompt")));
  CHECK(Has(ButtonIds(list), "profile:edit:name"));
  CHECK_FALSE(
      Has(ButtonIds(list), "profile:edit:business"));  // not asked at 22
}

TEST_CASE(
    "languages are picked one by one and an exclusive choice stands alone") {
  TestBot bot;
  BeginProfile(bot);
  (void)bot.Say("u1", "Marco");
  (void)bot.Say("u1", "2001");
  (void)bot.Say("u1", "Bari");
  (void)bot.Press("u1", "profile:languages:inglese");
  auto again =
      bot.Press("u1", "profile:languages:inglese");  // pressed twice: off again
  CHECK_FALSE(Mentions(again, "Inglese."));
  (void)bot.Press("u1", "profile:languages:nessuna");
  CHECK(Answer(bot, "languages") == "nessuna");
}

TEST_CASE("the end of the profile asks once about notices") {
  TestBot bot;
  BeginProfile(bot);
  auto summary = AnswerAll(bot);
  REQUIRE(Has(ButtonIds(summary), "privacy:notify_on"));
  CHECK(Has(ButtonIds(summary), "privacy:notify_no"));

  SUBCASE("no thanks leaves them off") {
    auto no = bot.Press("u1", "privacy:notify_no");
    CHECK(Mentions(no, Catalogue().Text("it", "privacy.notify_no_done")));
    CHECK(bot.Count("SELECT notify FROM users") == 0);
  }
  SUBCASE("yes turns them on and offers the topics") {
    auto yes = bot.Press("u1", "privacy:notify_on");
    CHECK(bot.Count("SELECT notify FROM users") == 1);
    CHECK(Has(ButtonIds(yes), "privacy:topic:recruiting"));
  }
}

TEST_CASE("a subscriber finishing the profile is not asked about notices") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  (void)bot.Say("u1", "attiva notifiche");
  (void)bot.Say("u1", "profilo");
  REQUIRE(Step(bot) == "q:name");
  auto summary = AnswerAll(bot);
  CHECK(Has(ButtonIds(summary), "profile:edit"));
  CHECK_FALSE(Has(ButtonIds(summary), "privacy:notify_on"));
}

}  // namespace
}  // namespace sportello::testing
