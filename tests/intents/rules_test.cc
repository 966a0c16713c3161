#include "intents/rules.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "intents/engine.h"
#include "intents/labels.h"
#include "intents/normalize.h"

namespace sportello::intents {
namespace {

constexpr std::chrono::year_month_day kToday{
    std::chrono::year(2026), std::chrono::month(11), std::chrono::day(20)};

const RuleSet& ProjectRules() {
  static const std::unique_ptr<RuleSet> rules = [] {
    auto loaded = RuleSet::LoadDir(DefaultDataDir());
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
  }();
  return *rules;
}

const Engine& ProjectEngine() {
  static const std::unique_ptr<Engine> engine = [] {
    auto loaded = Engine::Load(DefaultDataDir());
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
  }();
  return *engine;
}

bool Contains(const std::vector<int>& hits, int rule) {
  return std::find(hits.begin(), hits.end(), rule) != hits.end();
}

std::unique_ptr<RuleSet> CompileOne(std::string text) {
  auto set = RuleSet::Compile({{"test.txt", std::move(text)}});
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  return std::move(*set);
}

std::vector<std::string> IntentsApplying(const RuleSet& set,
                                         std::string_view message) {
  std::vector<std::string> intents;
  for (const int r : set.Apply(NormalizeDetailed(message))) {
    intents.emplace_back(kIntentLabels[set.rules()[r].intent]);
  }
  std::sort(intents.begin(), intents.end());
  return intents;
}

TEST_CASE("the project rule files load and cover every intent") {
  const RuleSet& rules = ProjectRules();
  std::vector<bool> covered(kNumIntents, false);
  for (const Rule& rule : rules.rules()) covered[rule.intent] = true;
  for (int k = 0; k < kNumIntents; ++k) {
    CAPTURE(kIntentLabels[k]);
    CHECK(covered[k]);
  }
}

TEST_CASE(
    "every example in the rule files matches its rule and gets its intent") {
  const RuleSet& rules = ProjectRules();
  int examples = 0;
  for (size_t r = 0; r < rules.rules().size(); ++r) {
    const Rule& rule = rules.rules()[r];
    for (const std::string& example : rule.examples) {
      ++examples;
      CAPTURE(rule.where);
      CAPTURE(example);
      CHECK(Contains(rules.Apply(NormalizeDetailed(example)),
                     static_cast<int>(r)));
      CHECK(ProjectEngine().Analyze(example, kToday).intent ==
            kIntentLabels[rule.intent]);
    }
  }
  CHECK(examples >= 100);
}

TEST_CASE("every counter-example in the rule files escapes its rule") {
  const RuleSet& rules = ProjectRules();
  for (size_t r = 0; r < rules.rules().size(); ++r) {
    const Rule& rule = rules.rules()[r];
    for (const std::string& example : rule.counterexamples) {
      CAPTURE(rule.where);
      CAPTURE(example);
      CHECK_FALSE(
          Contains(rules.Match(Normalize(example)), static_cast<int>(r)));
    }
  }
}

TEST_CASE("a rule still fires at the start of a long varied message") {
  std::string text = "vorrei annullare il mio appuntamento ";
  uint64_t seed = 7;
  while (text.size() < 4000) {
    seed = seed * 6364136223846793005ULL + 1;
    text += "abcdefghilmnopqrstuvz"[(seed >> 59) % 21];
    if ((seed >> 40) % 6 == 0) text += ' ';
  }
  bool cancel = false;
  for (const int r : ProjectRules().Match(Normalize(text))) {
    cancel = cancel ||
             ProjectRules().rules()[r].intent == IntentIndex("booking_cancel");
  }
  CHECK(cancel);
}

TEST_CASE("rule files accept definitions comments and examples") {
  auto set = CompileOne(
      "# a comment\n"
      "define HELLO = ciao|salve\n"
      "define TWICE = {HELLO} {HELLO}\n"
      "greet 20 ^{TWICE}$\n"
      "+ ciao salve\n"
      "- ciao\n");
  REQUIRE(set->rules().size() == 1);
  const Rule& rule = set->rules()[0];
  CHECK(rule.intent == IntentIndex("greet"));
  CHECK(rule.priority == 20);
  CHECK(rule.where == "test.txt:4");
  CHECK(rule.examples == std::vector<std::string>{"ciao salve"});
  CHECK(rule.counterexamples == std::vector<std::string>{"ciao"});
  CHECK(set->Match("ciao salve").size() == 1);
  CHECK(set->Match("ciao").empty());
}

TEST_CASE("repetition braces stay regular expression syntax") {
  auto set = CompileOne("vacancy_search 50 ^cerco (?:\\w+ ){0,2}lavoro$\n");
  CHECK(set->Match("cerco un bel lavoro").size() == 1);
  CHECK(set->Match("cerco proprio un bel lavoro").empty());
}

TEST_CASE("rule file mistakes are rejected with file and line") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"greet 20 ciao\nhello 20 hi\n", "test.txt:2: unknown intent 'hello'"},
      {"greet 0 ciao\n", "test.txt:1: priority must be 1..99"},
      {"greet 100 ciao\n", "test.txt:1: priority must be 1..99"},
      {"greet x ciao\n", "test.txt:1: priority must be 1..99"},
      {"greet 20\n", "test.txt:1: missing pattern"},
      {"\ngreet 20 (ciao\n", "test.txt:2: bad pattern"},
      {"greet 20 {NOPE}\n", "test.txt:1: unknown {NOPE}"},
      {"+ ciao\n", "test.txt:1: example before any rule"},
      {"define = x\n", "test.txt:1: expected 'define NAME = regex'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const auto set = RuleSet::Compile({{"test.txt", c.text}});
    REQUIRE_FALSE(set.ok());
    CHECK(set.status().code() == core::Status::Code::kInvalidArgument);
    CHECK(set.status().message().find(c.message) != std::string::npos);
  }
}

TEST_CASE("a folder without rule files gives NotFound") {
  const auto dir =
      std::filesystem::temp_directory_path() / "sportello_no_rules_here";
  std::filesystem::create_directories(dir);
  const auto set = RuleSet::LoadDir(dir.string());
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().code() == core::Status::Code::kNotFound);
}

constexpr const char* kNegationRules =
    "vacancy_search 60 \\bcerco lavoro\\b\n"
    "booking_create 60 \\bappuntamento\\b\n"
    "notify_on 75 \\bvoglio (?:piu )?(?:le )?notifiche\\b\n"
    "notify_off 80 \\bnon voglio (?:piu )?(?:le )?notifiche\\b\n"
    "thanks 30 \\bgrazie\\b\n";

TEST_CASE(
    "a negated positive rule is dropped and a rule needing the negation is "
    "kept") {
  auto set = CompileOne(kNegationRules);
  CHECK(IntentsApplying(*set, "non voglio più le notifiche") ==
        std::vector<std::string>{"notify_off"});
  CHECK(IntentsApplying(*set, "voglio le notifiche") ==
        std::vector<std::string>{"notify_on"});
}

TEST_CASE("negation ends with its clause") {
  auto set = CompileOne(kNegationRules);
  CHECK(IntentsApplying(*set, "non cerco lavoro, voglio un appuntamento") ==
        std::vector<std::string>{"booking_create"});
  CHECK(IntentsApplying(*set, "non ho tempo ma cerco lavoro") ==
        std::vector<std::string>{"vacancy_search"});
}

TEST_CASE("negation reaches five words at most") {
  auto set = CompileOne(kNegationRules);
  CHECK(IntentsApplying(*set, "non ho tempo per questa cosa adesso grazie") ==
        std::vector<std::string>{"thanks"});
  CHECK(IntentsApplying(*set, "non ho tempo adesso grazie").empty());
}

TEST_CASE("not knowing or not understanding negates nothing") {
  auto set = CompileOne(kNegationRules);
  CHECK(IntentsApplying(*set, "non so se cerco lavoro") ==
        std::vector<std::string>{"vacancy_search"});
  CHECK(IntentsApplying(*set, "non ho capito, grazie") ==
        std::vector<std::string>{"thanks"});
  CHECK(IntentsApplying(*set, "non mi ricordo l appuntamento") ==
        std::vector<std::string>{"booking_create"});
  CHECK(IntentsApplying(*set, "I don't know, grazie") ==
        std::vector<std::string>{"thanks"});
}

TEST_CASE("chat shorthand negations count as negations") {
  auto set = CompileOne(kNegationRules);
  CHECK(IntentsApplying(*set, "nn cerco lavoro") == std::vector<std::string>{});
  CHECK(IntentsApplying(*set, "nn voglio + le notifiche") ==
        std::vector<std::string>{"notify_off"});
}

}  // namespace
}  // namespace sportello::intents
