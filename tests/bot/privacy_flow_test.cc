// The person's privacy rights through the web chat, the real dispatcher and
// SQLite: what is stored about them, readable; erasure after a
// confirmation; notices on and off; all of it from anywhere.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bot/domain/booking.h"
#include "bot/domain/events.h"
#include "bot/flows/consent.h"
#include "storage/appointments.h"
#include "storage/events.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

// A consenting person with a profile begun: name, birth year, comune.
void WithProfile(TestBot& bot) {
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  (void)bot.Say("u1", "profilo");
  (void)bot.Say("u1", "Giulia");
  (void)bot.Say("u1", "2004");
  (void)bot.Say("u1", "Molfetta");
}

TEST_CASE(
    "the privacy page shows the consent and the notices and offers each "
    "right") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto page = bot.Say("u1", "/privacy");
  CHECK(Mentions(page, Catalogue().Text("it", "privacy.consent_no")));
  CHECK(Mentions(page, Catalogue().Text("it", "privacy.notify_is_off")));
  const auto ids = ButtonIds(page);
  CHECK(Has(ids, "privacy:export"));
  CHECK(Has(ids, "privacy:erase"));
  CHECK(Has(ids, "privacy:notify_on"));
  CHECK(Has(ids, flows::kConsentStart));

  SUBCASE(
      "once consent is given the page says when and offers no consent button") {
    bot.GiveConsent("u1");
    auto after = bot.Say("u1", "/privacy");
    CHECK(Mentions(after, flows::kConsentVersion));
    CHECK_FALSE(Has(ButtonIds(after), flows::kConsentStart));
  }
}

TEST_CASE("my data lists the profile the consent and how much is stored") {
  TestBot bot;
  WithProfile(bot);
  auto data = bot.Say("u1", "i miei dati");
  REQUIRE(data.size() == 1);
  const std::string text = AllText(data);
  CHECK(text.find("Giulia") != std::string::npos);
  CHECK(text.find("2004") != std::string::npos);
  CHECK(text.find("Molfetta") != std::string::npos);
  CHECK(text.find("16-29") != std::string::npos);  // the age band
  CHECK(text.find(flows::kConsentVersion) != std::string::npos);
  CHECK(text.find("web") != std::string::npos);
  CHECK(Has(ButtonIds(data), "privacy:erase"));
}

TEST_CASE("erasing asks first and keeps everything on no") {
  TestBot bot;
  WithProfile(bot);
  auto confirm = bot.Say("u1", "cancella i miei dati");
  CHECK(ButtonIds(confirm) ==
        std::vector<std::string>{"privacy:erase_yes", "privacy:erase_no"});
  SUBCASE("no") {
    auto kept = bot.Press("u1", "privacy:erase_no");
    CHECK(Mentions(kept, Catalogue().Text("it", "privacy.erase_kept")));
  }
  SUBCASE("anything but a clear yes") {
    auto kept = bot.Say("u1", "boh");
    CHECK(Mentions(kept, Catalogue().Text("it", "privacy.erase_kept")));
  }
  CHECK(bot.Count("SELECT count(*) FROM profile_answers") == 3);
  CHECK(bot.Count(
            "SELECT count(*) FROM users WHERE consent_version IS NOT NULL") ==
        1);
}

TEST_CASE("after erasure my data shows nothing personal") {
  TestBot bot;
  WithProfile(bot);
  (void)bot.Say("u1", "cancella i miei dati");
  auto erased = bot.Press("u1", "privacy:erase_yes");
  CHECK(Mentions(erased, Catalogue().Text("it", "privacy.erased")));
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  CHECK(bot.Count("SELECT count(*) FROM profile_answers") == 0);
  CHECK(bot.Count("SELECT count(*) FROM users WHERE consent_version IS NULL "
                  "AND consent_at IS NULL"
                  " AND name = '' AND notify = 0") == 1);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE text LIKE '%Giulia%' OR "
                  "text LIKE '%Molfetta%'") == 0);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE text = '[cancellato]'") >
        0);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE payload LIKE '%Giulia%'") ==
        0);
  CHECK(bot.Count(
            "SELECT count(*) FROM outbox WHERE payload LIKE '%Giulia%'") == 0);

  auto data = bot.Say("u1", "i miei dati");
  const std::string text = AllText(data);
  CHECK(text.find("Giulia") == std::string::npos);
  CHECK(text.find("Molfetta") == std::string::npos);
  CHECK(text.find(Catalogue().Text("it", "privacy.export.no_profile")) !=
        std::string::npos);
  CHECK(text.find(Catalogue().Text("it", "privacy.consent_no")) !=
        std::string::npos);

  SUBCASE("a profile needs consent again") {
    auto again = bot.Say("u1", "profilo");
    CHECK(Has(ButtonIds(again), "consent:age:16_29"));
  }
}

TEST_CASE(
    "erasure cancels upcoming appointments and their reminders and unlinks the "
    "bookings") {
  TestBot bot;
  WithProfile(bot);
  const int64_t now = bot.clock.NowMillis();
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                storage::NewSlot slot;
                slot.service_code = "orientamento";
                slot.counsellor = "anna";
                slot.starts_at = now + 72 * 3'600'000LL;
                slot.minutes = 45;
                slot.place = "Via Petroni 15";
                auto slot_id = storage::AddSlot(db, slot, now);
                if (!slot_id.ok()) return slot_id.status();
                auto user = db.Prepare("SELECT id FROM users");
                if (!user.Step()) return core::Status::Internal("no user");
                return booking::Book(db, bot.catalog, user.Int(0), *slot_id,
                                     "orientamento", now)
                    .status();
              })
              .ok());
  REQUIRE(
      bot.Count(
          "SELECT count(*) FROM outbox WHERE state = 'pending' AND due_at > " +
          std::to_string(now)) == 2);
  (void)bot.Say("u1", "cancella i miei dati");
  auto erased = bot.Press("u1", "privacy:erase_yes");
  CHECK(Mentions(erased, "(1)"));
  CHECK(bot.Count("SELECT count(*) FROM bookings WHERE user_id IS NULL AND "
                  "state = 'cancelled'") == 1);
  CHECK(
      bot.Count(
          "SELECT count(*) FROM outbox WHERE state = 'pending' AND due_at > " +
          std::to_string(now)) == 0);
}

TEST_CASE(
    "erasure gives up the person's event places: the next in line gets it and "
    "no reminder goes out") {
  TestBot bot;
  WithProfile(bot);
  (void)bot.Say("u2", "ciao");
  bot.GiveConsent("u2");
  const int64_t now = bot.clock.NowMillis();
  int64_t event_id = 0;
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                storage::NewEvent e;
                e.title = "Recruiting day";
                e.starts_at = now + 72 * 3'600'000LL;
                e.ends_at = e.starts_at + 3'600'000LL;
                e.place = "Fiera del Levante";
                e.capacity = 1;
                auto id = storage::AddEvent(db, e, now);
                if (!id.ok()) return id.status();
                event_id = *id;
                return core::Status::Ok();
              })
              .ok());
  const std::string join = "events:join:" + std::to_string(event_id);
  (void)bot.Press("u1", join);  // the only place
  (void)bot.Press("u2", join);  // waiting
  REQUIRE(bot.Count("SELECT count(*) FROM event_signups WHERE state = "
                    "'signed_up'") == 1);
  const int64_t u1 = bot.Count("SELECT id FROM users WHERE chat_id = 'u1'");
  const std::string reminder = EventReminderKey(event_id, u1);
  REQUIRE(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key = '" +
                    reminder + "' AND state = 'pending'") == 1);
  (void)bot.Say("u1", "cancella i miei dati");
  (void)bot.Press("u1", "privacy:erase_yes");
  CHECK(bot.Count("SELECT count(*) FROM event_signups s JOIN users u ON "
                  "u.id = s.user_id WHERE u.chat_id = 'u2' AND s.state = "
                  "'signed_up'") == 1);
  CHECK(bot.Count("SELECT count(*) FROM event_signups s JOIN users u ON "
                  "u.id = s.user_id WHERE u.chat_id = 'u1' AND s.state != "
                  "'cancelled'") == 0);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key = '" +
                  reminder + "' AND state = 'pending'") == 0);
}

TEST_CASE("notices are turned on and off and the change is confirmed") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");  // notices go only to people who consented
  auto on = bot.Say("u1", "attiva notifiche");
  CHECK(Mentions(on, Catalogue().Text("it", "privacy.notify_on_done")));
  CHECK(bot.Count("SELECT notify FROM users") == 1);
  auto off = bot.Press("u1", "privacy:notify_off");
  CHECK(Mentions(off, Catalogue().Text("it", "privacy.notify_off_done")));
  CHECK(bot.Count("SELECT notify FROM users") == 0);
  (void)bot.Say("u1", "stop notifiche");
  CHECK(bot.Count("SELECT notify FROM users") == 0);
  (void)bot.Press("u1", "privacy:notify_on");
  CHECK(bot.Count("SELECT notify FROM users") == 1);
}

TEST_CASE("privacy requests are answered even in the middle of another flow") {
  TestBot bot;
  WithProfile(bot);
  REQUIRE(
      bot.Count("SELECT count(*) FROM conversations WHERE flow = 'profile'") ==
      1);
  auto confirm = bot.Say("u1", "cancella i miei dati");
  CHECK(Has(ButtonIds(confirm), "privacy:erase_yes"));
  auto data = bot.Say("u1", "i miei dati");
  CHECK(Mentions(data, "Giulia"));
}

TEST_CASE("stop in the middle of a flow leaves it and turns notices off") {
  TestBot bot;
  WithProfile(bot);
  (void)bot.Say("u1", "attiva notifiche");
  (void)bot.Press("u1", "profile:start");
  REQUIRE(
      bot.Count("SELECT count(*) FROM conversations WHERE flow = 'profile'") ==
      1);
  for (const char* stop : {"STOP", "/stop"}) {
    CAPTURE(stop);
    auto r = bot.Say("u1", stop);
    CHECK(Mentions(r, Catalogue().Text("it", "privacy.notify_off_done")));
    CHECK(bot.Count("SELECT notify FROM users") == 0);
    CHECK(bot.Count("SELECT count(*) FROM conversations WHERE flow != ''") ==
          0);
    (void)bot.Press("u1", "privacy:notify_on");
    (void)bot.Press("u1", "profile:start");
  }
}

TEST_CASE("a restart between the erasure question and the answer erases") {
  TestBot bot;
  WithProfile(bot);
  auto confirm = bot.Say("u1", "cancella i miei dati");
  REQUIRE(Has(ButtonIds(confirm), "privacy:erase_yes"));
  bot.Restart();
  auto erased = bot.Press("u1", "privacy:erase_yes");
  CHECK(Mentions(erased, Catalogue().Text("it", "privacy.erased")));
  CHECK(bot.Count("SELECT count(*) FROM profiles") == 0);
  CHECK(bot.Count("SELECT count(*) FROM audit_log WHERE action = 'erasure' "
                  "AND actor = 'person'") == 1);
}

TEST_CASE("what people ask of their own data is in the audit log") {
  TestBot bot;
  WithProfile(bot);
  (void)bot.Say("u1", "i miei dati");
  CHECK(bot.Count("SELECT count(*) FROM audit_log WHERE action = 'export' "
                  "AND actor = 'person' AND user_id IS NOT NULL") == 1);
}

TEST_CASE("the full privacy notice is one press away") {
  TestBot bot;
  (void)bot.Say("u1", "/privacy");
  auto notice = bot.Press("u1", "privacy:notice");
  CHECK(Mentions(notice, bot.config.centre.name));
  CHECK(Mentions(notice, "Garante"));
}

TEST_CASE("a subscriber chooses the topics of the notices they get") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  bot.GiveConsent("u1");
  auto on = bot.Say("u1", "attiva notifiche");
  REQUIRE(Has(ButtonIds(on), "privacy:topic:recruiting"));
  REQUIRE(Has(ButtonIds(on), "privacy:topics_all"));

  auto one = bot.Press("u1", "privacy:topic:impresa");
  CHECK(Mentions(one, Catalogue().Text("it", "topic.impresa")));
  // What was chosen is not offered again; "done" replaces "everything".
  CHECK_FALSE(Has(ButtonIds(one), "privacy:topic:impresa"));
  CHECK(Has(ButtonIds(one), "privacy:topics_done"));
  (void)bot.Press("u1", "privacy:topic:europa");
  (void)bot.Press("u1", "privacy:topic:europa");
  CHECK(bot.Count("SELECT count(*) FROM user_topics") == 2);

  SUBCASE("everything clears the choice") {
    auto all = bot.Press("u1", "privacy:topics_all");
    CHECK(Mentions(all, Catalogue().Text("it", "privacy.topics_all_done")));
    CHECK(bot.Count("SELECT count(*) FROM user_topics") == 0);
  }
  SUBCASE("a topic the bot never offered is not stored") {
    auto odd = bot.Press("u1", "privacy:topic:'; DROP TABLE users; --");
    CHECK(Has(ButtonIds(odd), "privacy:topic:recruiting"));
    CHECK(bot.Count("SELECT count(*) FROM user_topics") == 2);
  }
  SUBCASE("erasure forgets the topics too") {
    (void)bot.Say("u1", "cancella i miei dati");
    (void)bot.Press("u1", "privacy:erase_yes");
    CHECK(bot.Count("SELECT count(*) FROM user_topics") == 0);
  }
}

}  // namespace
}  // namespace sportello::testing
