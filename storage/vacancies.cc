#include "storage/vacancies.h"

#include <tuple>
#include <utility>

#include "storage/fts_tsquery.h"

namespace sportello::storage {
namespace {

constexpr const char* kVacancyColumns =
    "id, external_id, title, employer, comune, province, sector, contract,"
    " description, requirements, how_to_apply, partner, published_at,"
    " expires_at, created_at, updated_at, centre_id";

Vacancy ReadVacancy(const Statement& st) {
  Vacancy v;
  v.id = st.Int(0);
  v.external_id = st.Text(1);
  v.title = st.Text(2);
  v.employer = st.Text(3);
  v.comune = st.Text(4);
  v.province = st.OptionalText(5);
  v.sector = st.Text(6);
  v.contract = st.Text(7);
  v.description = st.Text(8);
  v.requirements = st.Text(9);
  v.how_to_apply = st.Text(10);
  v.partner = st.Int(11) != 0;
  v.published_at = st.Int(12);
  v.expires_at = st.Int(13);
  v.created_at = st.Int(14);
  v.updated_at = st.Int(15);
  v.centre_id = st.OptionalInt(16);
  return v;
}

// What VacancySummary holds, in the order ReadSummaries reads.
constexpr const char* kSummaryColumns =
    "id, external_id, title, employer, comune, province, sector, contract,"
    " partner, published_at, expires_at, centre_id";

core::Result<std::vector<VacancySummary>> ReadSummaries(Statement& st) {
  std::vector<VacancySummary> out;
  while (st.Step()) {
    VacancySummary v;
    v.id = st.Int(0);
    v.external_id = st.Text(1);
    v.title = st.Text(2);
    v.employer = st.Text(3);
    v.comune = st.Text(4);
    v.province = st.OptionalText(5);
    v.sector = st.Text(6);
    v.contract = st.Text(7);
    v.partner = st.Int(8) != 0;
    v.published_at = st.Int(9);
    v.expires_at = st.Int(10);
    v.centre_id = st.OptionalInt(11);
    out.push_back(std::move(v));
  }
  if (!st.status().ok()) return st.status();
  return out;
}

// The fields a feed owns (everything but our id and timestamps).
auto FeedFields(const Vacancy& v) {
  return std::tie(v.external_id, v.title, v.employer, v.comune, v.province,
                  v.sector, v.contract, v.description, v.requirements,
                  v.how_to_apply, v.partner, v.published_at, v.expires_at,
                  v.centre_id);
}

// Binds the feed's fields as parameters 1..13 and the centre as 15, in
// FeedFields' order.
void BindFeedFields(Statement& st, const Vacancy& v) {
  st.Bind(1, v.external_id)
      .Bind(2, v.title)
      .Bind(3, v.employer)
      .Bind(4, v.comune)
      .Bind(5, v.province)
      .Bind(6, v.sector)
      .Bind(7, v.contract)
      .Bind(8, v.description)
      .Bind(9, v.requirements)
      .Bind(10, v.how_to_apply)
      .Bind(11, v.partner ? 1 : 0)
      .Bind(12, v.published_at)
      .Bind(13, v.expires_at)
      .Bind(15, v.centre_id);
}

// CHECK violations come back as kAlreadyExists (a constraint); for an upsert
// by external_id they can only mean a row the schema refuses.
core::Status RefusedRow(const core::Status& s, const Vacancy& v) {
  if (s.code() != core::Status::Code::kAlreadyExists) return s;
  return core::Status::InvalidArgument("vacancies: '" + v.external_id +
                                       "' refused: " + s.message());
}

// Reads at most one row, then resets `st`: a cached statement left on a row
// keeps its connection's read transaction open (see FindOne in users.cc).
core::Result<std::optional<Vacancy>> FindOne(Statement& st) {
  std::optional<Vacancy> v;
  if (st.Step()) v = ReadVacancy(st);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return v;
}

core::Result<bool> Exists(Database& db, std::string_view sql, int64_t id) {
  Statement& st = db.Cached(sql);
  st.Bind(1, id);
  const bool found = st.Step();
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return found;
}

// The one place the engines' full-text search differs. SQLite: the FTS5
// table. PostgreSQL: the `search` column (see kPostgresSchema), each column
// group with a weight of its own, so FTS5's column filters become weights.
// Both list matches by id: ranking is the caller's.
std::string MatchCondition(const Database& db, int param) {
  const std::string p = "?" + std::to_string(param);
  if (db.is_postgres())
    return "search @@ to_tsquery('sportello_fold', " + p + ")";
  return "id IN (SELECT rowid FROM vacancies_fts WHERE vacancies_fts MATCH " +
         p + ")";
}

// What MatchCondition's parameter is bound to for the FTS5 expression `fts`.
core::Result<std::string> MatchArgument(const Database& db,
                                        std::string_view fts) {
  if (!db.is_postgres()) return std::string(fts);
  static const std::vector<WeightedColumn> kColumns = {{"title", 'A'},
                                                       {"description", 'B'},
                                                       {"sector", 'B'},
                                                       {"employer", 'C'},
                                                       {"requirements", 'D'}};
  auto q = FtsToTsquery(fts, kColumns);
  // The expression is built by code: one PostgreSQL cannot take is a bug,
  // as an FTS5 syntax error is on SQLite.
  if (!q.ok()) return core::Status::Internal(q.status().message());
  return q;
}

core::Result<std::vector<VacancyInterest>> ReadInterests(Statement& st) {
  std::vector<VacancyInterest> out;
  while (st.Step()) out.push_back({st.Int(0), st.Int(1), st.Int(2)});
  if (!st.status().ok()) return st.status();
  return out;
}

}  // namespace

bool IsContractKind(std::string_view kind) {
  for (const char* k : kContractKinds) {
    if (kind == k) return true;
  }
  return false;
}

core::Result<UpsertOutcome> UpsertVacancy(Database& db, const Vacancy& v,
                                          int64_t now_ms) {
  auto existing = FindVacancyByExternalId(db, v.external_id);
  if (!existing.ok()) return existing.status();
  if (!*existing) {
    Statement& st = db.Cached(
        "INSERT INTO vacancies(external_id, title, employer, comune,"
        " province, sector, contract, description, requirements,"
        " how_to_apply, partner, published_at, expires_at, created_at,"
        " updated_at, centre_id)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        " ?14, ?15)");
    BindFeedFields(st, v);
    st.Bind(14, now_ms);
    if (auto s = st.Run(); !s.ok()) return RefusedRow(s, v);
    return UpsertOutcome::kInserted;
  }
  if (FeedFields(**existing) == FeedFields(v)) return UpsertOutcome::kUnchanged;
  Statement& st = db.Cached(
      "UPDATE vacancies SET title = ?2, employer = ?3, comune = ?4,"
      " province = ?5, sector = ?6, contract = ?7, description = ?8,"
      " requirements = ?9, how_to_apply = ?10, partner = ?11,"
      " published_at = ?12, expires_at = ?13, updated_at = ?14,"
      " centre_id = ?15 WHERE external_id = ?1");
  BindFeedFields(st, v);
  st.Bind(14, now_ms);
  if (auto s = st.Run(); !s.ok()) return RefusedRow(s, v);
  return UpsertOutcome::kUpdated;
}

core::Result<std::optional<Vacancy>> FindVacancy(Database& db, int64_t id) {
  Statement& st = db.Cached(std::string("SELECT ") + kVacancyColumns +
                            " FROM vacancies WHERE id = ?");
  st.Bind(1, id);
  return FindOne(st);
}

core::Result<std::optional<Vacancy>> FindVacancy(Database& db, int64_t id,
                                                 const CentreScope& scope) {
  Statement st =
      db.Prepare(std::string("SELECT ") + kVacancyColumns +
                 " FROM vacancies WHERE id = ? AND " +
                 CentreCondition("centre_id", scope, /*regional_too=*/true));
  st.Bind(1, id);
  return FindOne(st);
}

core::Result<std::optional<Vacancy>> FindVacancyByExternalId(
    Database& db, std::string_view external_id) {
  Statement& st = db.Cached(std::string("SELECT ") + kVacancyColumns +
                            " FROM vacancies WHERE external_id = ?");
  st.Bind(1, external_id);
  return FindOne(st);
}

core::Result<std::vector<VacancySummary>> FindVacancies(
    Database& db, const VacancyFilter& filter, int64_t now_ms) {
  // One statement whose optional conditions switch off on NULL parameters,
  // so it is prepared once.
  std::optional<std::string> match;
  if (filter.fts_match) {
    auto arg = MatchArgument(db, *filter.fts_match);
    if (!arg.ok()) return arg.status();
    match = std::move(*arg);
  }
  Statement& st =
      db.Cached(std::string("SELECT ") + kSummaryColumns +
                " FROM vacancies"
                " WHERE (?1 <> 0 OR (published_at <= ?2 AND expires_at > ?2))"
                " AND (CAST(?3 AS TEXT) IS NULL OR contract = ?3)"
                " AND (CAST(?4 AS TEXT) IS NULL OR " +
                MatchCondition(db, 4) +
                ")"
                " AND (CAST(?5 AS BIGINT) IS NULL OR centre_id IS NULL"
                " OR centre_id = ?5)"
                " ORDER BY id");
  st.Bind(1, filter.include_expired ? 1 : 0)
      .Bind(2, now_ms)
      .Bind(3, filter.contract)
      .Bind(4, match)
      .Bind(5, filter.centre);
  return ReadSummaries(st);
}

core::Result<std::vector<VacancySummary>> ListVacancies(
    Database& db, int64_t now_ms, bool all, int limit,
    const CentreScope& scope) {
  Statement st = db.Prepare(
      std::string("SELECT ") + kSummaryColumns +
      " FROM vacancies"
      " WHERE (?1 <> 0 OR (published_at <= ?2 AND expires_at > ?2)) AND " +
      CentreCondition("centre_id", scope, /*regional_too=*/true) +
      " ORDER BY published_at DESC, id DESC LIMIT ?3");
  st.Bind(1, all ? 1 : 0).Bind(2, now_ms).Bind(3, limit);
  return ReadSummaries(st);
}

core::Result<std::vector<int64_t>> MatchActiveVacancyIds(
    Database& db, std::string_view fts_match, int64_t now_ms) {
  auto match = MatchArgument(db, fts_match);
  if (!match.ok()) return match.status();
  Statement& st =
      db.Cached("SELECT id FROM vacancies WHERE " + MatchCondition(db, 1) +
                " AND published_at <= ?2 AND expires_at > ?2 ORDER BY id");
  st.Bind(1, *match).Bind(2, now_ms);
  std::vector<int64_t> ids;
  while (st.Step()) ids.push_back(st.Int(0));
  if (!st.status().ok()) return st.status();
  return ids;
}

core::Result<int64_t> CountVacancies(Database& db) {
  Statement& st = db.Cached("SELECT count(*) FROM vacancies");
  const bool row = st.Step();
  const int64_t count = row ? st.Int(0) : 0;
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  if (!row) return core::Status::Internal("vacancies: count returned no row");
  return count;
}

core::Result<VacanciesVersion> GetVacanciesVersion(Database& db) {
  Statement& st =
      db.Cached("SELECT count(*), coalesce(max(updated_at), 0) FROM vacancies");
  const bool row = st.Step();
  VacanciesVersion v;
  if (row) {
    v.count = st.Int(0);
    v.updated_at = st.Int(1);
  }
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  if (!row) return core::Status::Internal("vacancies: version returned no row");
  return v;
}

core::Result<bool> RecordVacancyInterest(Database& db, int64_t user_id,
                                         int64_t vacancy_id, int64_t now_ms) {
  // Checked first so the answer says which is missing (a foreign key
  // failure would not).
  auto user = Exists(db, "SELECT 1 FROM users WHERE id = ?", user_id);
  if (!user.ok()) return user.status();
  if (!*user) {
    return core::Status::NotFound("vacancies: no user " +
                                  std::to_string(user_id));
  }
  auto vacancy = Exists(db, "SELECT 1 FROM vacancies WHERE id = ?", vacancy_id);
  if (!vacancy.ok()) return vacancy.status();
  if (!*vacancy) {
    return core::Status::NotFound("vacancies: no vacancy " +
                                  std::to_string(vacancy_id));
  }
  Statement& st = db.Cached(
      "INSERT INTO vacancy_interest(user_id, vacancy_id, at) VALUES(?, ?, ?)"
      " ON CONFLICT(user_id, vacancy_id) DO NOTHING");
  st.Bind(1, user_id).Bind(2, vacancy_id).Bind(3, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes() > 0;
}

core::Result<std::vector<VacancyInterest>> InterestsOfUser(Database& db,
                                                           int64_t user_id) {
  Statement& st = db.Cached(
      "SELECT user_id, vacancy_id, at FROM vacancy_interest WHERE user_id = ?"
      " ORDER BY at DESC, id DESC");
  st.Bind(1, user_id);
  return ReadInterests(st);
}

core::Result<std::vector<VacancyInterest>> InterestsInVacancy(
    Database& db, int64_t vacancy_id) {
  Statement& st = db.Cached(
      "SELECT user_id, vacancy_id, at FROM vacancy_interest"
      " WHERE vacancy_id = ? ORDER BY at, id");
  st.Bind(1, vacancy_id);
  return ReadInterests(st);
}

}  // namespace sportello::storage
