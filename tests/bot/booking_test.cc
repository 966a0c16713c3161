// Booking an appointment: one person per slot even when two race for it on
// separate connections, reminders 24 h and 2 h before through the outbox
// (never after a cancellation), rescheduling, and dates the Italian way.
#include "bot/domain/booking.h"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bot/core/rome_time.h"
#include "bot/domain/catalog.h"
#include "storage/codec.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/outbox.h"
#include "storage/store.h"
#include "storage/users.h"
#include "tests/support/claim_due.h"
#include "tests/support/rome_day.h"
#include "tests/support/temp_dir.h"

namespace sportello::booking {
namespace {

using core::Status;
using std::chrono::year_month_day;
using storage::Database;
using storage::Statement;
using support::Day;
using support::Rome;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMinute = 60'000;

const Catalog& Texts() {
  static const Catalog catalog = Catalog::LoadEmbedded().value();
  return catalog;
}

std::unique_ptr<Database> MigratedDb() {
  auto db = Database::OpenInMemory();
  REQUIRE(db.ok());
  REQUIRE(storage::Migrate(**db).ok());
  return std::move(*db);
}

int64_t NewUser(Database& db, const std::string& id,
                const std::string& lang = "",
                const std::string& channel = "telegram") {
  auto u = storage::UpsertUserOnInbound(db, channel, id, "chat-" + id, "", 0);
  REQUIRE(u.ok());
  if (!lang.empty()) REQUIRE(storage::SetUserLanguage(db, u->id, lang).ok());
  return u->id;
}

int64_t NewSlot(Database& db, int64_t starts_at,
                const char* service = "orientamento",
                const std::string& counsellor = "Giulia Rossi") {
  storage::NewSlot s;
  if (service) s.service_code = service;
  s.counsellor = counsellor;
  s.starts_at = starts_at;
  s.minutes = 45;
  s.place = "Sede Porta Futuro";
  auto id = storage::AddSlot(db, s, 0);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  return *id;
}

// Book, Cancel and Reschedule in their own committed transaction.
template <typename Fn>
auto Committed(Database& db, Fn fn) {
  storage::Transaction txn(db);
  REQUIRE(txn.status().ok());
  auto result = fn();
  if (result.ok()) REQUIRE(txn.Commit().ok());
  return result;
}

core::Result<Appointment> BookIn(Database& db, int64_t user, int64_t slot,
                                 int64_t now, std::string_view service = "") {
  return Committed(db,
                   [&] { return Book(db, Texts(), user, slot, service, now); });
}

struct ReminderRow {
  std::string key;
  int64_t due_at = 0;
  std::string state;
  std::string payload;
};

// Reminder rows by dedupe key order of creation.
std::vector<ReminderRow> Reminders(Database& db) {
  Statement st = db.Prepare(
      "SELECT dedupe_key, due_at, state, payload FROM outbox"
      " WHERE dedupe_key LIKE 'reminder:%' ORDER BY id");
  std::vector<ReminderRow> rows;
  while (st.Step())
    rows.push_back({st.Text(0), st.Int(1), st.Text(2), st.Text(3)});
  REQUIRE(st.status().ok());
  return rows;
}

// Everything the sender would claim at `at`, marked sent.
std::vector<storage::OutboxRow> SendDue(Database& db, int64_t at) {
  std::vector<storage::OutboxRow> sent;
  for (;;) {
    auto rows = support::ClaimDueOutbox(db, at, 100, {});
    REQUIRE(rows.ok());
    if (rows->empty()) return sent;
    for (const auto& r : *rows) {
      REQUIRE(storage::MarkOutboxSent(db, r.id, "", at).ok());
      sent.push_back(r);
    }
  }
}

// --- Dates and times

TEST_CASE("an appointment is written the Italian way with accents") {
  const int64_t at = Rome(Day(2030, 12, 3), 10, 30);
  CHECK(FormatWhen("it", at) == "martedì 3 dicembre, ore 10:30");
  CHECK(FormatWhen("en", at) == "Tuesday 3 December, 10:30");
  CHECK(FormatWhen("fr", at) == "martedì 3 dicembre, ore 10:30");
  CHECK(FormatTime(Rome(Day(2030, 12, 3), 9, 5)) == "09:05");
}

TEST_CASE("every weekday and month has its Italian and English name") {
  // 1-7 December 2025 run from Monday to Sunday.
  const std::array<const char*, 7> it = {"lunedì",  "martedì", "mercoledì",
                                         "giovedì", "venerdì", "sabato",
                                         "domenica"};
  const std::array<const char*, 7> en = {"Monday",   "Tuesday", "Wednesday",
                                         "Thursday", "Friday",  "Saturday",
                                         "Sunday"};
  for (unsigned d = 1; d <= 7; ++d) {
    CAPTURE(d);
    CHECK(FormatDay("it", Day(2025, 12, d)) ==
          std::string(it[d - 1]) + " " + std::to_string(d) + " dicembre");
    CHECK(FormatDay("en", Day(2025, 12, d)) ==
          std::string(en[d - 1]) + " " + std::to_string(d) + " December");
  }
  const std::array<const char*, 12> months = {
      "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
      "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
  for (unsigned m = 1; m <= 12; ++m) {
    CAPTURE(m);
    const std::string day = FormatDay("it", Day(2026, m, 15));
    CHECK(day.substr(day.find(' ') + 1) == std::string("15 ") + months[m - 1]);
  }
}

TEST_CASE("short day names fit a button with the time") {
  CHECK(FormatDay("it", Day(2026, 9, 30), DayStyle::kShort) == "mer 30 set");
  CHECK(FormatDay("en", Day(2026, 9, 30), DayStyle::kShort) == "Wed 30 Sep");
  CHECK(FormatDay("it", Day(2026, 12, 3), DayStyle::kShort) == "gio 3 dic");
}

TEST_CASE("times are Rome's wall clock in summer and in winter") {
  // 08:30 UTC is 10:30 in July (CEST) and 09:30 in January (CET).
  const auto utc = [](year_month_day d, int h, int m) {
    return core::ToMillis(std::chrono::sys_days{d} + std::chrono::hours{h} +
                          std::chrono::minutes{m});
  };
  CHECK(FormatWhen("it", utc(Day(2026, 7, 14), 8, 30)) ==
        "martedì 14 luglio, ore 10:30");
  CHECK(FormatWhen("it", utc(Day(2026, 1, 13), 8, 30)) ==
        "martedì 13 gennaio, ore 09:30");
  // 23:30 UTC on 31 December is already New Year's Day in Rome.
  CHECK(FormatWhen("en", utc(Day(2026, 12, 31), 23, 30)) ==
        "Friday 1 January, 00:30");
}

TEST_CASE("the confirmation names the service the time and the place") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t now = Rome(Day(2030, 11, 1), 9, 0);
  auto appt =
      BookIn(*db, user, NewSlot(*db, Rome(Day(2030, 12, 3), 10, 30)), now);
  REQUIRE(appt.ok());
  const std::string it =
      AppointmentText(Texts(), "it", "booking.confirmed", *appt);
  CHECK(it.find("Orientamento") != std::string::npos);
  CHECK(it.find("martedì 3 dicembre, ore 10:30") != std::string::npos);
  CHECK(it.find("Sede Porta Futuro") != std::string::npos);
  CHECK(it.find('{') == std::string::npos);
  const std::string en =
      AppointmentText(Texts(), "en", "booking.confirmed", *appt);
  CHECK(en.find("Career guidance") != std::string::npos);
  CHECK(en.find("Tuesday 3 December, 10:30") != std::string::npos);
}

TEST_CASE("an online appointment gives its link instead of an address") {
  storage::Slot slot;
  slot.place = std::string(storage::kOnline);
  slot.link = "https://meet.example.org/pf";
  const std::string place = PlaceText(Texts(), "it", slot);
  CHECK(place.find("online") != std::string::npos);
  CHECK(place.find("https://meet.example.org/pf") != std::string::npos);
}

// --- Booking and reminders

TEST_CASE(
    "a booking schedules reminders 24 h and 2 h before in the person's "
    "language") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "7", "en");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  auto appt = BookIn(*db, user, NewSlot(*db, start), start - 72 * kHour);
  REQUIRE(appt.ok());
  CHECK(appt->booking.state == storage::BookingState::kBooked);
  CHECK(appt->booking.service_code == "orientamento");

  const auto rows = Reminders(*db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == ReminderKey(appt->booking.id, "24h"));
  CHECK(rows[0].due_at == start - 24 * kHour);
  CHECK(rows[1].key == ReminderKey(appt->booking.id, "2h"));
  CHECK(rows[1].due_at == start - 2 * kHour);
  for (const auto& row : rows) {
    CAPTURE(row.key);
    CHECK(row.state == "pending");
    auto msg = DecodeOutbound(row.payload);
    REQUIRE(msg.ok());
    CHECK(msg->channel == core::Channel::kTelegram);
    CHECK(msg->chat_id == "chat-7");
    CHECK(msg->kind == core::OutboundKind::kText);
    CHECK(msg->text.find("Career guidance") != std::string::npos);
    CHECK(msg->text.find("10:30") != std::string::npos);
  }
  auto day_before = DecodeOutbound(rows[0].payload);
  REQUIRE(day_before.ok());
  CHECK(day_before->text.find("Tuesday 3 December") != std::string::npos);
}

TEST_CASE("a person who never chose a language is reminded in Italian") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "8");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  REQUIRE(BookIn(*db, user, NewSlot(*db, start), start - 72 * kHour).ok());
  auto msg = DecodeOutbound(Reminders(*db).at(0).payload);
  REQUIRE(msg.ok());
  CHECK(msg->text.find("martedì 3 dicembre, ore 10:30") != std::string::npos);
}

TEST_CASE("reminders already in the past are not scheduled") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t slot = NewSlot(*db, start);
  SUBCASE("booked five hours before: only the 2 h reminder") {
    REQUIRE(BookIn(*db, user, slot, start - 5 * kHour).ok());
    const auto rows = Reminders(*db);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].due_at == start - 2 * kHour);
  }
  SUBCASE("booked an hour before: none") {
    REQUIRE(BookIn(*db, user, slot, start - kHour).ok());
    CHECK(Reminders(*db).empty());
  }
  SUBCASE(
      "booked exactly 24 h before: the 24 h reminder would be now and is "
      "skipped") {
    REQUIRE(BookIn(*db, user, slot, start - 24 * kHour).ok());
    CHECK(Reminders(*db).size() == 1);
  }
}

TEST_CASE(
    "reminders keep elapsed time across the October 2026 change of time") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  // Clocks go back at 03:00 CEST on Sunday 25 October 2026 (01:00 UTC).
  const int64_t sunday = Rome(Day(2026, 10, 25), 10, 30);  // CET: 09:30 UTC
  const int64_t monday = Rome(Day(2026, 10, 26), 9, 0);
  REQUIRE(sunday ==
          core::ToMillis(std::chrono::sys_days{Day(2026, 10, 25)} +
                         std::chrono::hours{9} + std::chrono::minutes{30}));
  const int64_t now = Rome(Day(2026, 10, 20), 12, 0);
  auto first = BookIn(*db, user, NewSlot(*db, sunday), now);
  auto second = BookIn(*db, user, NewSlot(*db, monday), now);
  REQUIRE(first.ok());
  REQUIRE(second.ok());

  const auto rows = Reminders(*db);
  REQUIRE(rows.size() == 4);
  const auto rome = [](int64_t ms) {
    return core::ToRome(core::FromMillis(ms));
  };
  // Sunday 10:30 CET is 25 h of wall clock after Saturday 10:30 CEST: the
  // reminder 24 h before shows 11:30 on Saturday.
  CHECK(rows[0].due_at == sunday - 24 * kHour);
  CHECK(rome(rows[0].due_at).date == Day(2026, 10, 24));
  CHECK(rome(rows[0].due_at).hour == 11);
  CHECK(rome(rows[0].due_at).minute == 30);
  CHECK(rows[1].due_at == sunday - 2 * kHour);
  CHECK(rome(rows[1].due_at).hour == 8);
  // Monday's reminders fall after the change: same wall-clock time the day
  // before.
  CHECK(rows[2].due_at == monday - 24 * kHour);
  CHECK(rome(rows[2].due_at).date == Day(2026, 10, 25));
  CHECK(rome(rows[2].due_at).hour == 9);
  CHECK(rows[3].due_at == monday - 2 * kHour);
  CHECK(rome(rows[3].due_at).hour == 7);
}

TEST_CASE(
    "a reminder leaves through the outbox at its due time and not before") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  auto appt = BookIn(*db, user, NewSlot(*db, start), start - 72 * kHour);
  REQUIRE(appt.ok());
  CHECK(SendDue(*db, start - 24 * kHour - 1).empty());
  const auto day_before = SendDue(*db, start - 24 * kHour);
  REQUIRE(day_before.size() == 1);
  CHECK(day_before[0].chat_id == "chat-1");
  CHECK(SendDue(*db, start - 2 * kHour - 1).empty());
  CHECK(SendDue(*db, start - 2 * kHour).size() == 1);
}

TEST_CASE("a slot that cannot be booked says why") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t cv = NewSlot(*db, start, "curriculum");
  const int64_t any = NewSlot(*db, start + kHour, nullptr);
  const int64_t now = start - 72 * kHour;
  CHECK(BookIn(*db, user, cv, now, "orientamento").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(BookIn(*db, user, any, now).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(BookIn(*db, user, any, now, "astrologia").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(BookIn(*db, user, cv, start).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(BookIn(*db, user, cv + 100, now).status().code() ==
        Status::Code::kNotFound);
  CHECK(BookIn(*db, user + 100, cv, now).status().code() ==
        Status::Code::kNotFound);
  CHECK(Reminders(*db).empty());

  auto open = BookIn(*db, user, any, now, "mobilita_europea");
  REQUIRE(open.ok());
  CHECK(open->booking.service_code == "mobilita_europea");
  CHECK(open->service.name_it == "Mobilità europea");
}

TEST_CASE(
    "two people racing for the last slot on their own connections: exactly one "
    "wins every time") {
  support::TempDir dir;
  const std::string path = dir.File("race.db");
  const auto open = [&path] {
    auto db = Database::Open(path);
    REQUIRE(db.ok());
    return std::move(*db);
  };
  constexpr int kRounds = 50;
  const int64_t now = Rome(Day(2030, 11, 1), 9, 0);
  std::array<int64_t, 2> users{};
  std::vector<int64_t> slots;
  {
    auto setup = open();
    REQUIRE(storage::Migrate(*setup).ok());
    users = {NewUser(*setup, "anna"), NewUser(*setup, "luca")};
    for (int i = 0; i < kRounds; ++i) {
      slots.push_back(
          NewSlot(*setup, Rome(Day(2030, 12, 2), 9, 0) + i * 45 * kMinute));
    }
  }

  // Long-lived connections, as in the service: each must see the other's
  // commits from one round to the next.
  std::array<std::unique_ptr<Database>, 2> connections = {open(), open()};
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    std::latch start(2);
    std::array<Status, 2> outcome;
    auto racer = [&](int i) {
      Database& mine = *connections[i];
      start.arrive_and_wait();
      storage::Transaction txn(mine);
      if (!txn.status().ok()) {
        outcome[i] = txn.status();
        return;
      }
      auto booked = Book(mine, Texts(), users[i], slots[round], "", now);
      outcome[i] = booked.ok() ? txn.Commit() : booked.status();
    };
    std::thread a(racer, 0);
    std::thread b(racer, 1);
    a.join();
    b.join();
    CHECK(outcome[0].ok() + outcome[1].ok() == 1);
    for (const auto& s : outcome) {
      if (!s.ok())
        CHECK_MESSAGE(s.code() == Status::Code::kAlreadyExists, s.ToString());
    }
  }

  auto check = open();
  Statement booked = check->Prepare(
      "SELECT count(*), count(DISTINCT slot_id) FROM bookings WHERE state = "
      "'booked'");
  REQUIRE(booked.Step());
  CHECK(booked.Int(0) == kRounds);
  CHECK(booked.Int(1) == kRounds);
  // The loser's reminders went with its rolled-back transaction.
  CHECK(Reminders(*check).size() == 2 * kRounds);
}

TEST_CASE(
    "two people racing through the store for one slot: exactly one wins") {
  support::TempDir dir;
  auto store = storage::Store::Open(dir.File("store.db"));
  REQUIRE(store.ok());
  std::array<int64_t, 2> users{};
  int64_t slot = 0;
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  REQUIRE((*store)
              ->Write([&](Database& db) {
                users = {NewUser(db, "anna"), NewUser(db, "luca")};
                slot = NewSlot(db, start);
                return Status::Ok();
              })
              .ok());
  std::latch go(2);
  std::array<Status, 2> outcome;
  auto racer = [&](int i) {
    go.arrive_and_wait();
    outcome[i] = (*store)->Write([&](Database& db) {
      return Book(db, Texts(), users[i], slot, "", start - 72 * kHour).status();
    });
  };
  std::thread a(racer, 0);
  std::thread b(racer, 1);
  a.join();
  b.join();
  CHECK(outcome[0].ok() + outcome[1].ok() == 1);
  CHECK((outcome[0].code() == Status::Code::kAlreadyExists ||
         outcome[1].code() == Status::Code::kAlreadyExists));
}

TEST_CASE("the person who lost a slot is offered the next free times") {
  auto db = MigratedDb();
  const int64_t anna = NewUser(*db, "anna");
  const int64_t luca = NewUser(*db, "luca");
  const int64_t start = Rome(Day(2030, 12, 3), 9, 0);
  const int64_t now = start - 72 * kHour;
  const int64_t wanted = NewSlot(*db, start);
  const int64_t next = NewSlot(*db, start + 45 * kMinute);
  const int64_t after = NewSlot(*db, start + 90 * kMinute);
  NewSlot(*db, start + 135 * kMinute, "curriculum");
  REQUIRE(BookIn(*db, anna, wanted, now).ok());

  auto lost = BookIn(*db, luca, wanted, now);
  REQUIRE(lost.status().code() == Status::Code::kAlreadyExists);
  auto alternatives = NextFreeSlots(*db, "orientamento", now, 3);
  REQUIRE(alternatives.ok());
  REQUIRE(alternatives->size() == 2);
  CHECK((*alternatives)[0].id == next);
  CHECK((*alternatives)[1].id == after);
}

// --- Cancelling and rescheduling

TEST_CASE("a cancelled booking frees its slot and no reminder follows") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t now = start - 72 * kHour;
  auto appt = BookIn(*db, user, NewSlot(*db, start), now);
  REQUIRE(appt.ok());

  auto cancelled = Committed(
      *db, [&] { return Cancel(*db, user, appt->booking.id, now + 1); });
  REQUIRE(cancelled.ok());
  CHECK(cancelled->booking.state == storage::BookingState::kCancelled);
  for (const auto& row : Reminders(*db)) {
    CAPTURE(row.key);
    CHECK(row.state == "cancelled");
  }
  CHECK(SendDue(*db, start).empty());
  auto times = FreeTimes(*db, "orientamento", Day(2030, 12, 3), now);
  REQUIRE(times.ok());
  CHECK(times->size() == 1);
  auto upcoming = UpcomingAppointments(*db, user, now);
  REQUIRE(upcoming.ok());
  CHECK(upcoming->empty());
}

TEST_CASE(
    "only the person who booked can cancel and only once before it starts") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t other = NewUser(*db, "2");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t now = start - 72 * kHour;
  auto appt = BookIn(*db, user, NewSlot(*db, start), now);
  REQUIRE(appt.ok());
  const int64_t id = appt->booking.id;
  CHECK(Cancel(*db, other, id, now).status().code() == Status::Code::kNotFound);
  CHECK(Cancel(*db, user, id + 100, now).status().code() ==
        Status::Code::kNotFound);
  CHECK(Cancel(*db, user, id, start).status().code() ==
        Status::Code::kInvalidArgument);
  REQUIRE(Committed(*db, [&] { return Cancel(*db, user, id, now); }).ok());
  CHECK(Cancel(*db, user, id, now).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("rescheduling moves the booking and its reminders to the new time") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t old_start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t new_start = Rome(Day(2030, 12, 5), 12, 0);
  const int64_t now = old_start - 72 * kHour;
  const int64_t old_slot = NewSlot(*db, old_start);
  const int64_t new_slot = NewSlot(*db, new_start);
  auto appt = BookIn(*db, user, old_slot, now);
  REQUIRE(appt.ok());

  auto moved = Committed(*db, [&] {
    return Reschedule(*db, Texts(), user, appt->booking.id, new_slot, now);
  });
  REQUIRE(moved.ok());
  CHECK(moved->slot.id == new_slot);
  CHECK(moved->booking.service_code == "orientamento");
  auto old = FindAppointment(*db, appt->booking.id);
  REQUIRE(old.ok());
  REQUIRE(old->has_value());
  CHECK((*old)->booking.state == storage::BookingState::kCancelled);

  std::vector<int64_t> pending;
  for (const auto& row : Reminders(*db)) {
    CAPTURE(row.key);
    const bool is_old =
        row.key.rfind(ReminderKey(appt->booking.id, ""), 0) == 0;
    CHECK(row.state == (is_old ? "cancelled" : "pending"));
    if (row.state == "pending") pending.push_back(row.due_at);
  }
  CHECK(pending ==
        std::vector<int64_t>{new_start - 24 * kHour, new_start - 2 * kHour});
  CHECK(SendDue(*db, old_start).empty());
  auto upcoming = UpcomingAppointments(*db, user, now);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 1);
  CHECK(upcoming->front().slot.starts_at == new_start);
}

TEST_CASE("rescheduling to a slot someone else took changes nothing") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t other = NewUser(*db, "2");
  const int64_t start = Rome(Day(2030, 12, 3), 10, 30);
  const int64_t now = start - 72 * kHour;
  const int64_t mine = NewSlot(*db, start);
  const int64_t theirs = NewSlot(*db, start + kHour);
  auto appt = BookIn(*db, user, mine, now);
  REQUIRE(appt.ok());
  REQUIRE(BookIn(*db, other, theirs, now).ok());

  auto moved = Committed(*db, [&] {
    return Reschedule(*db, Texts(), user, appt->booking.id, theirs, now);
  });
  CHECK(moved.status().code() == Status::Code::kAlreadyExists);
  auto upcoming = UpcomingAppointments(*db, user, now);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 1);
  CHECK(upcoming->front().slot.id == mine);
  for (const auto& row : Reminders(*db)) CHECK(row.state == "pending");
  CHECK(Reschedule(*db, Texts(), user, appt->booking.id, mine, now)
            .status()
            .code() == Status::Code::kInvalidArgument);
}

// --- Finding a time

TEST_CASE("free days are Rome dates with a free slot soonest first") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t now = Rome(Day(2030, 12, 2), 11, 0);
  NewSlot(*db, Rome(Day(2030, 12, 2), 10, 0));  // already past
  NewSlot(*db, Rome(Day(2030, 12, 2), 12, 0));  // today, later
  const int64_t full = NewSlot(*db, Rome(Day(2030, 12, 3), 9, 0));
  NewSlot(*db, Rome(Day(2030, 12, 4), 0, 30));  // 23:30 UTC the day before
  NewSlot(*db, Rome(Day(2030, 12, 5), 9, 0), "curriculum");  // another service
  NewSlot(*db, Rome(Day(2030, 12, 6), 9, 0), nullptr);       // any service
  NewSlot(*db, Rome(Day(2030, 12, 9), 9, 0));
  REQUIRE(BookIn(*db, user, full, now).ok());

  auto days = FreeDays(*db, "orientamento", now, 3);
  REQUIRE(days.ok());
  CHECK(*days == std::vector<year_month_day>{Day(2030, 12, 2), Day(2030, 12, 4),
                                             Day(2030, 12, 6)});
  auto all = FreeDays(*db, "orientamento", now, 10);
  REQUIRE(all.ok());
  CHECK(all->size() == 4);
}

TEST_CASE("free times of a day are in order without repeating a time") {
  auto db = MigratedDb();
  const year_month_day day = Day(2030, 12, 3);
  const int64_t now = Rome(Day(2030, 12, 1), 9, 0);
  const int64_t late = NewSlot(*db, Rome(day, 11, 15), "orientamento", "A");
  const int64_t early = NewSlot(*db, Rome(day, 9, 0), "orientamento", "A");
  NewSlot(*db, Rome(day, 9, 0), "orientamento", "B");  // a colleague, same time
  storage::NewSlot video;
  video.counsellor = "C";
  video.starts_at = Rome(day, 9, 0);
  video.minutes = 45;
  video.place = std::string(storage::kOnline);
  video.link = "https://meet.example.org/c";
  const int64_t online = storage::AddSlot(*db, video, 0).value();
  NewSlot(*db, Rome(Day(2030, 12, 4), 9, 0), "orientamento", "A");  // next day

  auto times = FreeTimes(*db, "orientamento", day, now);
  REQUIRE(times.ok());
  std::vector<int64_t> ids;
  std::vector<std::string> labels;
  for (const auto& s : *times) {
    ids.push_back(s.id);
    labels.push_back(FormatTime(s.starts_at));
  }
  CHECK(ids == std::vector<int64_t>{early, online, late});
  CHECK(labels == std::vector<std::string>{"09:00", "09:00", "11:15"});
}

TEST_CASE("a person's upcoming appointments are listed soonest first") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t now = Rome(Day(2030, 12, 1), 9, 0);
  const int64_t later =
      NewSlot(*db, Rome(Day(2030, 12, 10), 9, 0), "curriculum");
  const int64_t sooner = NewSlot(*db, Rome(Day(2030, 12, 3), 9, 0));
  REQUIRE(BookIn(*db, user, later, now).ok());
  REQUIRE(BookIn(*db, user, sooner, now).ok());
  auto upcoming = UpcomingAppointments(*db, user, now);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 2);
  CHECK(upcoming->at(0).slot.id == sooner);
  CHECK(upcoming->at(1).service.code == "curriculum");
  const std::string item =
      AppointmentText(Texts(), "it", "booking.list_item", upcoming->at(1));
  CHECK(item.find("Curriculum") != std::string::npos);
  CHECK(item.find("martedì 10 dicembre, ore 09:00") != std::string::npos);
}

}  // namespace
}  // namespace sportello::booking
