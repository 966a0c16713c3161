// Finding job offers for a person: the message's entities (role, city,
// contract, free words) and the person's profile become a query over the
// vacancy store; the offers are ranked by a score whose every point has a
// reason the bot can say ("ti propongo questa perché: ruolo, zona,
// part-time"), and paged three at a time. Expired offers never come back.
//
//   auto vocabulary = VacancyVocabulary::Load(intents::DefaultDataDir());
//   VacancyQuery q;
//   q.role = "cameriere";   // intents::Entities::role
//   q.city = "Bari";        // intents::Entities::city
//   auto page = SearchVacancies(db, *vocabulary, q, now_ms);
//   // page->items[0].reasons: {role, cameriere}, {comune, Bari}, ...
//   q.offset += kVacancyPageSize;  // "altre"
//
// Pure logic over storage: no clock, no network; the caller's transaction.
// A VacancyMatchCache, if given, is the only state kept between calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/core/mutex.h"
#include "bot/core/status.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "storage/database.h"
#include "storage/vacancies.h"
#include "storage/vacancy_import.h"

namespace sportello {

inline constexpr int kVacancyPageSize = 3;

// What the person told us about themselves (the profiling flow).
struct JobseekerProfile {
  // Desired roles, as the role entity names them: "barista".
  std::vector<std::string> roles;
  // Desired sectors: "ristorazione".
  std::vector<std::string> sectors;
  // Where they live (official comune name).
  std::optional<std::string> comune;
  // Availability: the contract kinds they accept.
  std::vector<std::string> contracts;
};

struct VacancyQuery {
  // From the message (intents::Entities). An explicit role, contract or free
  // text narrows the results; a city (or else the profile's comune) keeps
  // them to its region, nearest first.
  std::optional<std::string> role;  // "cameriere"
  std::optional<std::string> city;  // official comune: "Bari"
  // full_time | part_time | tirocinio | stagionale | apprendistato
  std::optional<std::string> contract;
  // Any words the person typed; results contain at least one.
  std::string text;
  // Ranks; never narrows, except that its comune stands in for a city.
  std::optional<JobseekerProfile> profile;
  // The person's centre: its offers and the regional ones only. nullopt:
  // every offer (tools).
  std::optional<int64_t> centre;
  int offset = 0;
  int limit = kVacancyPageSize;
};

// One reason an offer ranks where it does, worth `points`:
//
//   code      detail          points  when
//   role      the role        40      the role (the query's, else the best
//                                     of the profile's) is in the title
//                             20      ... only in description or sector, or
//                                     in the title within a longer role
//                                     ("cameriera ai piani" for cameriere)
//   text      matched words   10 each free words found in the offer
//   comune    the comune      30      same comune as the city (or profile's)
//   province  province code   20      same province, another comune
//   region    the region      10      same region, another province
//   contract  the kind        20      the asked kind, or one the profile
//                                     accepts
//   sector    the sector      15      a sector of the profile
//   partner   ""              10      a partner company of the centre
//   fresh     ""              5       published in the last 7 days
struct MatchReason {
  std::string code;
  std::string detail;
  int points = 0;
  bool operator==(const MatchReason&) const = default;
};

struct RankedVacancy {
  storage::Vacancy vacancy;
  int score = 0;                     // sum of the reasons' points
  std::vector<MatchReason> reasons;  // in the table's order
};

struct VacancyPage {
  std::vector<RankedVacancy> items;  // at most query.limit, best first
  int total = 0;                     // matches across all pages
  int offset = 0;
  // Nothing matched in the city's region, so these come from anywhere (the
  // bot should say so).
  bool widened = false;
  bool has_more() const {
    return offset + static_cast<int>(items.size()) < total;
  }
};

// Remembers what the full-text searches behind SearchVacancies found, so
// that people asking for the same role within seconds do not each pay for
// the same FTS5 queries (two to four a search: about half the CPU of a
// processed message that searches). An entry holds only while the offers
// are unchanged (storage::GetVacanciesVersion, one cheap query a search)
// and for kTtlMs at most, since offers become active and expire with time.
// Thread-safe; bounded (emptied when full).
class VacancyMatchCache {
 public:
  static constexpr int64_t kTtlMs = 10'000;
  static constexpr size_t kMaxEntries = 1024;

  struct Entry {
    std::vector<int64_t> ids;                     // MatchActiveVacancyIds
    std::vector<storage::VacancySummary> offers;  // FindVacancies
  };
  // What was found for `key` at `version`, kTtlMs or less before `now_ms`;
  // null when not known.
  std::shared_ptr<const Entry> Find(const std::string& key,
                                    const storage::VacanciesVersion& version,
                                    int64_t now_ms) const;
  void Put(const std::string& key, const storage::VacanciesVersion& version,
           int64_t now_ms, Entry entry);

 private:
  struct Slot {
    storage::VacanciesVersion version;
    int64_t at_ms = 0;
    std::shared_ptr<const Entry> entry;
  };
  mutable core::Mutex mu_;
  std::unordered_map<std::string, Slot> slots_ GUARDED_BY(mu_);
};

// Ranks active offers (published, not expired at now_ms) for `query`.
// Ordered by score, then newest publication, then id, so a page is a slice
// of one total order (each call ranks afresh: pages agree while the offers
// and the day do). The caller keeps the query (slots) and moves `offset` for
// "altre". InvalidArgument for an unknown contract kind, a negative offset
// or a limit below 1. `cache` (may be null, not owned) saves repeated
// full-text searches.
core::Result<VacancyPage> SearchVacancies(storage::Database& db,
                                          const VacancyVocabulary& vocabulary,
                                          const VacancyQuery& query,
                                          int64_t now_ms,
                                          VacancyMatchCache* cache = nullptr);

// The offer to show in full; nullopt when it does not exist or is no longer
// active (expired offers are never shown).
core::Result<std::optional<storage::Vacancy>> ActiveVacancy(
    storage::Database& db, int64_t id, int64_t now_ms);

// "Mi interessa": records `user_id`'s interest in an active offer for the
// counsellor. True when new, false when already recorded; NotFound when the
// offer is missing or no longer active.
core::Result<bool> RecordInterest(storage::Database& db, int64_t user_id,
                                  int64_t vacancy_id, int64_t now_ms);

// Checks each feed row's comune against the gazetteer: the official name
// replaces the written one ("bari" -> "Bari") and fills in the province; an
// unknown comune, or a province that does not hold it, moves the row to the
// feed's errors.
void CheckFeedPlaces(storage::ParsedFeed& feed,
                     const VacancyVocabulary& vocabulary);

// FTS5 expressions built from untrusted text: the words of `text`, each a
// quoted string (never FTS syntax), without small words ("a", "di", "cerco",
// "lavoro"); at most 8. Exposed for tests.
std::vector<std::string> FtsTerms(std::string_view text);
// The expression matching `role` and its forms (the role's stem as a
// prefix, each form exactly, phrases as NEAR groups).
std::string RoleExpression(std::string_view role,
                           const std::vector<std::string>& forms);

}  // namespace sportello
