// Reports' reads: attendance marked on bookings, and the people a funnel
// report counts, each with the steps they reached.
#include "storage/reports.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/appointments.h"
#include "storage/centres.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/messages.h"
#include "storage/profiles.h"
#include "storage/users.h"
#include "storage/vacancies.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'795'000'000'000;

using support::MigratedDb;

struct Person {
  int64_t user = 0;
  int64_t conversation = 0;
};

Person NewPerson(Database& db, const std::string& channel,
                 const std::string& id) {
  const int64_t user = support::NewUser(db, id, channel, "Nome", kNow);
  return {user, support::ConversationOf(db, user, kNow).id};
}

// A message at `at`; the bot's may offer buttons.
void Say(Database& db, int64_t conversation, const std::string& direction,
         int64_t at, std::optional<std::string> buttons = std::nullopt) {
  NewMessage m;
  m.conversation_id = conversation;
  m.direction = direction;
  m.author = direction == "in" ? "user" : "bot";
  m.kind = "text";
  m.text = "testo";
  m.buttons = std::move(buttons);
  REQUIRE(InsertMessage(db, m, at).ok());
}

int64_t Book(Database& db, int64_t user, int64_t starts_at,
             const std::string& counsellor = "anna",
             int64_t centre = kFirstCentre) {
  NewSlot slot;
  slot.centre_id = centre;
  slot.counsellor = counsellor;
  slot.starts_at = starts_at;
  slot.minutes = 30;
  slot.place = "Via Petroni";
  auto slot_id = AddSlot(db, slot, kNow - 30 * kDay);
  REQUIRE(slot_id.ok());
  auto booking = InsertBooking(db, *slot_id, user, "orientamento", kNow);
  REQUIRE(booking.ok());
  return *booking;
}

int64_t AddMolfetta(Database& db) {
  Transaction txn(db);
  REQUIRE(txn.status().ok());
  Centre molfetta;
  molfetta.name = "CPI Molfetta";
  auto id = AddCentre(db, molfetta, kNow);
  REQUIRE(id.ok());
  REQUIRE(txn.Commit().ok());
  return *id;
}

TEST_CASE("attendance is marked on kept bookings, and marked again") {
  auto db = MigratedDb();
  const Person p = NewPerson(*db, "telegram", "1");
  const int64_t kept = Book(*db, p.user, kNow + kDay);
  const int64_t cancelled = Book(*db, p.user, kNow + 2 * kDay);
  REQUIRE(MarkBookingCancelled(*db, cancelled, kNow).ok());

  auto unmarked = FindAttendance(*db, kept);
  REQUIRE(unmarked.ok());
  CHECK_FALSE(unmarked->has_value());

  REQUIRE(SetAttendance(*db, kept, "no_show", "anna", kNow + kDay).ok());
  REQUIRE(SetAttendance(*db, kept, "attended", "bruno", kNow + kDay).ok());
  auto marked = FindAttendance(*db, kept);
  REQUIRE(marked.ok());
  CHECK(*marked == "attended");

  CHECK(SetAttendance(*db, cancelled, "attended", "anna", kNow).code() ==
        core::Status::Code::kNotFound);
  CHECK(SetAttendance(*db, kept + 100, "attended", "anna", kNow).code() ==
        core::Status::Code::kNotFound);
  auto unknown = FindAttendance(*db, kept + 100);
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());
}

TEST_CASE("the funnel lists people by their first message in the period") {
  auto db = MigratedDb();
  const int64_t from = kNow;
  const int64_t to = kNow + 7 * kDay;

  // Wrote first in the period and went all the way.
  const Person all = NewPerson(*db, "telegram", "1");
  Say(*db, all.conversation, "in", from + kDay);
  Say(*db, all.conversation, "in", to + kDay);
  Say(*db, all.conversation, "out", from + kDay,
      R"([{"id":"vacancies:interest:7","title":"Mi interessa"}])");
  REQUIRE(RecordConsent(*db, all.user, "2026-11", from + kDay).ok());
  REQUIRE(SetAgeBand(*db, all.user, "16_29", from + kDay).ok());
  REQUIRE(SaveAnswer(*db, all.user, "comune", "Molfetta", from + kDay).ok());
  REQUIRE(MarkProfileCompleted(*db, all.user, from + kDay).ok());
  const int64_t later = Book(*db, all.user, from + 5 * kDay, "anna");
  const int64_t sooner = Book(*db, all.user, from + 3 * kDay, "bruno");
  REQUIRE(SetAttendance(*db, later, "attended", "anna", from + 5 * kDay).ok());
  REQUIRE(
      SetAttendance(*db, sooner, "attended", "bruno", from + 3 * kDay).ok());
  Vacancy v;
  v.external_id = "v1";
  v.title = "Aiuto cuoco";
  v.employer = "Trattoria";
  v.comune = "Molfetta";
  v.contract = "stagionale";
  v.how_to_apply = "Di persona";
  v.published_at = from;
  v.expires_at = to;
  REQUIRE(UpsertVacancy(*db, v, from).ok());
  auto stored = FindVacancyByExternalId(*db, "v1");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  REQUIRE(
      RecordVacancyInterest(*db, all.user, (*stored)->id, from + kDay).ok());

  // Wrote first in the period, and nothing more.
  const Person bare = NewPerson(*db, "whatsapp", "2");
  Say(*db, bare.conversation, "in", to - 1);
  Say(*db, bare.conversation, "out", to - 1, R"([{"id":"menu"}])");

  // First wrote before the period: not in this report.
  const Person earlier = NewPerson(*db, "telegram", "3");
  Say(*db, earlier.conversation, "in", from - 1);
  Say(*db, earlier.conversation, "in", from + kDay);
  // Only the bot wrote: no first message in.
  const Person silent = NewPerson(*db, "telegram", "4");
  Say(*db, silent.conversation, "out", from + kDay);
  // First wrote when the period had ended.
  const Person after = NewPerson(*db, "telegram", "5");
  Say(*db, after.conversation, "in", to);

  auto people = FunnelPeople(*db, from, to, CentreScope::Every());
  REQUIRE(people.ok());
  REQUIRE(people->size() == 2);
  const FunnelPerson& a = (*people)[0];
  CHECK(a.user_id == all.user);
  CHECK(a.channel == "telegram");
  CHECK(a.first_contact_at == from + kDay);
  CHECK(a.consented);
  CHECK(a.profile_completed);
  CHECK(a.age_band == "16_29");
  CHECK(a.answers.size() == 1);
  CHECK(a.answers.at("comune") == "Molfetta");
  CHECK(a.booked);
  CHECK(a.first_attended_at == from + 3 * kDay);
  CHECK(a.vacancy_proposed);
  CHECK(a.vacancy_interested);

  const FunnelPerson& b = (*people)[1];
  CHECK(b.user_id == bare.user);
  CHECK(b.channel == "whatsapp");
  CHECK(b.first_contact_at == to - 1);
  CHECK_FALSE(b.consented);
  CHECK_FALSE(b.profile_completed);
  CHECK_FALSE(b.age_band.has_value());
  CHECK(b.answers.empty());
  CHECK_FALSE(b.booked);
  CHECK_FALSE(b.first_attended_at.has_value());
  CHECK_FALSE(b.vacancy_proposed);
  CHECK_FALSE(b.vacancy_interested);
}

TEST_CASE("a centre's funnel has its people and its own appointments") {
  auto db = MigratedDb();
  const int64_t from = kNow;
  const int64_t to = kNow + 7 * kDay;
  const auto m = AddMolfetta(*db);

  // Bari's: came to Bari's appointment.
  const Person bari = NewPerson(*db, "telegram", "1");
  Say(*db, bari.conversation, "in", from + kDay);
  const int64_t at_bari = Book(*db, bari.user, from + 2 * kDay, "anna");
  REQUIRE(
      SetAttendance(*db, at_bari, "attended", "anna", from + 2 * kDay).ok());
  // Came to Bari first, then was sent on to Molfetta, which has not seen
  // them yet.
  const Person moved = NewPerson(*db, "whatsapp", "2");
  Say(*db, moved.conversation, "in", from + kDay);
  const int64_t before = Book(*db, moved.user, from + 3 * kDay, "anna");
  REQUIRE(SetAttendance(*db, before, "attended", "anna", from + 3 * kDay).ok());
  REQUIRE(PlaceConversation(*db, moved.conversation, m, from + 4 * kDay).ok());
  // Molfetta's own, booked there.
  const Person local = NewPerson(*db, "web", "3");
  Say(*db, local.conversation, "in", from + 2 * kDay);
  REQUIRE(PlaceConversation(*db, local.conversation, m, from + 2 * kDay).ok());
  Book(*db, local.user, from + 5 * kDay, "marta", m);

  const auto ids = [&](const CentreScope& scope) {
    auto people = FunnelPeople(*db, from, to, scope);
    REQUIRE(people.ok());
    std::vector<int64_t> out;
    for (const auto& p : *people) out.push_back(p.user_id);
    return out;
  };
  CHECK(ids(CentreScope::Only({kFirstCentre})) == std::vector{bari.user});
  CHECK(ids(CentreScope::Only({m})) == std::vector{moved.user, local.user});
  CHECK(ids(CentreScope::Only({kFirstCentre, m})) ==
        std::vector{bari.user, moved.user, local.user});
  CHECK(ids(CentreScope::Every()) ==
        std::vector{bari.user, moved.user, local.user});
  CHECK(ids(CentreScope::Only({})).empty());

  auto in_molfetta = FunnelPeople(*db, from, to, CentreScope::Only({m}));
  REQUIRE(in_molfetta.ok());
  REQUIRE(in_molfetta->size() == 2);
  // Bari's appointment is not Molfetta's taking in charge.
  CHECK_FALSE((*in_molfetta)[0].booked);
  CHECK_FALSE((*in_molfetta)[0].first_attended_at.has_value());
  CHECK((*in_molfetta)[1].booked);
  auto region = FunnelPeople(*db, from, to, CentreScope::Every());
  REQUIRE(region.ok());
  REQUIRE(region->size() == 3);
  CHECK((*region)[1].booked);
  CHECK((*region)[1].first_attended_at == from + 3 * kDay);
}

TEST_CASE("a conversation moves to another centre, never to none") {
  auto db = MigratedDb();
  const auto m = AddMolfetta(*db);
  const Person p = NewPerson(*db, "telegram", "1");
  REQUIRE(PlaceConversation(*db, p.conversation, m, kNow + kDay).ok());
  auto moved = FindConversation(*db, p.conversation);
  REQUIRE(moved.ok());
  REQUIRE(moved->has_value());
  CHECK((*moved)->centre_id == m);
  CHECK((*moved)->updated_at == kNow + kDay);
  CHECK(PlaceConversation(*db, p.conversation + 100, m, kNow).code() ==
        core::Status::Code::kNotFound);
  // An unknown centre is refused by the schema, and nothing changes.
  CHECK_FALSE(PlaceConversation(*db, p.conversation, m + 100, kNow).ok());
  auto still = FindConversation(*db, p.conversation);
  REQUIRE(still.ok());
  CHECK((*still)->centre_id == m);
}

}  // namespace
}  // namespace sportello::storage
