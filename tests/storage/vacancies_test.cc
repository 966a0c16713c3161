// Job offers: stored by the feed's external id, indexed for full-text search
// with accents folded, shown only while active, and the "mi interessa" marks.
#include "storage/vacancies.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/database.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::Status;

constexpr int64_t kNow = 1'795'000'000'000;  // Nov 2026
constexpr int64_t kDay = 24LL * 3600 * 1000;

using support::MigratedDb;

Vacancy Offer(std::string external_id, std::string title) {
  Vacancy v;
  v.external_id = std::move(external_id);
  v.title = std::move(title);
  v.employer = "Trattoria del Borgo";
  v.comune = "Bari";
  v.province = "BA";
  v.sector = "ristorazione";
  v.contract = "part_time";
  v.description = "Servizio ai tavoli";
  v.requirements = "Esperienza";
  v.how_to_apply = "cv@borgo.example";
  v.published_at = kNow - kDay;
  v.expires_at = kNow + 30 * kDay;
  return v;
}

int64_t Store(Database& db, const Vacancy& v) {
  auto outcome = UpsertVacancy(db, v, kNow);
  REQUIRE(outcome.ok());
  auto stored = FindVacancyByExternalId(db, v.external_id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  return (*stored)->id;
}

std::vector<int64_t> Match(Database& db, const std::string& fts) {
  auto ids = MatchActiveVacancyIds(db, fts, kNow);
  REQUIRE(ids.ok());
  return *ids;
}

int64_t AddUser(Database& db, const std::string& external_id) {
  return support::NewUser(db, external_id, "web", "", kNow);
}

TEST_CASE("this SQLite has FTS5 with the unicode61 tokenizer" *
          doctest::test_suite("sqlite")) {
  auto db = MigratedDb();
  CHECK(
      db->Exec(
            "CREATE VIRTUAL TABLE probe USING fts5(x, tokenize = 'unicode61')")
          .ok());
}

TEST_CASE("a stored vacancy reads back with every field") {
  auto db = MigratedDb();
  Vacancy v = Offer("feed-1", "Cameriere di sala");
  v.partner = true;
  const int64_t id = Store(*db, v);

  auto found = FindVacancy(*db, id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  const Vacancy& got = **found;
  CHECK(got.external_id == "feed-1");
  CHECK(got.title == "Cameriere di sala");
  CHECK(got.employer == v.employer);
  CHECK(got.comune == "Bari");
  CHECK(got.province == std::optional<std::string>("BA"));
  CHECK(got.sector == "ristorazione");
  CHECK(got.contract == "part_time");
  CHECK(got.description == v.description);
  CHECK(got.requirements == v.requirements);
  CHECK(got.how_to_apply == v.how_to_apply);
  CHECK(got.partner);
  CHECK(got.published_at == v.published_at);
  CHECK(got.expires_at == v.expires_at);
  CHECK(got.created_at == kNow);
  CHECK(got.updated_at == kNow);
  auto missing = FindVacancy(*db, id + 1);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE(
    "storing a vacancy again by external id updates it instead of "
    "duplicating") {
  auto db = MigratedDb();
  Vacancy v = Offer("feed-1", "Cameriere di sala");
  const int64_t id = Store(*db, v);

  auto same = UpsertVacancy(*db, v, kNow + 1000);
  REQUIRE(same.ok());
  CHECK(*same == UpsertOutcome::kUnchanged);

  v.title = "Cameriere di sala e bar";
  auto changed = UpsertVacancy(*db, v, kNow + 2000);
  REQUIRE(changed.ok());
  CHECK(*changed == UpsertOutcome::kUpdated);

  auto count = CountVacancies(*db);
  REQUIRE(count.ok());
  CHECK(*count == 1);
  auto got = FindVacancy(*db, id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->title == "Cameriere di sala e bar");
  CHECK((*got)->created_at == kNow);
  CHECK((*got)->updated_at == kNow + 2000);
}

TEST_CASE("the schema refuses a vacancy it cannot show") {
  auto db = MigratedDb();
  Vacancy v = Offer("feed-1", "Barista");
  SUBCASE("an unknown contract kind") { v.contract = "indeterminato"; }
  SUBCASE("an empty title") { v.title = ""; }
  SUBCASE("an expiry not after publication") { v.expires_at = v.published_at; }
  auto outcome = UpsertVacancy(*db, v, kNow);
  CHECK(outcome.status().code() == Status::Code::kInvalidArgument);
  auto count = CountVacancies(*db);
  REQUIRE(count.ok());
  CHECK(*count == 0);
}

TEST_CASE("the contract kinds are the five the intent engine names") {
  for (const char* kind :
       {"full_time", "part_time", "tirocinio", "stagionale", "apprendistato"}) {
    CAPTURE(kind);
    CHECK(IsContractKind(kind));
  }
  CHECK_FALSE(IsContractKind("Part_time"));
  CHECK_FALSE(IsContractKind(""));
}

TEST_CASE("full-text search folds accents both ways") {
  auto db = MigratedDb();
  const int64_t with_accent = Store(*db, Offer("a", "Barista caffè"));
  const int64_t without = Store(*db, Offer("b", "Barista caffe letterario"));
  Store(*db, Offer("c", "Magazziniere"));

  CHECK(Match(*db, "\"caffe\"") == std::vector<int64_t>{with_accent, without});
  CHECK(Match(*db, "\"caffè\"") == std::vector<int64_t>{with_accent, without});
  CHECK(Match(*db, "\"CAFFÈ\"") == std::vector<int64_t>{with_accent, without});
}

TEST_CASE("the full-text index follows updates of a vacancy") {
  auto db = MigratedDb();
  Vacancy v = Offer("a", "Pizzaiolo");
  const int64_t id = Store(*db, v);
  REQUIRE(Match(*db, "\"pizzaiolo\"") == std::vector<int64_t>{id});

  v.title = "Panettiere";
  REQUIRE(UpsertVacancy(*db, v, kNow).ok());

  CHECK(Match(*db, "\"pizzaiolo\"").empty());
  CHECK(Match(*db, "\"panettiere\"") == std::vector<int64_t>{id});
  CHECK(Match(*db, "{employer} : \"borgo\"") == std::vector<int64_t>{id});
}

TEST_CASE(
    "full-text search matches prefixes, words near each other and columns") {
  auto db = MigratedDb();
  const int64_t storeman = Store(*db, Offer("a", "Magazziniere"));
  const int64_t maid = Store(*db, Offer("b", "Cameriera ai piani"));
  Vacancy cleaner = Offer("c", "Personale");
  cleaner.description = "Cerchiamo addetto alle pulizie";
  const int64_t cleaning = Store(*db, cleaner);
  Vacancy barista = Offer("d", "Barista");
  barista.employer = "Cameriere Srl";
  barista.requirements = "esperienza come cameriere";
  const int64_t bar = Store(*db, barista);
  const int64_t waiter = Store(*db, Offer("e", "Cameriere di sala"));

  CHECK(Match(*db, "\"magazzinier\"*") == std::vector<int64_t>{storeman});
  CHECK(Match(*db, "\"camerier\"*") == std::vector<int64_t>{maid, bar, waiter});
  // Neither the employer's name nor the requirements name the role.
  CHECK(Match(*db, "{title description sector} : (\"camerier\"*)") ==
        std::vector<int64_t>{maid, waiter});
  CHECK(Match(*db, "{employer} : \"cameriere\"") == std::vector<int64_t>{bar});
  CHECK(Match(*db, "{requirements} : \"cameriere\"") ==
        std::vector<int64_t>{bar});
  CHECK(Match(*db, "-{employer requirements} : \"cameriere\"") ==
        std::vector<int64_t>{waiter});
  // Near: either order, at most n words between.
  CHECK(Match(*db, "NEAR(\"addetto\" \"pulizie\", 3)") ==
        std::vector<int64_t>{cleaning});
  CHECK(Match(*db, "NEAR(\"pulizie\" \"addetto\", 1)") ==
        std::vector<int64_t>{cleaning});
  CHECK(Match(*db, "NEAR(\"addetto\" \"pulizie\", 0)").empty());
  // From the end of the first to the start of the last, the middle counts.
  CHECK(Match(*db, "NEAR(\"cerchiamo\" \"puliz\"* \"addett\"*, 2)") ==
        std::vector<int64_t>{cleaning});
  CHECK(Match(*db, "NEAR(\"cerchiamo\" \"addett\"* \"puliz\"*, 1)").empty());
  CHECK(Match(*db, "\"addetto alle pulizie\"") ==
        std::vector<int64_t>{cleaning});
  CHECK(Match(*db, "\"addetto pulizie\"").empty());
  // A role in the title, but not as part of a longer one.
  CHECK(Match(*db,
              "{title} : (\"camerier\"*) NOT {title} : "
              "(NEAR(\"camerier\"* \"pian\"*, 3))") ==
        std::vector<int64_t>{waiter});
  CHECK(Match(*db, "\"barista\" OR \"magazziniere\"") ==
        std::vector<int64_t>{storeman, bar});
  CHECK(Match(*db, "\"cameriere\" AND (\"esperienza\" \"srl\")") ==
        std::vector<int64_t>{bar});
}

TEST_CASE("only vacancies published and not yet expired are active") {
  auto db = MigratedDb();
  Vacancy active = Offer("active", "Cuoco");
  Vacancy expired = Offer("expired", "Cuoco");
  expired.published_at = kNow - 40 * kDay;
  expired.expires_at = kNow;  // expiry is exclusive: gone at that instant
  Vacancy future = Offer("future", "Cuoco");
  future.published_at = kNow + kDay;
  const int64_t active_id = Store(*db, active);
  Store(*db, expired);
  Store(*db, future);

  auto found = FindVacancies(*db, {}, kNow);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK(found->front().id == active_id);
  CHECK(Match(*db, "\"cuoco\"") == std::vector<int64_t>{active_id});

  VacancyFilter all;
  all.include_expired = true;
  auto everything = FindVacancies(*db, all, kNow);
  REQUIRE(everything.ok());
  CHECK(everything->size() == 3);
}

TEST_CASE("vacancies filter by contract and by a full-text expression") {
  auto db = MigratedDb();
  Vacancy a = Offer("a", "Cameriere");
  Vacancy b = Offer("b", "Cameriere");
  b.contract = "stagionale";
  Vacancy c = Offer("c", "Barista");
  c.contract = "stagionale";
  Store(*db, a);
  const int64_t b_id = Store(*db, b);
  Store(*db, c);

  VacancyFilter filter;
  filter.contract = "stagionale";
  filter.fts_match = "\"cameriere\"";
  auto found = FindVacancies(*db, filter, kNow);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK(found->front().id == b_id);
  CHECK(found->front().contract == "stagionale");
  CHECK(found->front().title == "Cameriere");
}

TEST_CASE("interest in a vacancy is recorded once per person") {
  auto db = MigratedDb();
  const int64_t vacancy = Store(*db, Offer("a", "Commesso"));
  const int64_t other = Store(*db, Offer("b", "Cassiere"));
  const int64_t anna = AddUser(*db, "anna");
  const int64_t luca = AddUser(*db, "luca");

  auto first = RecordVacancyInterest(*db, anna, vacancy, kNow);
  REQUIRE(first.ok());
  CHECK(*first);
  auto again = RecordVacancyInterest(*db, anna, vacancy, kNow + 5000);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  REQUIRE(RecordVacancyInterest(*db, luca, vacancy, kNow + 1000).ok());
  REQUIRE(RecordVacancyInterest(*db, anna, other, kNow + 2000).ok());

  auto in_vacancy = InterestsInVacancy(*db, vacancy);
  REQUIRE(in_vacancy.ok());
  REQUIRE(in_vacancy->size() == 2);
  CHECK((*in_vacancy)[0].user_id == anna);
  CHECK((*in_vacancy)[0].at == kNow);  // the first mark is kept
  CHECK((*in_vacancy)[1].user_id == luca);
  auto of_anna = InterestsOfUser(*db, anna);
  REQUIRE(of_anna.ok());
  REQUIRE(of_anna->size() == 2);
  CHECK((*of_anna)[0].vacancy_id == other);  // newest first
}

TEST_CASE(
    "interest in a missing vacancy or from a missing person is not found") {
  auto db = MigratedDb();
  const int64_t vacancy = Store(*db, Offer("a", "Commesso"));
  const int64_t anna = AddUser(*db, "anna");
  CHECK(RecordVacancyInterest(*db, anna, vacancy + 100, kNow).status().code() ==
        Status::Code::kNotFound);
  CHECK(RecordVacancyInterest(*db, anna + 100, vacancy, kNow).status().code() ==
        Status::Code::kNotFound);
}

}  // namespace
}  // namespace sportello::storage
