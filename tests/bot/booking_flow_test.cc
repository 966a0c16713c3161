// Booking an appointment as a person experiences it through the web chat,
// the real dispatcher and SQLite: service, day and time by buttons or typed
// numbers, the confirmation in Italian or English, the list, cancelling,
// moving, a time taken by someone else meanwhile, a restart half-way, and
// the reminders a day and two hours before, due through the outbox.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "storage/appointments.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using std::chrono::year_month_day;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

// Tuesday 3 December 2030, the day most appointments are on.
constexpr year_month_day kTuesday = Day(2030, 12, 3);
constexpr const char* kTuesdayId = "2030-12-03";

std::string At(int64_t slot, const std::string& service = "orientamento",
               int64_t move = 0) {
  return "booking:at:" + service + ":" + std::to_string(move) + ":" +
         std::to_string(slot);
}

std::string DayId(const std::string& date,
                  const std::string& service = "orientamento",
                  int64_t move = 0) {
  return "booking:day:" + service + ":" + std::to_string(move) + ":" + date;
}

int64_t BookingId(TestBot& bot, int64_t slot) {
  return bot.Count(
      "SELECT id FROM bookings WHERE state = 'booked' AND slot_id = " +
      std::to_string(slot));
}

int64_t PendingReminders(TestBot& bot, int64_t booking) {
  return bot.Count(
      "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending') AND "
      "dedupe_key LIKE 'reminder:" +
      std::to_string(booking) + ":%'");
}

struct Fixture {
  TestBot bot;
  Fixture() { bot.clock.SetMillis(Rome(Day(2030, 11, 25), 9, 0)); }  // Monday
};

// Menu -> service -> day -> time, pressing buttons; returns the last replies.
nlohmann::json BookByButtons(TestBot& bot, const std::string& user,
                             int64_t slot,
                             const std::string& date = kTuesdayId) {
  (void)bot.Press(user, "menu:booking");
  (void)bot.Press(user, "booking:svc:orientamento");
  (void)bot.Press(user, DayId(date));
  return bot.Press(user, At(slot));
}

TEST_CASE(
    "a person books career guidance by buttons and reads when and where in "
    "Italian") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  AddSlot(f.bot, Rome(kTuesday, 11, 30));
  AddSlot(f.bot, Rome(Day(2030, 12, 5), 9, 0));
  Ready(f.bot, "u1");

  auto services = f.bot.Press("u1", "menu:booking");
  CHECK(Mentions(services, "Per quale servizio vuoi l'appuntamento?"));
  CHECK(ButtonIds(services) ==
        std::vector<std::string>{
            "booking:svc:orientamento", "booking:svc:bilancio_competenze",
            "booking:svc:garanzia_giovani", "booking:svc:curriculum",
            "booking:svc:creazione_impresa", "booking:svc:mobilita_europea"});
  CHECK(Titles(services).front() == "Orientamento");

  auto days = f.bot.Press("u1", "booking:svc:orientamento");
  CHECK(Mentions(days, "Che giorno ti va bene?"));
  CHECK(ButtonIds(days) ==
        std::vector<std::string>{DayId(kTuesdayId), DayId("2030-12-05")});
  CHECK(Titles(days) == std::vector<std::string>{"mar 3 dic", "gio 5 dic"});

  auto times = f.bot.Press("u1", DayId(kTuesdayId));
  CHECK(Mentions(times, "martedì 3 dicembre: a che ora?"));
  CHECK(Titles(times) ==
        std::vector<std::string>{"10:30", "11:30", "Un altro giorno"});
  CHECK(ButtonIds(times).front() == At(slot));

  auto done = f.bot.Press("u1", At(slot));
  CHECK(Mentions(done,
                 "✅ Prenotato! Orientamento, martedì 3 dicembre, ore 10:30."));
  CHECK(Mentions(done, kSlotPlace));
  CHECK(Offers(done, "booking:list"));
  CHECK(f.bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked'") ==
        1);
  CHECK(PendingReminders(f.bot, BookingId(f.bot, slot)) == 2);
  CHECK(f.bot.Count("SELECT count(*) FROM conversations WHERE flow <> ''") ==
        0);
}

TEST_CASE("a person writing in English books in English") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30), "curriculum");
  (void)f.bot.Say("u1", "hello");
  f.bot.GiveConsent("u1");

  auto services = f.bot.Say("u1", "I would like to book an appointment");
  CHECK(Mentions(services, "Which service would you like an appointment for?"));
  CHECK(Titles(services).front() == "Career guidance");
  auto days = f.bot.Press("u1", "booking:svc:curriculum");
  CHECK(Mentions(days, "Which day suits you?"));
  CHECK(Titles(days) == std::vector<std::string>{"Tue 3 Dec"});
  auto times = f.bot.Press("u1", DayId(kTuesdayId, "curriculum"));
  CHECK(Mentions(times, "Tuesday 3 December: what time?"));
  auto done = f.bot.Press("u1", At(slot, "curriculum"));
  CHECK(Mentions(done, "✅ Booked! CV check, Tuesday 3 December, 10:30."));
}

TEST_CASE("typed numbers choose where the channel shows no buttons") {
  Fixture f;
  const int64_t slot =
      AddSlot(f.bot, Rome(kTuesday, 15, 0), "bilancio_competenze");
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  auto days = f.bot.Say("u1", "2");  // Bilancio di competenze
  CHECK(Mentions(days, "Che giorno ti va bene?"));
  auto times = f.bot.Say("u1", "1");
  CHECK(Mentions(times, "martedì 3 dicembre: a che ora?"));
  auto done = f.bot.Say("u1", "1");
  CHECK(
      Mentions(done, "Bilancio di competenze, martedì 3 dicembre, ore 15:00."));
  CHECK(BookingId(f.bot, slot) > 0);
}

TEST_CASE("a typed time title chooses it too") {
  Fixture f;
  AddSlot(f.bot, Rome(kTuesday, 10, 30));
  const int64_t later = AddSlot(f.bot, Rome(kTuesday, 12, 0));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Say("u1", "Orientamento");
  (void)f.bot.Press("u1", DayId(kTuesdayId));
  auto done = f.bot.Say("u1", "12:00");
  CHECK(Mentions(done, "martedì 3 dicembre, ore 12:00"));
  CHECK(BookingId(f.bot, later) > 0);
}

TEST_CASE("naming the service and the day in the request goes to the times") {
  Fixture f;
  AddSlot(f.bot, Rome(Day(2030, 11, 28), 9, 0));  // an earlier day
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  auto times =
      f.bot.Say("u1", "vorrei prenotare orientamento per martedì 3 dicembre");
  CHECK(Mentions(times, "martedì 3 dicembre: a che ora?"));
  CHECK(Offers(times, At(slot)));
}

TEST_CASE("a day named before the service is kept for after it") {
  Fixture f;
  AddSlot(f.bot, Rome(Day(2030, 11, 28), 9, 0));
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  auto services =
      f.bot.Say("u1", "prenota un colloquio per martedì 3 dicembre");
  CHECK(Mentions(services, "Per quale servizio vuoi l'appuntamento?"));
  SUBCASE("a free day goes straight to its times") {
    auto times = f.bot.Press("u1", "booking:svc:orientamento");
    CHECK(Mentions(times, "martedì 3 dicembre: a che ora?"));
    CHECK(Offers(times, At(slot)));
  }
  SUBCASE("a full day says so and offers the others") {
    AddSlot(f.bot, Rome(Day(2030, 11, 29), 9, 0), "curriculum");
    auto days = f.bot.Press("u1", "booking:svc:curriculum");
    CHECK(Mentions(days, "Per martedì 3 dicembre non ci sono orari liberi."));
    CHECK(Offers(days, DayId("2030-11-29", "curriculum")));
  }
}

TEST_CASE("typing a day while choosing one shows that day's times") {
  Fixture f;
  AddSlot(f.bot, Rome(Day(2030, 11, 28), 9, 0));
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Press("u1", "booking:svc:orientamento");
  auto times = f.bot.Say("u1", "martedì 3 dicembre");
  CHECK(Mentions(times, "martedì 3 dicembre: a che ora?"));
  CHECK(Offers(times, At(slot)));

  auto full = f.bot.Say("u1", "mercoledì 4 dicembre");
  CHECK(Mentions(full, "Per mercoledì 4 dicembre non ci sono orari liberi."));
  CHECK(Offers(full, DayId(kTuesdayId)));
}

TEST_CASE("more days and more times come a page at a time") {
  Fixture f;
  // Seven open weekdays from Tuesday 3 December (Friday 6 is Bari's patron
  // saint: closed), and eight times on the first.
  for (unsigned d : {3u, 4u, 5u, 9u, 10u, 11u, 12u})
    AddSlot(f.bot, Rome(Day(2030, 12, d), 9, 0));
  for (int h = 10; h < 17; ++h) AddSlot(f.bot, Rome(kTuesday, h, 0));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  auto days = f.bot.Press("u1", "booking:svc:orientamento");
  CHECK(Titles(days) == std::vector<std::string>{"mar 3 dic", "mer 4 dic",
                                                 "gio 5 dic", "lun 9 dic",
                                                 "mar 10 dic", "Altri giorni"});
  auto more_days = f.bot.Press("u1", ButtonIds(days).back());
  CHECK(Titles(more_days) ==
        std::vector<std::string>{"mer 11 dic", "gio 12 dic"});

  auto times = f.bot.Press("u1", DayId(kTuesdayId));
  CHECK(Titles(times) ==
        std::vector<std::string>{"09:00", "10:00", "11:00", "12:00", "13:00",
                                 "14:00", "Altri orari", "Un altro giorno"});
  auto more_times = f.bot.Press("u1", ButtonIds(times)[6]);
  CHECK(Titles(more_times) ==
        std::vector<std::string>{"15:00", "16:00", "Un altro giorno"});
  auto other_day = f.bot.Press("u1", ButtonIds(more_times).back());
  CHECK(Mentions(other_day, "Che giorno ti va bene?"));
}

TEST_CASE("in-person and online times at the same hour are both offered") {
  Fixture f;
  AddSlot(f.bot, Rome(kTuesday, 10, 30));
  const int64_t online =
      AddSlot(f.bot, Rome(kTuesday, 10, 30), "orientamento", "Marco", true);
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Press("u1", "booking:svc:orientamento");
  auto times = f.bot.Press("u1", DayId(kTuesdayId));
  const auto titles = Titles(times);
  CHECK(std::count(titles.begin(), titles.end(), "10:30 online") == 1);
  auto done = f.bot.Press("u1", At(online));
  CHECK(Mentions(done, "online: https://meet.example.org/pf"));
}

TEST_CASE("with no free time the person is offered to talk to someone") {
  Fixture f;
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  auto none = f.bot.Press("u1", "booking:svc:mobilita_europea");
  CHECK(Mentions(none, "non ci sono orari liberi per questo servizio"));
  CHECK(ButtonIds(none) == std::vector<std::string>{"menu:human"});
}

TEST_CASE("booking waits for consent and goes on once the person accepts") {
  Fixture f;
  AddSlot(f.bot, Rome(kTuesday, 10, 30));
  (void)f.bot.Say("u1", "ciao");
  auto asked = f.bot.Press("u1", "menu:booking");
  CHECK_FALSE(Mentions(asked, "Per quale servizio"));
  (void)f.bot.Press("u1", "consent:age:16_29");
  auto accepted = f.bot.Press("u1", "consent:yes");
  CHECK(Mentions(accepted, "Per quale servizio vuoi l'appuntamento?"));
}

TEST_CASE("the list shows upcoming appointments with move and cancel") {
  Fixture f;
  const int64_t a = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  const int64_t b = AddSlot(f.bot, Rome(Day(2030, 12, 5), 9, 0));
  Ready(f.bot, "u1");

  auto empty = f.bot.Say("u1", "quali sono i miei appuntamenti?");
  CHECK(Mentions(empty, "Non hai appuntamenti in programma."));
  CHECK(ButtonIds(empty) == std::vector<std::string>{"booking:new"});

  (void)BookByButtons(f.bot, "u1", a);
  auto one = f.bot.Say("u1", "quali sono i miei appuntamenti?");
  CHECK(Mentions(one, "I tuoi appuntamenti:"));
  CHECK(Mentions(one, "• Orientamento: martedì 3 dicembre, ore 10:30"));
  const std::string id = std::to_string(BookingId(f.bot, a));
  CHECK(ButtonIds(one) == std::vector<std::string>{"booking:move:" + id,
                                                   "booking:cancel:" + id,
                                                   "booking:new"});

  (void)BookByButtons(f.bot, "u1", b, "2030-12-05");
  auto two = f.bot.Press("u1", "booking:list");
  CHECK(Mentions(two, "giovedì 5 dicembre, ore 09:00"));
  CHECK(Titles(two) == std::vector<std::string>{"mar 3 dic 10:30",
                                                "gio 5 dic 09:00",
                                                "Nuovo appuntamento"});
  auto shown = f.bot.Press("u1", "booking:show:" + id);
  CHECK(Mentions(shown, "martedì 3 dicembre, ore 10:30"));
  CHECK(Offers(shown, "booking:cancel:" + id));
}

TEST_CASE(
    "cancelling asks first, frees the slot and its reminders are never sent") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)BookByButtons(f.bot, "u1", slot);
  const int64_t booking = BookingId(f.bot, slot);
  REQUIRE(PendingReminders(f.bot, booking) == 2);

  auto confirm = f.bot.Say("u1", "voglio disdire l'appuntamento");
  CHECK(Mentions(confirm,
                 "Vuoi disdire l'appuntamento per Orientamento di martedì 3 "
                 "dicembre, ore 10:30?"));
  SUBCASE("by the button") {
    auto done =
        f.bot.Press("u1", "booking:cancel_ok:" + std::to_string(booking));
    CHECK(Mentions(done, "ho annullato l'appuntamento per Orientamento"));
  }
  SUBCASE("by a typed yes") {
    auto done = f.bot.Say("u1", "sì");
    CHECK(Mentions(done, "ho annullato l'appuntamento per Orientamento"));
  }
  CHECK(f.bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked'") ==
        0);
  CHECK(PendingReminders(f.bot, booking) == 0);
  f.bot.clock.SetMillis(Rome(kTuesday, 10, 0));
  CHECK(Poll(f.bot, "u1").empty());

  // The time is free again for someone else.
  Ready(f.bot, "u2");
  auto again = BookByButtons(f.bot, "u2", slot);
  CHECK(Mentions(again, "Prenotato!"));
}

TEST_CASE("keeping the appointment when asked to cancel changes nothing") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)BookByButtons(f.bot, "u1", slot);
  const int64_t booking = BookingId(f.bot, slot);
  (void)f.bot.Press("u1", "booking:cancel:" + std::to_string(booking));
  auto kept = f.bot.Say("u1", "no");
  CHECK(Mentions(kept, "resta martedì 3 dicembre, ore 10:30"));
  CHECK(BookingId(f.bot, slot) == booking);
  CHECK(PendingReminders(f.bot, booking) == 2);
}

TEST_CASE(
    "moving an appointment books the new time and cancels the old one with "
    "its reminders") {
  Fixture f;
  const int64_t old_slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  const int64_t new_slot = AddSlot(f.bot, Rome(Day(2030, 12, 5), 16, 0));
  Ready(f.bot, "u1");
  (void)BookByButtons(f.bot, "u1", old_slot);
  const int64_t old_booking = BookingId(f.bot, old_slot);

  auto days = f.bot.Press("u1", "booking:move:" + std::to_string(old_booking));
  CHECK(Mentions(
      days,
      "Spostiamo l'appuntamento per Orientamento di martedì 3 dicembre, "
      "ore 10:30."));
  // The appointment's own time is not free: only the other day is offered.
  CHECK(ButtonIds(days) == std::vector<std::string>{DayId(
                               "2030-12-05", "orientamento", old_booking)});
  auto times =
      f.bot.Press("u1", DayId("2030-12-05", "orientamento", old_booking));
  CHECK(Offers(times, At(new_slot, "orientamento", old_booking)));
  auto moved = f.bot.Press("u1", At(new_slot, "orientamento", old_booking));
  CHECK(Mentions(moved,
                 "🔁 Spostato! Il nuovo appuntamento per Orientamento è "
                 "giovedì 5 dicembre, ore 16:00."));

  CHECK(BookingId(f.bot, old_slot) == -1);
  const int64_t new_booking = BookingId(f.bot, new_slot);
  CHECK(new_booking > 0);
  CHECK(PendingReminders(f.bot, old_booking) == 0);
  CHECK(PendingReminders(f.bot, new_booking) == 2);
}

TEST_CASE(
    "a time taken between showing and pressing offers the next free ones") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Press("u1", "booking:svc:orientamento");
  auto shown = f.bot.Press("u1", DayId(kTuesdayId));
  REQUIRE(Offers(shown, At(slot)));

  SUBCASE("others are free") {
    const int64_t next = AddSlot(f.bot, Rome(kTuesday, 11, 15));
    const int64_t after = AddSlot(f.bot, Rome(Day(2030, 12, 4), 9, 0));
    (void)BookByButtons(f.bot, "u2", slot);
    auto taken = f.bot.Press("u1", At(slot));
    CHECK(Mentions(taken, "quell'orario è appena stato preso"));
    CHECK(Titles(taken) == std::vector<std::string>{"mar 3 dic 11:15",
                                                    "mer 4 dic 09:00",
                                                    "Un altro giorno"});
    auto done = f.bot.Press("u1", At(after));
    CHECK(Mentions(done, "mercoledì 4 dicembre, ore 09:00"));
    CHECK(BookingId(f.bot, next) == -1);
  }
  SUBCASE("it was the last one") {
    (void)BookByButtons(f.bot, "u2", slot);
    auto none = f.bot.Press("u1", At(slot));
    CHECK(Mentions(none, "non ci sono orari liberi"));
    CHECK(ButtonIds(none) == std::vector<std::string>{"menu:human"});
  }
  CHECK(f.bot.Count("SELECT count(*) FROM bookings WHERE slot_id = " +
                    std::to_string(slot)) == 1);
}

TEST_CASE(
    "a restart after choosing the service and the day resumes the choice") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Press("u1", "booking:svc:orientamento");
  (void)f.bot.Press("u1", DayId(kTuesdayId));
  f.bot.Restart();

  SUBCASE("typing the number of the time books it") {
    auto done = f.bot.Say("u1", "1");
    CHECK(Mentions(done,
                   "Prenotato! Orientamento, martedì 3 dicembre, ore 10:30"));
  }
  SUBCASE("anything else asks the same question again") {
    auto again = f.bot.Say("u1", "boh");
    CHECK(Mentions(again, "Scegli una delle opzioni"));
    CHECK(Mentions(again, "martedì 3 dicembre: a che ora?"));
    CHECK(Offers(again, At(slot)));
    auto done = f.bot.Press("u1", At(slot));
    CHECK(Mentions(done, "Prenotato!"));
  }
}

TEST_CASE("pressing the booked time again confirms it again, booked once") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)BookByButtons(f.bot, "u1", slot);
  auto again = f.bot.Press("u1", At(slot));
  CHECK(Mentions(again,
                 "Prenotato! Orientamento, martedì 3 dicembre, ore 10:30"));
  CHECK(f.bot.Count("SELECT count(*) FROM bookings") == 1);
  CHECK(PendingReminders(f.bot, BookingId(f.bot, slot)) == 2);
}

TEST_CASE("another person's appointment is never shown, moved or cancelled") {
  Fixture f;
  const int64_t slot = AddSlot(f.bot, Rome(kTuesday, 10, 30));
  AddSlot(f.bot, Rome(Day(2030, 12, 5), 9, 0));
  Ready(f.bot, "u1");
  Ready(f.bot, "u2");
  (void)BookByButtons(f.bot, "u1", slot);
  const std::string id = std::to_string(BookingId(f.bot, slot));
  for (const char* verb : {"show", "move", "cancel", "cancel_ok", "keep"}) {
    CAPTURE(verb);
    auto r = f.bot.Press("u2", std::string("booking:") + verb + ":" + id);
    CHECK(Mentions(r, "Quell'appuntamento non è più attivo."));
    CHECK_FALSE(Mentions(r, "10:30"));
  }
  CHECK(BookingId(f.bot, slot) == std::stoll(id));
}

TEST_CASE("annulla in the middle leaves the flow and books nothing") {
  Fixture f;
  AddSlot(f.bot, Rome(kTuesday, 10, 30));
  Ready(f.bot, "u1");
  (void)f.bot.Press("u1", "menu:booking");
  (void)f.bot.Press("u1", "booking:svc:orientamento");
  auto left = f.bot.Say("u1", "annulla");
  CHECK(Mentions(left, "Ok, lasciamo perdere."));
  CHECK(Offers(left, "menu:booking"));
  CHECK(f.bot.Count("SELECT count(*) FROM conversations WHERE flow <> ''") ==
        0);
  CHECK(f.bot.Count("SELECT count(*) FROM bookings") == 0);
}

TEST_CASE(
    "reminders come a day and two hours before, through the outbox, across "
    "a restart") {
  Fixture f;
  const int64_t start = Rome(kTuesday, 10, 30);
  const int64_t slot = AddSlot(f.bot, start);
  Ready(f.bot, "u1");
  (void)BookByButtons(f.bot, "u1", slot);
  f.bot.Restart();

  f.bot.clock.SetMillis(start - 24 * kHour - kMinute);
  CHECK(Poll(f.bot, "u1").empty());
  f.bot.clock.SetMillis(start - 24 * kHour);
  auto day_before = Poll(f.bot, "u1");
  REQUIRE(day_before.size() == 1);
  CHECK(Mentions(day_before,
                 "Promemoria: domani, martedì 3 dicembre, ore 10:30, hai "
                 "l'appuntamento per Orientamento."));

  f.bot.clock.SetMillis(start - 2 * kHour - kMinute);
  CHECK(Poll(f.bot, "u1").empty());
  f.bot.clock.SetMillis(start - 2 * kHour);
  auto soon = Poll(f.bot, "u1");
  REQUIRE(soon.size() == 1);
  CHECK(Mentions(
      soon, "A tra poco! Alle 10:30 hai l'appuntamento per Orientamento."));
}

}  // namespace
}  // namespace sportello::testing
