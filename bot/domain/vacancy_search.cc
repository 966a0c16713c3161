#include "bot/domain/vacancy_search.h"

#include <algorithm>
#include <set>
#include <unordered_set>
#include <utility>

#include "bot/core/utf8.h"

namespace sportello {
namespace {

constexpr int kRoleInTitlePoints = 40;
constexpr int kRoleInTextPoints = 20;
constexpr int kTextTermPoints = 10;
constexpr int kComunePoints = 30;
constexpr int kProvincePoints = 20;
constexpr int kRegionPoints = 10;
constexpr int kContractPoints = 20;
constexpr int kSectorPoints = 15;
constexpr int kPartnerPoints = 10;
constexpr int kFreshPoints = 5;
constexpr int64_t kFreshMillis = 7LL * 24 * 3600 * 1000;
constexpr size_t kMaxTerms = 8;
constexpr size_t kMaxTermBytes = 40;

// Where a role counts: not the employer's name ("Bar Centrale" is no
// barista) nor the requirements ("esperienza come cameriere" in a barista
// offer).
constexpr const char* kRoleColumns = "{title description sector}";

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c >= 0x80;
}

// Folded words of `s`: runs of letters and digits (any non-ASCII byte
// counts as a letter; FTS5's tokenizer has the final say).
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    // A word FTS5 could index has a letter or digit we know: "€" or an
    // emoji alone would be an empty phrase that matches nothing.
    if (std::any_of(word.begin(), word.end(), [](char c) {
          return IsWordByte(static_cast<unsigned char>(c)) &&
                 static_cast<unsigned char>(c) < 0x80;
        })) {
      words.push_back(word);
    }
    word.clear();
  };
  for (const char ch : FoldName(s)) {
    if (IsWordByte(static_cast<unsigned char>(ch))) {
      word += ch;
    } else {
      flush();
    }
  }
  flush();
  return words;
}

const std::unordered_set<std::string_view>& Connectors() {
  static const std::unordered_set<std::string_view> kWords = {
      "a",     "ad",  "ai",  "al", "alla", "alle",  "allo", "agli",
      "d",     "da",  "dal", "de", "dei",  "degli", "del",  "della",
      "delle", "di",  "e",   "ed", "gli",  "i",     "il",   "in",
      "l",     "la",  "le",  "lo", "per",  "su",    "con",  "o",
      "of",    "the", "and", "an", "or",   "to",    "at",   "as"};
  return kWords;
}

// Words that say nothing about which offer: the search itself, greetings.
const std::unordered_set<std::string_view>& SearchNoise() {
  static const std::unordered_set<std::string_view> kWords = {
      "cerco",    "cerca",   "cercando", "cercare",  "lavoro",  "lavori",
      "lavorare", "offerta", "offerte",  "annuncio", "annunci", "posto",
      "come",     "un",      "una",      "uno",      "mi",      "me",
      "io",       "sono",    "ciao",     "grazie",   "vorrei",  "voglio",
      "qualcosa", "tipo",    "zona",     "che",      "non",     "job",
      "jobs",     "work",    "looking",  "for",      "want",    "is",
      "am",       "hi",      "near",     "any"};
  return kWords;
}

// `word` as an FTS5 string: quoted, so it is never an operator or a column.
std::string Quote(std::string_view word) {
  std::string q = "\"";
  for (const char c : word)
    q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// A loose match for an inflected word: words of five letters or more lose
// their final vowel and match as a prefix ("camerier*" finds cameriera,
// camerieri); shorter ones ("oss", "chef") match exactly.
std::string Stem(std::string_view word) {
  if (core::utf8::CodePoints(word) < 5) return Quote(word);
  std::string_view stem = word;
  if (std::string_view("aeio").find(stem.back()) != std::string_view::npos)
    stem.remove_suffix(1);
  return Quote(stem) + "*";
}

// One form as an expression: a word, or a phrase as its words near each
// other (small words dropped: "addetto alle pulizie" ~ "addetto pulizie").
std::string FormExpression(std::string_view form, bool stem) {
  std::vector<std::string> parts;
  const auto words = Words(form);
  for (const auto& w : words) {
    if (words.size() > 1 && Connectors().count(w)) continue;
    parts.push_back(stem ? Stem(w) : Quote(w));
  }
  if (parts.empty()) return "";
  if (parts.size() == 1) return parts[0];
  std::string near = "NEAR(";
  for (size_t i = 0; i < parts.size(); ++i) near += (i ? " " : "") + parts[i];
  return near + ", 3)";
}

struct Term {
  std::string word;  // as folded from the text: what the reason shows
  std::string expr;  // its FTS5 string
};

std::vector<Term> Terms(std::string_view text) {
  std::vector<Term> terms;
  std::set<std::string> seen;
  for (auto& w : Words(text)) {
    if (terms.size() == kMaxTerms) break;
    if (w.size() < 2 || w.size() > kMaxTermBytes || Connectors().count(w) ||
        SearchNoise().count(w)) {
      continue;
    }
    std::string expr = Stem(w);
    if (seen.insert(expr).second)
      terms.push_back({std::move(w), std::move(expr)});
  }
  return terms;
}

}  // namespace

std::vector<std::string> FtsTerms(std::string_view text) {
  std::vector<std::string> exprs;
  for (auto& t : Terms(text)) exprs.push_back(std::move(t.expr));
  return exprs;
}

std::string RoleExpression(std::string_view role,
                           const std::vector<std::string>& forms) {
  std::vector<std::string> parts;
  auto add = [&](std::string expr) {
    if (!expr.empty() &&
        std::find(parts.begin(), parts.end(), expr) == parts.end()) {
      parts.push_back(std::move(expr));
    }
  };
  add(FormExpression(role, /*stem=*/true));
  for (const auto& f : forms) add(FormExpression(f, /*stem=*/false));
  std::string expr;
  for (const auto& p : parts) expr += (expr.empty() ? "" : " OR ") + p;
  return expr;
}

namespace {

struct Candidate {
  storage::VacancySummary summary;
  int score = 0;
  std::vector<MatchReason> reasons;
  bool in_area = false;

  void Add(std::string code, std::string detail, int points) {
    score += points;
    reasons.push_back({std::move(code), std::move(detail), points});
  }
};

// The full-text lookups of one search, through the cache when there is one.
struct Lookup {
  storage::Database& db;
  int64_t now_ms = 0;
  VacancyMatchCache* cache = nullptr;
  storage::VacanciesVersion version;  // read once a search, with a cache

  // Ids of active offers matching `expr` (built by this file, never raw
  // input), ascending.
  core::Result<std::vector<int64_t>> Matching(const std::string& expr) {
    const std::string key = "m" + expr;
    if (cache != nullptr) {
      if (auto hit = cache->Find(key, version, now_ms)) return hit->ids;
    }
    auto ids = storage::MatchActiveVacancyIds(db, expr, now_ms);
    if (ids.ok() && cache != nullptr)
      cache->Put(key, version, now_ms, {*ids, {}});
    return ids;
  }

  core::Result<std::vector<storage::VacancySummary>> Offers(
      const storage::VacancyFilter& filter) {
    // NUL never occurs in an expression or a contract kind.
    const std::string key =
        "f" + filter.contract.value_or("") + '\0' +
        (filter.fts_match ? "=" + *filter.fts_match : "") + '\0' +
        (filter.include_expired ? "x" : "") + '\0' +
        (filter.centre ? std::to_string(*filter.centre) : "");
    if (cache != nullptr) {
      if (auto hit = cache->Find(key, version, now_ms)) return hit->offers;
    }
    auto offers = storage::FindVacancies(db, filter, now_ms);
    if (offers.ok() && cache != nullptr)
      cache->Put(key, version, now_ms, {{}, *offers});
    return offers;
  }
};

bool Has(const std::vector<int64_t>& ids, int64_t id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

// Offers whose title names `role`, but not as part of a longer role: a
// "Cameriera ai piani" is no waiter's job, an "Aiuto cuoco" no cook's.
std::string TitleExpression(const VacancyVocabulary& vocabulary,
                            std::string_view role, const std::string& expr) {
  std::string longer;
  for (const auto& other : vocabulary.RolesContaining(role)) {
    const std::string e = RoleExpression(other, vocabulary.RoleForms(other));
    if (!e.empty()) longer += (longer.empty() ? "" : " OR ") + e;
  }
  std::string title = "{title} : (" + expr + ")";
  return longer.empty() ? title : title + " NOT {title} : (" + longer + ")";
}

// The role reason: 40 for the best role named in an offer's title, else 20
// for one in its text. `roles` are tried in order. `narrowed`: every
// candidate is known to name roles[0] somewhere.
core::Status ScoreRoles(Lookup& lookup, const VacancyVocabulary& vocabulary,
                        const std::vector<std::string>& roles, bool narrowed,
                        std::vector<Candidate>& candidates) {
  // By candidate: the points and the role that earned them.
  std::vector<std::pair<int, std::string>> best(candidates.size());
  for (const auto& role : roles) {
    const std::string expr = RoleExpression(role, vocabulary.RoleForms(role));
    if (expr.empty()) continue;
    auto in_title = lookup.Matching(TitleExpression(vocabulary, role, expr));
    if (!in_title.ok()) return in_title.status();
    core::Result<std::vector<int64_t>> in_text = std::vector<int64_t>();
    if (!narrowed) {
      in_text =
          lookup.Matching(std::string(kRoleColumns) + " : (" + expr + ")");
      if (!in_text.ok()) return in_text.status();
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
      const int64_t id = candidates[i].summary.id;
      const int points = Has(*in_title, id)              ? kRoleInTitlePoints
                         : narrowed || Has(*in_text, id) ? kRoleInTextPoints
                                                         : 0;
      if (points > best[i].first) best[i] = {points, role};
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (best[i].first > 0)
      candidates[i].Add("role", best[i].second, best[i].first);
  }
  return core::Status::Ok();
}

core::Status ScoreTerms(Lookup& lookup, const std::vector<Term>& terms,
                        std::vector<Candidate>& candidates) {
  std::vector<std::string> matched(candidates.size());
  std::vector<int> count(candidates.size());
  for (const auto& term : terms) {
    auto ids = lookup.Matching(term.expr);
    if (!ids.ok()) return ids.status();
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (!Has(*ids, candidates[i].summary.id)) continue;
      matched[i] += (matched[i].empty() ? "" : " ") + term.word;
      ++count[i];
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (count[i] > 0)
      candidates[i].Add("text", matched[i], count[i] * kTextTermPoints);
  }
  return core::Status::Ok();
}

// Nearness to `home`: same comune, province or region.
void ScoreArea(const VacancyVocabulary& vocabulary,
               const VacancyVocabulary::Place& home, Candidate& c) {
  const auto& v = c.summary;
  const auto place = vocabulary.FindPlace(v.comune, v.province.value_or(""));
  const std::string province = v.province ? *v.province
                               : place    ? place->province
                                          : "";
  const std::string region =
      place ? place->region : vocabulary.RegionOf(province);
  if (FoldName(v.comune) == FoldName(home.comune) &&
      (province.empty() || home.province.empty() ||
       province == home.province)) {
    c.Add("comune", v.comune, kComunePoints);
  } else if (!province.empty() && province == home.province) {
    c.Add("province", province, kProvincePoints);
  } else if (!region.empty() && region == home.region) {
    c.Add("region", region, kRegionPoints);
  } else {
    return;
  }
  c.in_area = true;
}

// What narrows the search: the asked role (in title, description or
// sector) and at least one of the free words (anywhere).
std::optional<std::string> Narrowing(const VacancyVocabulary& vocabulary,
                                     const std::optional<std::string>& role,
                                     const std::vector<Term>& terms) {
  std::string narrowing;
  if (role) {
    const auto expr = RoleExpression(*role, vocabulary.RoleForms(*role));
    if (!expr.empty())
      narrowing = std::string(kRoleColumns) + " : (" + expr + ")";
  }
  if (!terms.empty()) {
    std::string any;
    for (const auto& t : terms) any += (any.empty() ? "" : " OR ") + t.expr;
    narrowing += (narrowing.empty() ? "(" : " AND (") + any + ")";
  }
  if (narrowing.empty()) return std::nullopt;
  return narrowing;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) {
    return FoldName(s) == FoldName(value);
  });
}

}  // namespace

core::Result<VacancyPage> SearchVacancies(storage::Database& db,
                                          const VacancyVocabulary& vocabulary,
                                          const VacancyQuery& query,
                                          int64_t now_ms,
                                          VacancyMatchCache* cache) {
  if (query.contract && !storage::IsContractKind(*query.contract)) {
    return core::Status::InvalidArgument("vacancy search: unknown contract '" +
                                         *query.contract + "'");
  }
  if (query.offset < 0 || query.limit < 1) {
    return core::Status::InvalidArgument(
        "vacancy search: bad page offset or limit");
  }
  const JobseekerProfile profile = query.profile.value_or(JobseekerProfile{});

  const auto terms = Terms(query.text);
  storage::VacancyFilter filter;
  filter.contract = query.contract;
  filter.centre = query.centre;
  filter.fts_match = Narrowing(vocabulary, query.role, terms);
  Lookup lookup{db, now_ms, cache, {}};
  if (cache != nullptr) {
    auto version = storage::GetVacanciesVersion(db);
    if (!version.ok()) return version.status();
    lookup.version = *version;
  }
  auto found = lookup.Offers(filter);
  if (!found.ok()) return found.status();
  std::vector<Candidate> candidates;
  candidates.reserve(found->size());
  for (auto& v : *found) candidates.push_back({std::move(v), 0, {}, false});

  const std::vector<std::string> roles =
      query.role ? std::vector{*query.role} : profile.roles;
  if (auto s = ScoreRoles(lookup, vocabulary, roles, query.role.has_value(),
                          candidates);
      !s.ok()) {
    return s;
  }
  if (auto s = ScoreTerms(lookup, terms, candidates); !s.ok()) return s;

  std::optional<VacancyVocabulary::Place> home;
  if (const auto& comune = query.city ? query.city : profile.comune) {
    home = vocabulary.FindPlace(*comune);
    if (!home) home = VacancyVocabulary::Place{*comune, "", ""};
  }
  for (auto& c : candidates) {
    const auto& v = c.summary;
    if (home) ScoreArea(vocabulary, *home, c);
    if (query.contract || Contains(profile.contracts, v.contract)) {
      c.Add("contract", v.contract, kContractPoints);
    }
    if (!v.sector.empty() && Contains(profile.sectors, v.sector)) {
      c.Add("sector", v.sector, kSectorPoints);
    }
    if (v.partner) c.Add("partner", "", kPartnerPoints);
    if (now_ms - v.published_at <= kFreshMillis)
      c.Add("fresh", "", kFreshPoints);
  }

  VacancyPage page;
  page.offset = query.offset;
  if (home && std::any_of(candidates.begin(), candidates.end(),
                          [](const Candidate& c) { return c.in_area; })) {
    std::erase_if(candidates, [](const Candidate& c) { return !c.in_area; });
  } else if (home && !candidates.empty()) {
    page.widened = true;
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) {
              if (a.score != b.score) return a.score > b.score;
              if (a.summary.published_at != b.summary.published_at) {
                return a.summary.published_at > b.summary.published_at;
              }
              return a.summary.id < b.summary.id;
            });
  page.total = static_cast<int>(candidates.size());
  const size_t end = std::min(candidates.size(),
                              static_cast<size_t>(query.offset) + query.limit);
  for (size_t i = query.offset; i < end; ++i) {
    auto full = storage::FindVacancy(db, candidates[i].summary.id);
    if (!full.ok()) return full.status();
    if (!*full)
      return core::Status::Internal(
          "vacancy search: an offer vanished mid-search");
    page.items.push_back({std::move(**full), candidates[i].score,
                          std::move(candidates[i].reasons)});
  }
  return page;
}

std::shared_ptr<const VacancyMatchCache::Entry> VacancyMatchCache::Find(
    const std::string& key, const storage::VacanciesVersion& version,
    int64_t now_ms) const {
  core::MutexLock lock(&mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  const Slot& slot = it->second;
  if (!(slot.version == version) || now_ms < slot.at_ms ||
      now_ms - slot.at_ms >= kTtlMs) {
    return nullptr;
  }
  return slot.entry;
}

void VacancyMatchCache::Put(const std::string& key,
                            const storage::VacanciesVersion& version,
                            int64_t now_ms, Entry entry) {
  auto shared = std::make_shared<const Entry>(std::move(entry));
  core::MutexLock lock(&mu_);
  if (slots_.size() >= kMaxEntries && !slots_.contains(key)) slots_.clear();
  slots_[key] = Slot{version, now_ms, std::move(shared)};
}

core::Result<std::optional<storage::Vacancy>> ActiveVacancy(
    storage::Database& db, int64_t id, int64_t now_ms) {
  auto v = storage::FindVacancy(db, id);
  if (!v.ok() || !*v) return v;
  if ((*v)->published_at > now_ms || (*v)->expires_at <= now_ms) {
    return std::optional<storage::Vacancy>();
  }
  return v;
}

core::Result<bool> RecordInterest(storage::Database& db, int64_t user_id,
                                  int64_t vacancy_id, int64_t now_ms) {
  auto v = ActiveVacancy(db, vacancy_id, now_ms);
  if (!v.ok()) return v.status();
  if (!*v) {
    return core::Status::NotFound("vacancy search: no active vacancy " +
                                  std::to_string(vacancy_id));
  }
  return storage::RecordVacancyInterest(db, user_id, vacancy_id, now_ms);
}

void CheckFeedPlaces(storage::ParsedFeed& feed,
                     const VacancyVocabulary& vocabulary) {
  std::vector<storage::FeedRow> kept;
  for (auto& row : feed.rows) {
    auto& v = row.vacancy;
    const auto place = vocabulary.FindPlace(v.comune, v.province.value_or(""));
    if (!place) {
      const bool exists = vocabulary.FindPlace(v.comune).has_value();
      feed.errors.push_back(
          {feed.format, row.where, exists ? "province" : "comune",
           exists
               ? "'" + v.province.value_or("") + "' does not hold " + v.comune
               : "'" + v.comune +
                     "' is not an Italian comune (official name expected)"});
      continue;
    }
    v.comune = place->comune;
    v.province = place->province;
    kept.push_back(std::move(row));
  }
  feed.rows = std::move(kept);
}

}  // namespace sportello
