// First contact and consent, as a person lives it through the web chat, the
// real dispatcher and SQLite: nothing personal is kept before consent, the
// age band comes first, under 14 goes to a parent, and refusing still leaves
// the information.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bot/flows/consent.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

const std::vector<std::string> kAgeButtons = {
    "consent:age:u14", "consent:age:14_15", "consent:age:16_29",
    "consent:age:30_39", "consent:age:40_plus"};

TEST_CASE(
    "a person asking for a profile without consent is asked the age band "
    "first") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto replies = bot.Say("u1", "voglio creare il mio profilo");
  CHECK(ButtonIds(replies) == kAgeButtons);
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow = 'consent' "
                  "AND step = 'age'") == 1);
}

TEST_CASE(
    "the first message asking for a profile gets the welcome with the centre's "
    "name and the age question") {
  TestBot bot;
  auto replies = bot.Say("u1", "voglio creare il mio profilo");
  REQUIRE(replies.size() == 2);
  CHECK(Mentions(replies, "Porta Futuro"));
  CHECK(ButtonIds(replies) == kAgeButtons);
}

TEST_CASE(
    "a restart between the age and the choice resumes the consent and then "
    "the request it was asked for") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Say("u1", "voglio creare il mio profilo");
  (void)bot.Press("u1", "consent:age:16_29");
  bot.Restart();
  auto after = bot.Press("u1", "consent:yes");
  CHECK(bot.Count("SELECT count(*) FROM users WHERE consent_at IS NOT NULL") ==
        1);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow = "
                  "'profile'") == 1);
  CHECK_FALSE(ButtonIds(after).empty());
}

TEST_CASE("an age band over 14 gets the short notice and the three choices") {
  TestBot bot;
  (void)bot.Say("u1", "profilo");
  auto notice = bot.Press("u1", "consent:age:16_29");
  REQUIRE(notice.size() == 1);
  CHECK(Mentions(notice, "/privacy"));
  CHECK(ButtonIds(notice) ==
        std::vector<std::string>{"consent:yes", "consent:no", "consent:more"});
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);  // not before consent
}

TEST_CASE(
    "a person under 14 is sent to a parent with the centre's contacts and "
    "nothing personal is kept") {
  TestBot bot;
  (void)bot.Say("u1", "ciao sono Marco");
  (void)bot.Say("u1", "profilo");
  auto replies = bot.Press("u1", "consent:age:u14");
  REQUIRE(replies.size() == 1);
  CHECK(Mentions(replies, bot.config.centre.contacts));
  CHECK(Mentions(replies, "14"));
  CHECK(ButtonIds(replies).empty());
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  CHECK(bot.Count(
            "SELECT count(*) FROM users WHERE consent_version IS NOT NULL") ==
        0);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE text LIKE '%Marco%'") ==
        0);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow = ''") == 1);
}

TEST_CASE("a typed age picks the band") {
  TestBot bot;
  SUBCASE("seventeen gets the notice") {
    (void)bot.Say("u1", "profilo");
    auto replies = bot.Say("u1", "ho 17 anni");
    CHECK(Has(ButtonIds(replies), "consent:yes"));
  }
  SUBCASE("twelve is asked again: only the button says under 14") {
    (void)bot.Say("u1", "profilo");
    auto replies = bot.Say("u1", "12");
    CHECK_FALSE(Mentions(replies, bot.config.centre.contacts));
    CHECK(Has(ButtonIds(replies), "consent:age:u14"));
    auto under = bot.Press("u1", "consent:age:u14");
    CHECK(Mentions(under, bot.config.centre.contacts));
    CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  }
  SUBCASE("a birth year works too") {
    (void)bot.Say("u1", "profilo");
    (void)bot.Say("u1", "1980");
    (void)bot.Press("u1", "consent:yes");
    CHECK(bot.Count(
              "SELECT count(*) FROM profiles WHERE age_band = '40_plus'") == 1);
  }
  SUBCASE("something else asks again") {
    (void)bot.Say("u1", "profilo");
    auto replies = bot.Say("u1", "boh");
    CHECK(ButtonIds(replies) == kAgeButtons);
  }
}

TEST_CASE(
    "accepting records the notice's version and the time and goes on with the "
    "request") {
  TestBot bot;
  (void)bot.Say("u1", "voglio creare il mio profilo");
  (void)bot.Press("u1", "consent:age:16_29");
  auto replies = bot.Press("u1", "consent:yes");
  CHECK(bot.Count(std::string(
                      "SELECT count(*) FROM users WHERE consent_version = '") +
                  flows::kConsentVersion + "' AND consent_at = " +
                  std::to_string(bot.clock.NowMillis())) == 1);
  CHECK(bot.Count("SELECT count(*) FROM profiles WHERE age_band = '16_29'") ==
        1);
  // The profile the person asked for starts right away: its first question.
  CHECK(Mentions(replies, "Come ti chiami"));
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow = 'profile' "
                  "AND step = 'q:name'") == 1);
}

TEST_CASE(
    "what the person said before consenting is not asked again after it") {
  TestBot bot;
  (void)bot.Say("u1", "voglio creare il mio profilo, vivo a Bari");
  (void)bot.Press("u1", "consent:age:16_29");
  auto replies = bot.Press("u1", "consent:yes");
  CHECK(Mentions(replies, "Bari"));
  CHECK(bot.Count("SELECT count(*) FROM profile_answers WHERE question = "
                  "'comune' AND value = 'Bari'") == 1);
}

TEST_CASE("reading more shows the full notice with the same choice") {
  TestBot bot;
  (void)bot.Say("u1", "profilo");
  (void)bot.Press("u1", "consent:age:30_39");
  auto more = bot.Press("u1", "consent:more");
  CHECK(Mentions(more, "Garante"));
  CHECK(ButtonIds(more) ==
        std::vector<std::string>{"consent:yes", "consent:no", "consent:more"});
  (void)bot.Say("u1", "accetto");  // the typed title presses the button
  CHECK(bot.Count(
            "SELECT count(*) FROM users WHERE consent_version IS NOT NULL") ==
        1);
}

TEST_CASE(
    "refusing explains what still works and how to change one's mind and "
    "stores nothing") {
  TestBot bot;
  (void)bot.Say("u1", "profilo");
  (void)bot.Press("u1", "consent:age:16_29");
  auto replies = bot.Press("u1", "consent:no");
  CHECK(Mentions(replies, "/privacy"));
  CHECK(Has(ButtonIds(replies), "menu:info"));
  CHECK(bot.Count(
            "SELECT count(*) FROM users WHERE consent_version IS NOT NULL") ==
        0);
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow = ''") == 1);

  SUBCASE("information still works") {
    auto info = bot.Press("u1", "menu:info");
    CHECK(Mentions(info, bot.config.centre.address));
  }
  SUBCASE("asking again for a profile asks for consent again") {
    auto again = bot.Say("u1", "profilo");
    CHECK(ButtonIds(again) == kAgeButtons);
  }
  SUBCASE("the privacy page offers consent") {
    auto privacy = bot.Say("u1", "/privacy");
    REQUIRE(Has(ButtonIds(privacy), flows::kConsentStart));
    auto age = bot.Press("u1", flows::kConsentStart);
    CHECK(ButtonIds(age) == kAgeButtons);
  }
}

TEST_CASE("a person who has consented goes straight to the profile") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  auto replies = bot.Say("u1", "profilo");
  CHECK(Mentions(replies, "Come ti chiami"));
  CHECK_FALSE(Has(ButtonIds(replies), "consent:age:u14"));
}

TEST_CASE("consent given from the privacy page offers the profile next") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Press("u1", flows::kConsentStart);
  (void)bot.Press("u1", "consent:age:14_15");
  auto replies = bot.Press("u1", "consent:yes");
  CHECK(Has(ButtonIds(replies), "profile:start"));
  auto profile = bot.Press("u1", "profile:start");
  CHECK(Mentions(profile, "Come ti chiami"));
}

TEST_CASE("a person writing in English is asked in English") {
  TestBot bot;
  (void)bot.Say("u1", "hello");
  auto age = bot.Say("u1", "I want to create my profile");
  CHECK(Mentions(age, "How old are you"));
  (void)bot.Press("u1", "consent:age:16_29");
  auto first = bot.Press("u1", "consent:yes");
  CHECK(Mentions(first, "What's your name"));
}

TEST_CASE("the greeting and the menu need no consent") {
  TestBot bot;
  auto replies = bot.Say("u1", "ciao");
  CHECK(Has(ButtonIds(replies), "menu:jobs"));
  CHECK_FALSE(Has(ButtonIds(replies), "consent:age:u14"));
}

}  // namespace
}  // namespace sportello::testing
