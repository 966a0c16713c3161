// What a person is offered by their centre: its free slots; its events and
// the regional ones; its job offers and the regional ones. Rows from before
// there were centres are centre 1's, offered to its people as before.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/appointments.h"
#include "storage/centres.h"
#include "storage/database.h"
#include "storage/events.h"
#include "storage/migrations.h"
#include "storage/vacancies.h"
#include "tests/support/storage_fixture.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

constexpr int64_t kNow = support::kStorageNow;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

int64_t Slot(Database& db, int64_t centre, int64_t starts_at,
             const char* counsellor, const char* service = "orientamento") {
  NewSlot s;
  if (service) s.service_code = service;
  s.counsellor = counsellor;
  s.starts_at = starts_at;
  s.minutes = 45;
  s.place = "Sede";
  s.centre_id = centre;
  auto id = AddSlot(db, s, kNow);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  return *id;
}

std::vector<int64_t> FreeIds(Database& db, const CentreScope& scope) {
  auto slots =
      FreeSlots(db, "orientamento", kNow, kNow + 30 * kDay, 100, scope);
  REQUIRE(slots.ok());
  std::vector<int64_t> ids;
  for (const auto& s : *slots) ids.push_back(s.id);
  return ids;
}

int64_t Event(Database& db, std::optional<int64_t> centre, int64_t starts_at,
              const std::string& title) {
  NewEvent e;
  e.title = title;
  e.starts_at = starts_at;
  e.ends_at = starts_at + 2 * kHour;
  e.place = "Sede";
  e.capacity = 10;
  e.centre_id = centre;
  auto id = AddEvent(db, e, kNow);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  return *id;
}

std::vector<std::string> UpcomingTitles(Database& db,
                                        const CentreScope& scope) {
  auto events = UpcomingEvents(db, kNow, 0, 100, scope);
  REQUIRE(events.ok());
  auto count = CountUpcomingEvents(db, kNow, scope);
  REQUIRE(count.ok());
  CHECK(*count == static_cast<int>(events->size()));
  std::vector<std::string> titles;
  for (const auto& e : *events) titles.push_back(e.title);
  return titles;
}

Vacancy Offer(const std::string& external_id, std::optional<int64_t> centre) {
  Vacancy v;
  v.external_id = external_id;
  v.title = "Barista";
  v.employer = "Bar Centrale";
  v.comune = "Molfetta";
  v.contract = "part_time";
  v.how_to_apply = "cv@bar.example";
  v.published_at = kNow - kDay;
  v.expires_at = kNow + 30 * kDay;
  v.centre_id = centre;
  return v;
}

std::vector<std::string> OfferedTo(Database& db, std::optional<int64_t> centre,
                                   bool barista_only = false) {
  VacancyFilter filter;
  filter.centre = centre;
  if (barista_only) filter.fts_match = "\"barista\"";
  auto found = FindVacancies(db, filter, kNow);
  REQUIRE(found.ok());
  std::vector<std::string> ids;
  for (const auto& v : *found) ids.push_back(v.external_id);
  return ids;
}

TEST_CASE("a person is offered the free slots of their own centre only") {
  auto db = support::MigratedDb();
  const int64_t molfetta = support::NewCentre(*db, "CPI Molfetta");
  const int64_t bari_slot = Slot(*db, kFirstCentre, kNow + kDay, "Giulia");
  const int64_t molfetta_slot = Slot(*db, molfetta, kNow + 2 * kDay, "Anna");
  const int64_t molfetta_any =
      Slot(*db, molfetta, kNow + 3 * kDay, "Anna", nullptr);

  CHECK(FreeIds(*db, CentreScope::Only({kFirstCentre})) ==
        std::vector<int64_t>{bari_slot});
  CHECK(FreeIds(*db, CentreScope::Only({molfetta})) ==
        std::vector<int64_t>{molfetta_slot, molfetta_any});
  CHECK(FreeIds(*db, CentreScope::Every()) ==
        std::vector<int64_t>{bari_slot, molfetta_slot, molfetta_any});
  // A centre with no slots offers none, never another centre's.
  CHECK(FreeIds(*db, CentreScope::Only({molfetta + 1})).empty());
}

TEST_CASE("a person is offered their centre's events and the regional ones") {
  auto db = support::MigratedDb();
  const int64_t molfetta = support::NewCentre(*db, "CPI Molfetta");
  Event(*db, kFirstCentre, kNow + kDay, "Recruiting day Bari");
  Event(*db, std::nullopt, kNow + 2 * kDay, "Erasmus+ online");
  Event(*db, molfetta, kNow + 3 * kDay, "Porto di Molfetta");
  const int64_t cancelled = Event(*db, molfetta, kNow + 4 * kDay, "Annullato");
  REQUIRE(CancelEvent(*db, cancelled, kNow).ok());
  Event(*db, molfetta, kNow - kDay, "Passato");

  CHECK(UpcomingTitles(*db, CentreScope::Only({kFirstCentre})) ==
        std::vector<std::string>{"Recruiting day Bari", "Erasmus+ online"});
  CHECK(UpcomingTitles(*db, CentreScope::Only({molfetta})) ==
        std::vector<std::string>{"Erasmus+ online", "Porto di Molfetta"});
  CHECK(UpcomingTitles(*db, CentreScope::Every()) ==
        std::vector<std::string>{"Recruiting day Bari", "Erasmus+ online",
                                 "Porto di Molfetta"});
  // Paging stays within what the centre is offered.
  auto second = UpcomingEvents(*db, kNow, 1, 10, CentreScope::Only({molfetta}));
  REQUIRE(second.ok());
  REQUIRE(second->size() == 1);
  CHECK(second->front().title == "Porto di Molfetta");
}

TEST_CASE(
    "a person is offered their centre's job offers and the regional "
    "ones") {
  auto db = support::MigratedDb();
  const int64_t molfetta = support::NewCentre(*db, "CPI Molfetta");
  REQUIRE(UpsertVacancy(*db, Offer("bari", kFirstCentre), kNow).ok());
  REQUIRE(UpsertVacancy(*db, Offer("molfetta", molfetta), kNow).ok());
  REQUIRE(UpsertVacancy(*db, Offer("regione", std::nullopt), kNow).ok());

  CHECK(OfferedTo(*db, kFirstCentre) ==
        std::vector<std::string>{"bari", "regione"});
  CHECK(OfferedTo(*db, molfetta) ==
        std::vector<std::string>{"molfetta", "regione"});
  CHECK(OfferedTo(*db, std::nullopt) ==
        std::vector<std::string>{"bari", "molfetta", "regione"});
  // With words to match too (FTS5 on SQLite, tsquery on PostgreSQL).
  CHECK(OfferedTo(*db, molfetta, /*barista_only=*/true) ==
        std::vector<std::string>{"molfetta", "regione"});

  auto stored = FindVacancyByExternalId(*db, "regione");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK_FALSE((*stored)->centre_id.has_value());
  // A feed's offer names no centre: centre 1's, as before there were any.
  CHECK(Offer("feed", kFirstCentre).centre_id == Vacancy{}.centre_id);

  // Moving an offer to another centre is a change like any other field's.
  auto moved = UpsertVacancy(*db, Offer("bari", molfetta), kNow + 1);
  REQUIRE(moved.ok());
  CHECK(*moved == UpsertOutcome::kUpdated);
  CHECK(OfferedTo(*db, kFirstCentre) == std::vector<std::string>{"regione"});
  auto same = UpsertVacancy(*db, Offer("bari", molfetta), kNow + 2);
  REQUIRE(same.ok());
  CHECK(*same == UpsertOutcome::kUnchanged);
}

TEST_CASE(
    "slots, events and offers from before centres are offered to "
    "centre 1's people as before") {
  auto opened = support::OpenTestDatabase();
  REQUIRE(opened.ok());
  Database& db = **opened;
  REQUIRE(MigrateTo(db, 12).ok());
  const std::string soon = std::to_string(kNow + kDay);
  const std::string later = std::to_string(kNow + kDay + 2 * kHour);
  for (const std::string& sql : {
           "INSERT INTO slots(service_code, counsellor, starts_at, minutes,"
           " place, created_at) VALUES ('orientamento', 'Giulia', " +
               soon + ", 45, 'Sede', 1)",
           "INSERT INTO events(title, starts_at, ends_at, place, capacity,"
           " created_at) VALUES ('Recruiting day', " +
               soon + ", " + later + ", 'Fiera', 50, 1)",
           "INSERT INTO vacancies(external_id, title, employer, comune,"
           " contract, how_to_apply, published_at, expires_at, created_at,"
           " updated_at) VALUES ('v1', 'Cameriere', 'Bar', 'Bari',"
           " 'part_time', 'cv@bar.it', 1, " +
               later + ", 1, 1)",
       }) {
    CAPTURE(sql);
    REQUIRE(db.Exec(sql).ok());
  }
  REQUIRE(Migrate(db).ok());
  const int64_t molfetta = support::NewCentre(db, "CPI Molfetta");

  CHECK(FreeIds(db, CentreScope::Only({kFirstCentre})).size() == 1);
  CHECK(UpcomingTitles(db, CentreScope::Only({kFirstCentre})) ==
        std::vector<std::string>{"Recruiting day"});
  CHECK(OfferedTo(db, kFirstCentre) == std::vector<std::string>{"v1"});
  // They are centre 1's, not regional: a new centre's people see none.
  CHECK(FreeIds(db, CentreScope::Only({molfetta})).empty());
  CHECK(UpcomingTitles(db, CentreScope::Only({molfetta})).empty());
  CHECK(OfferedTo(db, molfetta).empty());
}

}  // namespace
}  // namespace sportello::storage
