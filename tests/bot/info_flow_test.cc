// Practical information: the centre's hours, address and contacts from the
// configuration, and the programmes FAQ (bot/flows/data/faq.json) picked by
// the words of a question, in Italian and English.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bot/flows/info.h"
#include "tests/bot/test_bot.h"

namespace sportello::flows {
namespace {

const Faq& Embedded() {
  static const Faq faq = Faq::LoadEmbedded().value();
  return faq;
}

TEST_CASE("the compiled-in FAQ covers every programme in both languages") {
  const Faq& faq = Embedded();
  for (const char* id : {"garanzia_giovani", "tirocini", "europa", "impresa",
                         "corsi", "over40"}) {
    CAPTURE(id);
    const FaqTopic* t = faq.Find(id);
    REQUIRE(t != nullptr);
    CHECK_FALSE(t->text("it").empty());
    CHECK_FALSE(t->text("en").empty());
    CHECK(t->title("it") != t->title("en"));
  }
}

TEST_CASE("a question's words pick the programme it is about") {
  struct Case {
    const char* text;
    const char* topic;
  };
  const Case cases[] = {
      {"cos'è garanzia giovani?", "garanzia_giovani"},
      {"What is the Youth Guarantee?", "garanzia_giovani"},
      {"do you have internships?", "tirocini"},
      {"come funziona un tirocinio", "tirocini"},
      {"vorrei fare l'Erasmus", "europa"},
      {"lavorare all'estero", "europa"},
      {"vorrei aprire un'impresa", "impresa"},
      {"corsi di formazione gratuiti", "corsi"},
      {"ho 45 anni, c'è l'outplacement?", "over40"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const FaqTopic* t = Embedded().Match(c.text);
    REQUIRE(t != nullptr);
    CHECK(t->id == c.topic);
  }
  CHECK(Embedded().Match("quali opportunità ci sono per i giovani?") ==
        nullptr);
  CHECK(Embedded().Match("internet non va") == nullptr);
}

TEST_CASE("a broken FAQ file says which topic and what is wrong") {
  const std::string ok_lang = R"({"title": "T", "text": "x"})";
  auto topic = [&](const std::string& id, const std::string& it,
                   const std::string& en,
                   const std::string& keywords = R"(["k"])") {
    return R"({"id": ")" + id + R"(", "keywords": )" + keywords +
           R"(, "it": )" + it + R"(, "en": )" + en + "}";
  };
  struct Case {
    std::string json;
    const char* says;
  };
  const Case cases[] = {
      {"[]", "not a JSON object"},
      {R"({"topics": []})", "non-empty"},
      {R"({"topics": [)" + topic("a", ok_lang, R"({"title": "T"})") + "]}",
       "en.text missing"},
      {R"({"topics": [)" + topic("a", ok_lang, ok_lang, "[]") + "]}",
       "keywords missing"},
      {R"({"topics": [)" +
           topic("a",
                 R"({"title": "Un titolo davvero troppo lungo", "text": "x"})",
                 ok_lang) +
           "]}",
       "longer than 24"},
      {R"({"topics": [)" + topic("a", ok_lang, ok_lang) + "," +
           topic("a", ok_lang, ok_lang) + "]}",
       "used twice"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto faq = Faq::Parse(c.json);
    REQUIRE_FALSE(faq.ok());
    CHECK(faq.status().message().find(c.says) != std::string::npos);
  }
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

bool Has(const nlohmann::json& replies, const std::string& words) {
  return Texts(replies).find(words) != std::string::npos;
}

TEST_CASE(
    "asking for the opening hours gives the hours and the address and the "
    "contacts") {
  TestBot bot;
  bot.config.centre.hours = "lun-ven 8:30-12:30";
  bot.config.centre.contacts = "080 123 4567";
  (void)bot.Say("u1", "ciao");
  auto replies = bot.Say("u1", "orari di apertura");
  REQUIRE(replies.size() == 1);
  CHECK(Has(replies, "lun-ven 8:30-12:30"));
  CHECK(Has(replies, bot.config.centre.address));
  CHECK(Has(replies, "080 123 4567"));
  CHECK(Offers(replies, "info:topics"));
}

TEST_CASE("asking where the centre is gives the address") {
  TestBot bot;
  bot.config.centre.address = "Piazza Libertà 1, Bari";
  (void)bot.Say("u1", "ciao");
  CHECK(Has(bot.Say("u1", "dove siete?"), "Piazza Libertà 1, Bari"));
}

TEST_CASE(
    "a question about Garanzia Giovani is answered about Garanzia Giovani") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto replies = bot.Say("u1", "cos'è garanzia giovani?");
  REQUIRE(replies.size() == 1);
  CHECK(Has(replies, "tra 15 e 29 anni"));
  CHECK(Offers(replies, "menu:booking"));
  CHECK(Offers(replies, "info:topics"));
}

TEST_CASE(
    "a question about internships in English is answered about traineeships in "
    "English") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  auto replies = bot.Say("u1", "what is an internship?");
  // The engine may hesitate between a job search and a programme: then the
  // bot asks first, and the programme is one press away.
  if (Offers(replies, "clarify:info_programs"))
    replies = bot.Press("u1", "clarify:info_programs");
  CHECK(Has(replies, "A traineeship (tirocinio) is on-the-job training"));
}

TEST_CASE(
    "a question about programmes without a topic offers the topics as "
    "buttons") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto topics = bot.Say("u1", "quali opportunità ci sono per i giovani?");
  REQUIRE(topics.size() == 1);
  for (const char* id :
       {"info:topic:garanzia_giovani", "info:topic:tirocini",
        "info:topic:europa", "info:topic:impresa", "info:topic:corsi",
        "info:topic:over40", "info:centre"}) {
    CAPTURE(id);
    CHECK(Offers(topics, id));
  }
  auto europe = bot.Press("u1", "info:topic:europa");
  CHECK(Has(europe, "Erasmus+"));
  CHECK(Has(europe, "Corpo europeo di solidarietà"));
}

TEST_CASE("a topic in English is told in English") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  auto replies = bot.Say("u1", "tell me about erasmus");
  CHECK(Has(replies, "European Solidarity Corps"));
  auto centre = bot.Press("u1", "info:centre");
  CHECK(Has(centre, bot.config.centre.hours));
}

TEST_CASE("information needs no consent and keeps no flow running") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Say("u1", "cos'è garanzia giovani?");
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow <> ''") == 0);
  CHECK(bot.Count(
            "SELECT count(*) FROM users WHERE consent_version IS NOT NULL") ==
        0);
}

}  // namespace
}  // namespace sportello::testing
