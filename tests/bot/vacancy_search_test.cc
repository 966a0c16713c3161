// Vacancy search: the message's entities and the profile become a ranked,
// explained, paged list of active offers; user text never reaches FTS5 as
// syntax; demo offers load and look current.
#include "bot/domain/vacancy_search.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "bot/app/demo_data.h"
#include "intents/engine.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/users.h"
#include "tests/support/test_database.h"

namespace sportello {
namespace {

using core::Status;

constexpr int64_t kNow = 1'795'000'000'000;  // Nov 2026
constexpr int64_t kDay = 24LL * 3600 * 1000;

const VacancyVocabulary& Vocabulary() {
  static const VacancyVocabulary kVocabulary = [] {
    auto v = VacancyVocabulary::Load(intents::DefaultDataDir());
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    return std::move(*v);
  }();
  return kVocabulary;
}

struct World {
  std::unique_ptr<storage::Database> db;

  World() {
    auto opened = support::OpenTestDatabase();
    REQUIRE(opened.ok());
    db = std::move(*opened);
    REQUIRE(storage::Migrate(*db).ok());
  }

  // An offer published 30 days ago (not fresh), expiring in 30 days.
  int64_t Add(const std::string& title, const std::string& comune,
              const std::string& contract = "full_time",
              std::function<void(storage::Vacancy&)> tweak = {}) {
    storage::Vacancy v;
    v.external_id = "x" + std::to_string(++count);
    v.title = title;
    v.employer = "Azienda " + std::to_string(count);
    v.comune = comune;
    v.province = Vocabulary().FindPlace(comune)->province;
    v.contract = contract;
    v.how_to_apply = "cv@example.it";
    v.published_at = kNow - 30 * kDay;
    v.expires_at = kNow + 30 * kDay;
    if (tweak) tweak(v);
    REQUIRE(storage::UpsertVacancy(*db, v, kNow).ok());
    auto stored = storage::FindVacancyByExternalId(*db, v.external_id);
    REQUIRE(stored.ok());
    return (*stored)->id;
  }

  VacancyPage Search(const VacancyQuery& q, int64_t now = kNow,
                     VacancyMatchCache* cache = nullptr) {
    auto page = SearchVacancies(*db, Vocabulary(), q, now, cache);
    REQUIRE_MESSAGE(page.ok(), page.status().ToString());
    return std::move(*page);
  }

  int count = 0;
};

std::vector<int64_t> Ids(const VacancyPage& page) {
  std::vector<int64_t> ids;
  for (const auto& item : page.items) ids.push_back(item.vacancy.id);
  return ids;
}

std::vector<std::string> Codes(const RankedVacancy& item) {
  std::vector<std::string> codes;
  for (const auto& r : item.reasons) codes.push_back(r.code);
  return codes;
}

VacancyQuery Role(const std::string& role,
                  std::optional<std::string> city = std::nullopt) {
  VacancyQuery q;
  q.role = role;
  q.city = std::move(city);
  return q;
}

TEST_CASE(
    "a role finds its feminine plural and english forms but not the employer's "
    "name") {
  World w;
  const int64_t cameriera = w.Add("Cameriera di sala", "Bari");
  const int64_t camerieri = w.Add("Cercasi camerieri per eventi", "Bari");
  const int64_t waiter = w.Add("Waiter for cocktail bar", "Bari");
  w.Add("Magazziniere", "Bari", "full_time",
        [](storage::Vacancy& v) { v.employer = "Cameriere Srl"; });
  w.Add("Barista", "Bari", "full_time", [](storage::Vacancy& v) {
    v.requirements = "esperienza come cameriere";
  });

  const VacancyPage page = w.Search(Role("cameriere"));

  CHECK(page.total == 3);
  const std::vector<int64_t> ids = Ids(page);
  CHECK(std::set<int64_t>(ids.begin(), ids.end()) ==
        std::set<int64_t>{cameriera, camerieri, waiter});
  for (const auto& item : page.items) {
    CHECK(item.reasons.front() == MatchReason{"role", "cameriere", 40});
  }
}

TEST_CASE("a role named only in the description ranks below one in the title") {
  World w;
  const int64_t in_text =
      w.Add("Personale per ristorante", "Bari", "full_time",
            [](storage::Vacancy& v) { v.description = "Cerchiamo cuochi"; });
  const int64_t in_title = w.Add("Cuoco", "Bari");
  const int64_t longer_role = w.Add("Aiuto cuoco", "Bari");

  const VacancyPage page = w.Search(Role("cuoco"));

  REQUIRE(page.items.size() == 3);
  CHECK(page.items[0].vacancy.id == in_title);
  CHECK(page.items[0].score == 40);
  // "Aiuto cuoco" is another role: its title only counts as a mention.
  for (const int64_t id : {in_text, longer_role}) {
    CAPTURE(id);
    const auto it = std::find_if(
        page.items.begin(), page.items.end(),
        [&](const RankedVacancy& r) { return r.vacancy.id == id; });
    REQUIRE(it != page.items.end());
    CHECK(it->reasons == std::vector<MatchReason>{{"role", "cuoco", 20}});
  }
}

TEST_CASE(
    "free text finds accented words written without accents and the reverse") {
  World w;
  const int64_t accented = w.Add("Barista caffè", "Bari");
  const int64_t plain = w.Add("Barista caffe letterario", "Bari");
  w.Add("Magazziniere", "Bari");

  for (const char* text : {"caffe", "caffè", "CAFFÈ"}) {
    CAPTURE(text);
    VacancyQuery q;
    q.text = text;
    const VacancyPage page = w.Search(q);
    const std::vector<int64_t> ids = Ids(page);
    CHECK(std::set<int64_t>(ids.begin(), ids.end()) ==
          std::set<int64_t>{accented, plain});
    REQUIRE_FALSE(page.items.empty());
    CHECK(page.items[0].reasons[0] == MatchReason{"text", "caffe", 10});
  }
}

TEST_CASE("hostile text never reaches FTS5 as syntax") {
  World w;
  w.Add("Barista", "Bari");
  w.Add("Cameriere AND OR", "Bari");
  for (const char* text :
       {"\"", "AND OR", "NOT", "NEAR(", "a*", "*", "title:barista",
        "{title}: x", "-barista", "^barista", "(((", "\"barista",
        "barista\" OR \"x", "😀", "€ €", "'; DROP TABLE vacancies;--",
        "\xFF\xFE", ""}) {
    CAPTURE(text);
    VacancyQuery q;
    q.text = text;
    q.role = "barista";
    auto page = SearchVacancies(*w.db, Vocabulary(), q, kNow);
    CHECK_MESSAGE(page.ok(), page.status().ToString());
  }
  VacancyQuery q;
  q.text = std::string(10'000, 'x') + " " + std::string(500, '"');
  CHECK(SearchVacancies(*w.db, Vocabulary(), q, kNow).ok());
  CHECK(FtsTerms("title:barista NEAR(x") ==
        std::vector<std::string>{"\"titl\"*", "\"barist\"*"});
  CHECK(FtsTerms("cerco lavoro a Bari").size() == 1);
}

TEST_CASE("the role expression quotes every word and keeps phrases together") {
  CHECK(RoleExpression("cameriere",
                       {"cameriera", "addetta sala", "chef de rang"}) ==
        "\"camerier\"* OR \"cameriera\" OR NEAR(\"addetta\" \"sala\", 3) OR "
        "NEAR(\"chef\" \"rang\", 3)");
  CHECK(RoleExpression("oss", {}) == "\"oss\"");
  CHECK(RoleExpression("\" OR *", {}) == "\"or\"");  // a word, not the operator
  CHECK(RoleExpression("\" * (", {}).empty());
}

TEST_CASE("nearer offers rank first and farther regions are left out") {
  World w;
  const int64_t region = w.Add("Barista", "Lecce");
  const int64_t province = w.Add("Barista", "Molfetta");
  const int64_t comune = w.Add("Barista", "Bari");
  w.Add("Barista", "Milano");

  const VacancyPage page = w.Search(Role("barista", "Bari"));

  CHECK(Ids(page) == std::vector<int64_t>{comune, province, region});
  CHECK(page.total == 3);
  CHECK_FALSE(page.widened);
  CHECK(page.items[0].reasons[1] == MatchReason{"comune", "Bari", 30});
  CHECK(page.items[1].reasons[1] == MatchReason{"province", "BA", 20});
  CHECK(page.items[2].reasons[1] == MatchReason{"region", "Puglia", 10});
}

TEST_CASE(
    "with nothing in the region the search widens to everywhere and says so") {
  World w;
  const int64_t milano = w.Add("Sviluppatore web", "Milano");
  w.Add("Barista", "Bari");

  const VacancyPage page = w.Search(Role("sviluppatore", "Lecce"));

  CHECK(page.widened);
  CHECK(Ids(page) == std::vector<int64_t>{milano});
}

TEST_CASE("an asked contract narrows and is a reason") {
  World w;
  w.Add("Cameriere", "Bari", "full_time");
  const int64_t part_time = w.Add("Cameriere", "Bari", "part_time");
  VacancyQuery q = Role("cameriere", "Bari");
  q.contract = "part_time";

  const VacancyPage page = w.Search(q);

  CHECK(Ids(page) == std::vector<int64_t>{part_time});
  CHECK(Codes(page.items[0]) ==
        std::vector<std::string>{"role", "comune", "contract"});
  CHECK(page.items[0].reasons[2] == MatchReason{"contract", "part_time", 20});
}

TEST_CASE("an unknown contract kind or a negative offset is refused") {
  World w;
  VacancyQuery q;
  q.contract = "fisso";
  CHECK(SearchVacancies(*w.db, Vocabulary(), q, kNow).status().code() ==
        Status::Code::kInvalidArgument);
  VacancyQuery negative;
  negative.offset = -3;
  CHECK(SearchVacancies(*w.db, Vocabulary(), negative, kNow).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE(
    "the profile ranks by roles sectors availability and home without "
    "narrowing") {
  World w;
  const int64_t unrelated = w.Add("Magazziniere", "Bari");
  const int64_t preferred =
      w.Add("Barista", "Bari", "part_time",
            [](storage::Vacancy& v) { v.sector = "Ristorazione"; });
  const int64_t far = w.Add("Barista", "Milano");
  VacancyQuery q;
  q.profile = JobseekerProfile{
      {"barista", "cuoco"}, {"ristorazione"}, "Bari", {"part_time"}};

  const VacancyPage page = w.Search(q);

  CHECK(Ids(page) ==
        std::vector<int64_t>{preferred, unrelated});  // home region only
  CHECK(Codes(page.items[0]) ==
        std::vector<std::string>{"role", "comune", "contract", "sector"});
  CHECK(page.items[0].score == 40 + 30 + 20 + 15);
  CHECK(Codes(page.items[1]) == std::vector<std::string>{"comune"});
  (void)far;
}

TEST_CASE("partner companies and fresh offers earn their reasons") {
  World w;
  const int64_t plain = w.Add("Commesso", "Bari");
  const int64_t partner = w.Add("Commesso", "Bari", "full_time",
                                [](storage::Vacancy& v) { v.partner = true; });
  const int64_t fresh =
      w.Add("Commesso", "Bari", "full_time",
            [](storage::Vacancy& v) { v.published_at = kNow - 2 * kDay; });

  const VacancyPage page = w.Search(Role("commesso"));

  CHECK(Ids(page) == std::vector<int64_t>{partner, fresh, plain});
  CHECK(page.items[0].reasons.back() == MatchReason{"partner", "", 10});
  CHECK(page.items[1].reasons.back() == MatchReason{"fresh", "", 5});
  CHECK(page.items[2].score == 40);
}

TEST_CASE(
    "with a cache, an offer added or changed since the last search is found "
    "at once") {
  World w;
  VacancyMatchCache cache;
  const int64_t bari = w.Add("Cameriere di sala", "Bari");
  CHECK(Ids(w.Search(Role("cameriere"), kNow, &cache)) ==
        std::vector<int64_t>{bari});
  CHECK(Ids(w.Search(Role("cameriere"), kNow, &cache)) ==
        std::vector<int64_t>{bari});

  const int64_t lecce = w.Add("Cameriere ai tavoli", "Lecce");
  auto page = w.Search(Role("cameriere"), kNow, &cache);
  CHECK(page.total == 2);

  // The Lecce offer becomes a cook's, a moment later.
  auto changed = storage::FindVacancy(*w.db, lecce);
  REQUIRE(changed.ok());
  REQUIRE(changed->has_value());
  storage::Vacancy cook = **changed;
  cook.title = "Cuoco";
  REQUIRE(storage::UpsertVacancy(*w.db, cook, kNow + 1).ok());
  CHECK(Ids(w.Search(Role("cameriere"), kNow + 2, &cache)) ==
        std::vector<int64_t>{bari});
  CHECK(Ids(w.Search(Role("cuoco"), kNow + 2, &cache)) ==
        std::vector<int64_t>{lecce});
}

TEST_CASE(
    "with a cache, an offer that expired is gone ten seconds later at the "
    "latest") {
  World w;
  VacancyMatchCache cache;
  const int64_t soon =
      w.Add("Barista", "Bari", "full_time",
            [](storage::Vacancy& v) { v.expires_at = kNow + 1000; });
  const int64_t later = w.Add("Barista", "Bari");
  CHECK(w.Search(Role("barista"), kNow, &cache).total == 2);
  const auto after =
      w.Search(Role("barista"), kNow + VacancyMatchCache::kTtlMs, &cache);
  CHECK(Ids(after) == std::vector<int64_t>{later});
  CHECK(soon != later);
}

TEST_CASE("expired offers are never returned shown or marked") {
  World w;
  const int64_t expired =
      w.Add("Barista", "Bari", "full_time",
            [](storage::Vacancy& v) { v.expires_at = kNow; });
  const int64_t active = w.Add("Barista", "Bari");
  auto user =
      storage::UpsertUserOnInbound(*w.db, "web", "anna", "anna", "", kNow);
  REQUIRE(user.ok());

  CHECK(Ids(w.Search(Role("barista"))) == std::vector<int64_t>{active});
  CHECK(w.Search(VacancyQuery{}).total == 1);
  auto details = ActiveVacancy(*w.db, expired, kNow);
  REQUIRE(details.ok());
  CHECK_FALSE(details->has_value());
  CHECK(RecordInterest(*w.db, user->id, expired, kNow).status().code() ==
        Status::Code::kNotFound);

  auto shown = ActiveVacancy(*w.db, active, kNow);
  REQUIRE(shown.ok());
  REQUIRE(shown->has_value());
  CHECK((*shown)->title == "Barista");
  auto marked = RecordInterest(*w.db, user->id, active, kNow);
  REQUIRE(marked.ok());
  CHECK(*marked);
}

TEST_CASE(
    "results come three at a time with a total and no repeats across pages") {
  World w;
  for (int i = 0; i < 8; ++i) {
    w.Add(
        "Magazziniere", i % 2 ? "Bari" : "Modugno", "full_time",
        [&](storage::Vacancy& v) { v.published_at = kNow - (10 + i) * kDay; });
  }
  VacancyQuery q = Role("magazziniere", "Bari");
  std::vector<int64_t> seen;
  std::vector<int> scores;
  for (;;) {
    const VacancyPage page = w.Search(q);
    CHECK(page.total == 8);
    CHECK(page.offset == q.offset);
    CHECK(page.items.size() <= 3);
    for (const auto& item : page.items) {
      seen.push_back(item.vacancy.id);
      scores.push_back(item.score);
    }
    if (!page.has_more()) break;
    CHECK(page.items.size() == 3);
    q.offset += kVacancyPageSize;
  }
  CHECK(seen.size() == 8);
  CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == 8);
  CHECK(std::is_sorted(scores.rbegin(), scores.rend()));
  q.offset = 30;
  const VacancyPage past_end = w.Search(q);
  CHECK(past_end.items.empty());
  CHECK_FALSE(past_end.has_more());
}

TEST_CASE(
    "feed rows get official comune names and unknown places are rejected") {
  storage::ParsedFeed feed;
  feed.format = storage::FeedFormat::kCsv;
  auto row = [](int line, std::string comune,
                std::optional<std::string> province) {
    storage::FeedRow r;
    r.where = line;
    r.vacancy.comune = std::move(comune);
    r.vacancy.province = std::move(province);
    return r;
  };
  feed.rows = {row(2, "bari", std::nullopt), row(3, "FORLI", std::nullopt),
               row(4, "Barii", std::nullopt), row(5, "Bari", "MI")};

  CheckFeedPlaces(feed, Vocabulary());

  REQUIRE(feed.rows.size() == 2);
  CHECK(feed.rows[0].vacancy.comune == "Bari");
  CHECK(feed.rows[0].vacancy.province == std::optional<std::string>("BA"));
  CHECK(feed.rows[1].vacancy.comune == "Forlì");
  REQUIRE(feed.errors.size() == 2);
  CHECK(storage::ToString(feed.errors[0]) ==
        "line 4: comune: 'Barii' is not an Italian comune (official name "
        "expected)");
  CHECK(storage::ToString(feed.errors[1]) ==
        "line 5: province: 'MI' does not hold Bari");
}

TEST_CASE(
    "the demo offers load as current offers in official comuni and reload "
    "idempotently") {
  World w;
  auto first = ImportDemoVacancies(*w.db, kNow);
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  CHECK(first->inserted >= 40);
  CHECK(first->rejected.empty());

  storage::VacancyFilter all;
  all.include_expired = true;
  auto stored = storage::FindVacancies(*w.db, all, kNow);
  REQUIRE(stored.ok());
  int64_t newest = 0;
  int in_puglia = 0;
  for (const auto& v : *stored) {
    CAPTURE(v.external_id);
    const auto place =
        Vocabulary().FindPlace(v.comune, v.province.value_or(""));
    REQUIRE(place.has_value());
    CHECK(place->comune == v.comune);
    CHECK(v.published_at <= kNow);
    CHECK(v.expires_at > kNow);
    newest = std::max(newest, v.published_at);
    in_puglia += place->region == "Puglia";
  }
  CHECK(kNow - newest < kDay);  // the newest was published "today"
  CHECK(in_puglia * 4 >= static_cast<int>(stored->size()) * 3);

  CHECK(w.Search(Role("cameriere", "Bari")).total > 0);

  auto again = ImportDemoVacancies(*w.db, kNow);
  REQUIRE(again.ok());
  CHECK(again->inserted == 0);
  CHECK(again->unchanged == first->inserted);
  CHECK(LoadDemoVacancies(*w.db, kNow + 90 * kDay)
            .ok());  // moved forward, still valid
}

}  // namespace
}  // namespace sportello
