// Asking for a person: the honest answer outside opening hours, the notice
// after waiting too long, and booking as the way out of the queue.
#include <doctest/doctest.h>

#include "bot/core/rome_time.h"
#include "bot/domain/opening_hours.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::November;

TEST_CASE("opening hours are read as ISO weekdays and Rome wall-clock times") {
  auto hours = ParseOpeningHours("1-5 09:00-13:00; 2,4 15:00-17:30");
  REQUIRE(hours.ok());
  const std::chrono::year_month_day tuesday{2026y / November / 24};
  const std::chrono::year_month_day monday{2026y / November / 23};
  const std::chrono::year_month_day sunday{2026y / November / 22};
  CHECK(IsOpenAt(*hours, Rome(tuesday, 9, 0)));
  CHECK(IsOpenAt(*hours, Rome(tuesday, 16, 0)));
  CHECK_FALSE(IsOpenAt(*hours, Rome(tuesday, 13, 0)));
  CHECK_FALSE(IsOpenAt(*hours, Rome(monday, 16, 0)));
  CHECK_FALSE(IsOpenAt(*hours, Rome(sunday, 10, 0)));
  for (const char* bad :
       {"1-5", "0 09:00-10:00", "1-5 10:00-09:00", "1-8 09:00-10:00",
        "lun 09:00-10:00", "1 9:00-10:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseOpeningHours(bad).ok());
  }
}

TEST_CASE(
    "asking for a person when the centre is closed gets an honest "
    "answer and a booking button") {
  TestBot bot;
  bot.clock.SetMillis(Rome(2026y / November / 22, 11, 0));  // a Sunday
  (void)bot.Say("u1", "ciao");

  const auto replies = bot.Press("u1", "menu:human");

  CHECK(AllText(replies).find("chiuso") != std::string::npos);
  CHECK(Has(ButtonIds(replies), "menu:booking"));
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = "
                  "'waiting_for_human'") == 1);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                  "'handoff-timeout:%'") == 0);
}

TEST_CASE(
    "a person left waiting is told after the timeout and offered a "
    "booking") {
  TestBot bot;
  bot.config.handoff_timeout_minutes = 20;
  bot.clock.SetMillis(Rome(2026y / November / 24, 10, 0));  // a Tuesday
  (void)bot.Say("u1", "ciao");
  const auto queued = bot.Press("u1", "menu:human");
  REQUIRE(AllText(queued).find("coda") != std::string::npos);

  bot.clock.Advance(19min);
  CHECK(Poll(bot, "u1").empty());
  bot.clock.Advance(2min);
  const auto notice = Poll(bot, "u1");

  REQUIRE(notice.size() == 1);
  CHECK(AllText(notice).find("attesa") != std::string::npos);
  CHECK(Has(ButtonIds(notice), "menu:booking"));
}

TEST_CASE(
    "pressing booking while waiting leaves the queue and the bot "
    "answers") {
  TestBot bot;
  bot.clock.SetMillis(Rome(2026y / November / 24, 10, 0));
  (void)bot.Say("u1", "ciao");
  (void)bot.Press("u1", "menu:human");
  // Kept for the counsellor: one reminder of the queue, then silence.
  CHECK(AllText(bot.Say("u1", "c'è qualcuno?")).find("coda") !=
        std::string::npos);
  CHECK(bot.Say("u1", "pronto?").empty());

  const auto replies = bot.Press("u1", "menu:booking");

  CHECK_FALSE(replies.empty());
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = 'bot'") ==
        1);
  CHECK(bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                  "'handoff-timeout:%' AND state = 'cancelled'") == 1);
}

}  // namespace
}  // namespace sportello::testing
