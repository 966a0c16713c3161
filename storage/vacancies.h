// Job offers (vacancies), their full-text index and the "mi interessa" marks
// people leave on them. Offers are keyed by the feed's external_id, so an
// import run twice updates instead of duplicating. Times are unix ms.
//
// Matching by words goes through an FTS5 expression (vacancies_fts: title,
// description, requirements, sector, employer; accents folded). Building that
// expression from what a person typed is the caller's job
// (bot/vacancy_search): never pass user input here as FTS syntax. On
// PostgreSQL the same expression is translated into a tsquery over the
// `search` column (storage/fts_tsquery.h); a column filter there must keep
// description and sector together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/centres.h"
#include "storage/database.h"

namespace sportello::storage {

// The contract kinds an offer may have, as the intent engine names them.
inline constexpr const char* kContractKinds[] = {
    "full_time", "part_time", "tirocinio", "stagionale", "apprendistato"};
bool IsContractKind(std::string_view kind);

struct Vacancy {
  int64_t id = 0;           // ours; 0 until stored
  std::string external_id;  // the feed's, unique
  std::string title;
  std::string employer;
  std::string comune;  // official municipality name: "Molfetta"
  std::optional<std::string> province;  // two-letter code: "BA"
  std::string sector;                   // free text: "ristorazione"
  std::string contract;                 // one of kContractKinds
  std::string description;
  std::string requirements;
  std::string how_to_apply;
  bool partner = false;  // a partner company of the centre
  // Active (shown) while published_at <= now < expires_at.
  int64_t published_at = 0;
  int64_t expires_at = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // The centre offering it to its people; nullopt: regional, offered to
  // everyone. A feed names none: its offers are kFirstCentre's.
  std::optional<int64_t> centre_id = kFirstCentre;
};

// What ranking and listing need of an offer, without its long texts.
struct VacancySummary {
  int64_t id = 0;
  std::string external_id;
  std::string title;
  std::string employer;
  std::string comune;
  std::optional<std::string> province;
  std::string sector;
  std::string contract;
  bool partner = false;
  int64_t published_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> centre_id;  // nullopt: regional
};

enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };

// Stores `v` by its external_id: inserts it, or overwrites the stored offer's
// fields (keeping its id and created_at) when any differs. `v.id`,
// `created_at` and `updated_at` are ignored; now_ms stamps them.
// InvalidArgument for a row the schema refuses (empty title, unknown
// contract, expiry not after publication).
core::Result<UpsertOutcome> UpsertVacancy(Database& db, const Vacancy& v,
                                          int64_t now_ms);

core::Result<std::optional<Vacancy>> FindVacancy(Database& db, int64_t id);
core::Result<std::optional<Vacancy>> FindVacancyByExternalId(
    Database& db, std::string_view external_id);
// The console's read: the offer when it is regional or of a centre in
// `scope`; nullopt otherwise, exactly as for an id that does not exist.
core::Result<std::optional<Vacancy>> FindVacancy(Database& db, int64_t id,
                                                 const CentreScope& scope);

// The console's list: the regional offers and those of the centres in
// `scope`, newest publication first (then newest id), at most `limit`.
// Active ones only (published_at <= now_ms < expires_at) unless `all`.
core::Result<std::vector<VacancySummary>> ListVacancies(
    Database& db, int64_t now_ms, bool all, int limit,
    const CentreScope& scope);

struct VacancyFilter {
  // An FTS5 expression over vacancies_fts, built by code. REQUIRES: never raw
  // user input (a syntax error is reported as kInternal).
  std::optional<std::string> fts_match;
  std::optional<std::string> contract;  // one of kContractKinds
  bool include_expired = false;         // and not yet published
  // Set: that centre's offers and the regional ones (what its people are
  // offered). nullopt: every offer.
  std::optional<int64_t> centre;
};

// Offers passing `filter`, by id: active ones (published_at <= now_ms <
// expires_at) unless include_expired.
core::Result<std::vector<VacancySummary>> FindVacancies(
    Database& db, const VacancyFilter& filter, int64_t now_ms);

// Ids of active offers matching the FTS5 expression `fts_match` (same
// REQUIRES as VacancyFilter::fts_match), ascending.
core::Result<std::vector<int64_t>> MatchActiveVacancyIds(
    Database& db, std::string_view fts_match, int64_t now_ms);

// How many offers are stored, active or not (0: a fresh database).
core::Result<int64_t> CountVacancies(Database& db);

// Changes whenever an offer is added or its fields change (offers are
// never deleted): the number of offers and the latest updated_at. What a
// cache of search results checks before trusting an entry.
struct VacanciesVersion {
  int64_t count = 0;
  int64_t updated_at = 0;
  bool operator==(const VacanciesVersion&) const = default;
};
core::Result<VacanciesVersion> GetVacanciesVersion(Database& db);

struct VacancyInterest {
  int64_t user_id = 0;
  int64_t vacancy_id = 0;
  int64_t at = 0;
};

// Records that `user_id` is interested in `vacancy_id`. True when new, false
// when already recorded (the first time is kept). NotFound when the user or
// the offer does not exist.
core::Result<bool> RecordVacancyInterest(Database& db, int64_t user_id,
                                         int64_t vacancy_id, int64_t now_ms);
// A person's marks, newest first.
core::Result<std::vector<VacancyInterest>> InterestsOfUser(Database& db,
                                                           int64_t user_id);
// An offer's marks, oldest first: the counsellor's list.
core::Result<std::vector<VacancyInterest>> InterestsInVacancy(
    Database& db, int64_t vacancy_id);

}  // namespace sportello::storage
