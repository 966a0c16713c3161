// Appointment tables: the services on offer, counsellors' slots, and bookings
// of which the database itself keeps at most one per slot. Also the outbox
// call that withdraws a cancelled booking's reminders.
#include "storage/appointments.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/outbox.h"
#include "tests/support/claim_due.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = support::kStorageNow;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMinute = 60'000;

using support::MigratedDb;
using support::NewUser;

NewSlot At(int64_t starts_at, const char* service = "orientamento",
           const std::string& counsellor = "Giulia Rossi", int minutes = 45) {
  NewSlot s;
  if (service) s.service_code = service;
  s.counsellor = counsellor;
  s.starts_at = starts_at;
  s.minutes = minutes;
  s.place = "Sede Porta Futuro";
  return s;
}

int64_t Add(Database& db, const NewSlot& slot) {
  auto id = AddSlot(db, slot, kNow);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  return *id;
}

std::vector<int64_t> Ids(const std::vector<Slot>& slots) {
  std::vector<int64_t> ids;
  for (const auto& s : slots) ids.push_back(s.id);
  return ids;
}

std::vector<int64_t> FreeIds(Database& db, const char* service,
                             int limit = 100) {
  auto slots = FreeSlots(db, service, kNow, kNow + 1000 * kHour, limit);
  REQUIRE(slots.ok());
  return Ids(*slots);
}

TEST_CASE(
    "the six services are on offer from the first migration of appointments") {
  auto db = MigratedDb();
  auto services = ListServices(*db);
  REQUIRE(services.ok());
  std::vector<std::string> codes;
  for (const auto& s : *services) {
    CAPTURE(s.code);
    CHECK_FALSE(s.name_it.empty());
    CHECK_FALSE(s.name_en.empty());
    CHECK(s.minutes > 0);
    codes.push_back(s.code);
  }
  CHECK(codes == std::vector<std::string>{
                     "orientamento", "bilancio_competenze", "garanzia_giovani",
                     "curriculum", "creazione_impresa", "mobilita_europea"});
  auto mobility = FindService(*db, "mobilita_europea");
  REQUIRE(mobility.ok());
  REQUIRE(mobility->has_value());
  CHECK((*mobility)->name_it == "Mobilità europea");
  auto none = FindService(*db, "astrologia");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("a slot is stored with its place or its video link") {
  auto db = MigratedDb();
  NewSlot online = At(kNow + 48 * kHour, nullptr, "Marco Bianchi", 30);
  online.place = std::string(kOnline);
  online.link = "https://meet.example.org/x";
  const int64_t in_person = Add(*db, At(kNow + 24 * kHour));
  const int64_t video = Add(*db, online);

  auto a = FindSlot(*db, in_person);
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->service_code == "orientamento");
  CHECK((*a)->place == "Sede Porta Futuro");
  CHECK_FALSE((*a)->online());
  CHECK((*a)->ends_at() == kNow + 24 * kHour + 45 * kMinute);
  CHECK_FALSE((*a)->booking_id.has_value());
  auto b = FindSlot(*db, video);
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  CHECK_FALSE((*b)->service_code.has_value());
  CHECK((*b)->online());
  CHECK((*b)->link == "https://meet.example.org/x");
}

TEST_CASE("a slot that cannot work is refused") {
  auto db = MigratedDb();
  NewSlot slot = At(kNow + kHour);
  SUBCASE("online without a link") { slot.place = std::string(kOnline); }
  SUBCASE("no place") { slot.place = ""; }
  SUBCASE("an unknown service") { slot.service_code = "astrologia"; }
  SUBCASE("no length") { slot.minutes = 0; }
  SUBCASE("longer than a working day") { slot.minutes = 481; }
  auto id = AddSlot(*db, slot, kNow);
  CHECK(id.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE(
    "a counsellor cannot have overlapping slots but colleagues can share a "
    "time") {
  auto db = MigratedDb();
  const int64_t ten = kNow + 24 * kHour;
  Add(*db, At(ten));
  CHECK(AddSlot(*db, At(ten), kNow).status().code() ==
        Status::Code::kAlreadyExists);
  CHECK(AddSlot(*db, At(ten + 30 * kMinute), kNow).status().code() ==
        Status::Code::kAlreadyExists);
  CHECK(AddSlot(*db, At(ten - 30 * kMinute), kNow).status().code() ==
        Status::Code::kAlreadyExists);
  CHECK(AddSlot(*db, At(ten + 45 * kMinute), kNow).ok());  // right after
  CHECK(AddSlot(*db, At(ten - 45 * kMinute), kNow).ok());  // right before
  CHECK(AddSlot(*db, At(ten, "orientamento", "Marco Bianchi"), kNow).ok());
}

TEST_CASE(
    "free slots for a service include those open to any service in time "
    "order") {
  auto db = MigratedDb();
  const int64_t any = Add(*db, At(kNow + 3 * kHour, nullptr, "A"));
  const int64_t cv = Add(*db, At(kNow + 2 * kHour, "curriculum", "B"));
  const int64_t guidance = Add(*db, At(kNow + 1 * kHour, "orientamento", "C"));
  Add(*db, At(kNow - 1 * kHour, "orientamento", "D"));  // before the window

  CHECK(FreeIds(*db, "orientamento") == std::vector<int64_t>{guidance, any});
  CHECK(FreeIds(*db, "curriculum") == std::vector<int64_t>{cv, any});
  CHECK(FreeIds(*db, "mobilita_europea") == std::vector<int64_t>{any});
  CHECK(FreeIds(*db, "orientamento", 1) == std::vector<int64_t>{guidance});
}

TEST_CASE("a booked slot is no longer free until its booking is cancelled") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t slot = Add(*db, At(kNow + kHour));
  auto booking = InsertBooking(*db, slot, user, "orientamento", kNow);
  REQUIRE(booking.ok());

  CHECK(FreeIds(*db, "orientamento").empty());
  auto listed = ListSlots(*db, kNow, kNow + 2 * kHour);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().booking_id == *booking);

  REQUIRE(MarkBookingCancelled(*db, *booking, kNow + 1).ok());
  CHECK(FreeIds(*db, "orientamento") == std::vector<int64_t>{slot});
  auto stored = FindBooking(*db, *booking);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->state == BookingState::kCancelled);
  CHECK((*stored)->cancelled_at == kNow + 1);
  CHECK(MarkBookingCancelled(*db, *booking, kNow + 2).code() ==
        Status::Code::kNotFound);
}

TEST_CASE(
    "the database refuses a second booking of a slot however it is written") {
  auto db = MigratedDb();
  const int64_t first = NewUser(*db, "1");
  const int64_t second = NewUser(*db, "2");
  const int64_t slot = Add(*db, At(kNow + kHour));
  REQUIRE(InsertBooking(*db, slot, first, "orientamento", kNow).ok());

  auto again = InsertBooking(*db, slot, second, "orientamento", kNow);
  CHECK(again.status().code() == Status::Code::kAlreadyExists);
  // Even SQL that checks nothing cannot double-book: the unique index decides.
  Statement raw = db->Prepare(
      "INSERT INTO bookings(slot_id, user_id, service_code, created_at) "
      "VALUES(?, ?, ?, ?)");
  raw.Bind(1, slot).Bind(2, second).Bind(3, "orientamento").Bind(4, kNow);
  CHECK(raw.Run().code() == Status::Code::kAlreadyExists);
}

TEST_CASE("a slot freed by a cancellation can be booked again") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t slot = Add(*db, At(kNow + kHour));
  auto first = InsertBooking(*db, slot, user, "orientamento", kNow);
  REQUIRE(first.ok());
  REQUIRE(MarkBookingCancelled(*db, *first, kNow).ok());
  auto second = InsertBooking(*db, slot, user, "orientamento", kNow);
  REQUIRE(second.ok());
  CHECK(*second != *first);
}

TEST_CASE(
    "a booking id is never reused even after the newest booking is deleted") {
  // Reminders are keyed by booking id: a reused id would meet the old keys.
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t slot = Add(*db, At(kNow + kHour));
  auto first = InsertBooking(*db, slot, user, "orientamento", kNow);
  REQUIRE(first.ok());
  REQUIRE(db->Exec("DELETE FROM bookings").ok());
  auto second = InsertBooking(*db, slot, user, "orientamento", kNow);
  REQUIRE(second.ok());
  CHECK(*second > *first);
}

TEST_CASE("booking a slot or for a user that does not exist is not found") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t slot = Add(*db, At(kNow + kHour));
  CHECK(InsertBooking(*db, slot + 100, user, "orientamento", kNow)
            .status()
            .code() == Status::Code::kNotFound);
  CHECK(InsertBooking(*db, slot, user + 100, "orientamento", kNow)
            .status()
            .code() == Status::Code::kNotFound);
  CHECK(InsertBooking(*db, slot, user, "astrologia", kNow).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE(
    "a person's booked appointments are listed soonest first without cancelled "
    "or past ones") {
  auto db = MigratedDb();
  const int64_t user = NewUser(*db, "1");
  const int64_t other = NewUser(*db, "2");
  const int64_t later = Add(*db, At(kNow + 5 * kHour, "orientamento", "A"));
  const int64_t sooner = Add(*db, At(kNow + 2 * kHour, "orientamento", "B"));
  const int64_t cancelled = Add(*db, At(kNow + 3 * kHour, "orientamento", "C"));
  const int64_t past = Add(*db, At(kNow - 3 * kHour, "orientamento", "D"));
  const int64_t someone_elses =
      Add(*db, At(kNow + 4 * kHour, "orientamento", "E"));
  auto b_later = InsertBooking(*db, later, user, "orientamento", kNow);
  auto b_sooner = InsertBooking(*db, sooner, user, "orientamento", kNow);
  auto b_cancelled = InsertBooking(*db, cancelled, user, "orientamento", kNow);
  REQUIRE(InsertBooking(*db, past, user, "orientamento", kNow).ok());
  REQUIRE(InsertBooking(*db, someone_elses, other, "orientamento", kNow).ok());
  REQUIRE(b_cancelled.ok());
  REQUIRE(MarkBookingCancelled(*db, *b_cancelled, kNow).ok());

  auto mine = ListBookedForUser(*db, user, kNow);
  REQUIRE(mine.ok());
  std::vector<int64_t> ids;
  for (const auto& b : *mine) ids.push_back(b.id);
  CHECK(ids == std::vector<int64_t>{*b_sooner, *b_later});
}

TEST_CASE("an outbox row cancelled by its dedupe key is never claimed") {
  auto db = MigratedDb();
  NewOutboxRow row;
  row.channel = "telegram";
  row.chat_id = "1";
  row.kind = "text";
  row.payload = "{}";
  row.dedupe_key = "reminder:7:24h";
  row.due_at = kNow + kHour;
  auto id = EnqueueOutbox(*db, row, kNow);
  REQUIRE(id.ok());
  REQUIRE(id->has_value());

  auto cancelled = CancelOutboxByDedupeKey(*db, "reminder:7:24h");
  REQUIRE(cancelled.ok());
  CHECK(*cancelled);
  auto again = CancelOutboxByDedupeKey(*db, "reminder:7:24h");
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  auto unknown = CancelOutboxByDedupeKey(*db, "reminder:8:24h");
  REQUIRE(unknown.ok());
  CHECK_FALSE(*unknown);

  auto claimed = support::ClaimDueOutbox(*db, kNow + 2 * kHour, 10, {});
  REQUIRE(claimed.ok());
  CHECK(claimed->empty());
  auto depth = OutboxDepth(*db);
  REQUIRE(depth.ok());
  CHECK(*depth == 0);
}

TEST_CASE("cancelling by dedupe key leaves a row already sent as it was") {
  auto db = MigratedDb();
  NewOutboxRow row;
  row.channel = "telegram";
  row.chat_id = "1";
  row.kind = "text";
  row.payload = "{}";
  row.dedupe_key = "reminder:7:2h";
  row.due_at = kNow;
  REQUIRE(EnqueueOutbox(*db, row, kNow).ok());
  auto claimed = support::ClaimDueOutbox(*db, kNow, 10, {});
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  REQUIRE(MarkOutboxSent(*db, claimed->front().id, "m1", kNow).ok());

  auto cancelled = CancelOutboxByDedupeKey(*db, "reminder:7:2h");
  REQUIRE(cancelled.ok());
  CHECK_FALSE(*cancelled);
  Statement st = db->Prepare(
      "SELECT state FROM outbox WHERE dedupe_key = 'reminder:7:2h'");
  REQUIRE(st.Step());
  CHECK(st.Text(0) == "sent");
}

}  // namespace
}  // namespace sportello::storage
