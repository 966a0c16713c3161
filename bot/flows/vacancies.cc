#include "bot/flows/vacancies.h"

#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "bot/flows/consent.h"
#include "bot/flows/router.h"
#include "intents/normalize.h"
#include "storage/profiles.h"

namespace sportello::flows {
namespace {

constexpr std::string_view kPrefix = "vacancies:";
constexpr const char* kMore = "vacancies:more";
constexpr const char* kBack = "vacancies:back";
constexpr const char* kNew = "vacancies:new";
constexpr const char* kStepAsk = "ask";
constexpr const char* kStepResults = "results";
// Below this an intent other than vacancy search is not taken as a reason
// to leave the search: the message is read as a search instead.
constexpr double kLeaveConfidence = 0.6;

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  }
  return out;
}

nlohmann::json ToSlots(const VacancyQuery& q) {
  nlohmann::json j = nlohmann::json::object();
  if (q.role) j["role"] = *q.role;
  if (q.city) j["city"] = *q.city;
  if (q.contract) j["contract"] = *q.contract;
  if (!q.text.empty()) j["text"] = q.text;
  j["offset"] = q.offset;
  return j;
}

std::optional<std::string> OptString(const nlohmann::json& j, const char* key) {
  if (auto it = j.find(key); it != j.end() && it->is_string())
    return it->get<std::string>();
  return std::nullopt;
}

// The search the conversation holds, if any.
std::optional<VacancyQuery> FromSlots(const storage::Conversation& c) {
  const nlohmann::json slots = Slots(c);
  if (!slots.contains("offset")) return std::nullopt;
  VacancyQuery q;
  q.role = OptString(slots, "role");
  q.city = OptString(slots, "city");
  q.contract = OptString(slots, "contract");
  q.text = OptString(slots, "text").value_or("");
  if (slots["offset"].is_number_integer())
    q.offset = std::max(0, slots["offset"].get<int>());
  return q;
}

// What this message adds to `base`: a new role starts a new search (its
// words replace the old ones); a place or contract narrows the same one.
VacancyQuery Refine(const Turn& turn, VacancyQuery base) {
  const auto& e = turn.analysis.entities;
  if (e.role) {
    base.role = e.role;
    base.text.clear();
  } else if (turn.in.button_id.empty() && !e.city && !e.contract) {
    base.text = turn.in.text;  // "qualcosa nel digitale": the words it has
  }
  if (e.city) base.city = e.city;
  if (e.contract) base.contract = e.contract;
  base.offset = 0;
  return base;
}

bool Known(const VacancyQuery& q) {
  return q.role || q.city || q.contract || !FtsTerms(q.text).empty();
}

bool AboutJobs(const Turn& turn) {
  const auto& e = turn.analysis.entities;
  return turn.analysis.intent == "vacancy_search" || e.role || e.city ||
         e.contract;
}

// "altre", "ancora", "more": the next page, typed.
bool WantsMore(std::string_view text) {
  const std::string words = intents::Normalize(text);
  return words == "altre" || words == "altri" || words == "ancora" ||
         words == "altre offerte" || words == "avanti" || words == "more" ||
         words == "next";
}

// Whether the offer is one the person is offered: their centre's or a
// regional one. Another centre's (from an old button) is not shown.
bool OfferedTo(const Turn& turn,
               const std::optional<storage::Vacancy>& vacancy) {
  return vacancy && (!vacancy->centre_id ||
                     *vacancy->centre_id == turn.conversation.centre_id);
}

std::string ExpiryDay(std::string_view lang, int64_t expires_at) {
  // The last day on which the offer is still open.
  return booking::FormatDay(lang,
                            core::RomeDate(core::FromMillis(expires_at - 1)));
}

}  // namespace

std::string_view VacanciesFlow::name() const { return kVacanciesFlow; }

std::optional<JobseekerProfile> VacanciesFlow::ProfileOf(Turn& turn) const {
  if (!HasConsent(turn.user)) return std::nullopt;
  auto found = storage::FindProfile(turn.db, turn.user.id);
  if (!found.ok() || !found->has_value()) return std::nullopt;
  const auto& answers = (*found)->answers;
  auto answer = [&answers](const char* id) {
    auto it = answers.find(id);
    return it == answers.end() ? std::string() : it->second;
  };
  JobseekerProfile p;
  p.roles = SplitList(answer("roles"));
  p.sectors = SplitList(answer("sectors"));
  if (auto comune = answer("comune"); !comune.empty()) p.comune = comune;
  const std::string availability = answer("availability");
  if (availability == "full_time" || availability == "entrambi")
    p.contracts.push_back("full_time");
  if (availability == "part_time" || availability == "entrambi")
    p.contracts.push_back("part_time");
  if (p.roles.empty() && p.sectors.empty() && !p.comune && p.contracts.empty())
    return std::nullopt;
  return p;
}

std::vector<Reply> VacanciesFlow::Start(Turn& turn) const {
  // A press held back by the consent step comes back through Start.
  if (turn.in.button_id.substr(0, kPrefix.size()) == kPrefix)
    return Continue(turn);
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(kVacanciesFlow);
  VacancyQuery query =
      turn.in.button_id.empty() ? Refine(turn, {}) : VacancyQuery{};
  if (!Known(query) && !ProfileOf(turn)) return Ask(turn);
  return Search(turn, std::move(query));
}

std::vector<Reply> VacanciesFlow::Continue(Turn& turn) const {
  auto& c = turn.conversation;
  std::string_view id = turn.in.button_id;
  if (id.empty()) {
    // Typed: a refinement or a new search, unless it is about something
    // else ("voglio un appuntamento"), which the router answers instead.
    const bool elsewhere = turn.analysis.intent != "vacancy_search" &&
                           turn.analysis.confidence >= kLeaveConfidence;
    if (c.step == kStepResults && WantsMore(turn.in.text)) {
      auto query = FromSlots(c);
      if (query) {
        query->offset += kVacancyPageSize;
        return Search(turn, std::move(*query));
      }
    }
    if (c.step == kStepAsk ? elsewhere && !AboutJobs(turn) : !AboutJobs(turn)) {
      EndFlow(c);
      return {};
    }
    VacancyQuery base = c.step == kStepAsk
                            ? VacancyQuery{}
                            : FromSlots(c).value_or(VacancyQuery{});
    VacancyQuery query = Refine(turn, std::move(base));
    if (!Known(query) && !ProfileOf(turn)) return Ask(turn);
    return Search(turn, std::move(query));
  }
  c.flow = std::string(kVacanciesFlow);
  if (id == kNew) return Ask(turn);
  if (id == kMore || id == kBack) {
    auto query = FromSlots(c);
    if (!query) return Start(turn);
    if (id == kMore) query->offset += kVacancyPageSize;
    return Search(turn, std::move(*query));
  }
  id.remove_prefix(std::min(id.size(), kPrefix.size()));
  const auto colon = id.find(':');
  const std::string_view verb = id.substr(0, colon);
  const auto n = colon == std::string_view::npos
                     ? std::nullopt
                     : core::ParseInt(id.substr(colon + 1), 1,
                                      std::numeric_limits<int64_t>::max());
  if (n && verb == "show") return Details(turn, *n);
  if (n && verb == "interest") return Interest(turn, *n);
  return Ask(turn);
}

std::vector<Reply> VacanciesFlow::Ask(Turn& turn) const {
  auto& c = turn.conversation;
  EndFlow(c);
  c.flow = std::string(kVacanciesFlow);
  c.step = kStepAsk;
  return {{deps_.catalog.Text(turn.lang, "jobs.ask"), {}}};
}

std::vector<Reply> VacanciesFlow::Search(Turn& turn, VacancyQuery query) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  query.profile = ProfileOf(turn);
  query.centre = turn.conversation.centre_id;
  auto page =
      SearchVacancies(turn.db, *vocabulary_, query, turn.now_ms, cache_.get());
  if (page.ok() && page->total == 0 && !query.text.empty() &&
      (query.role || query.city || query.contract)) {
    // The other words found nothing: what and where alone may.
    query.text.clear();
    page = SearchVacancies(turn.db, *vocabulary_, query, turn.now_ms,
                           cache_.get());
  }
  if (page.ok() && page->total > 0 && page->items.empty()) {
    query.offset = 0;  // paged past the end (offers expired meanwhile)
    page = SearchVacancies(turn.db, *vocabulary_, query, turn.now_ms,
                           cache_.get());
  }
  if (!page.ok()) return Failed(turn, page.status());

  auto& c = turn.conversation;
  EndFlow(c);
  c.flow = std::string(kVacanciesFlow);
  if (page->total == 0) {
    c.step = kStepAsk;  // the next message is another try
    return {{t.Text(lang, "jobs.none"),
             {{kNew, t.Text(lang, "jobs.new")},
              {kMenuHuman, t.Text(lang, "menu.human")}}}};
  }
  c.step = kStepResults;
  SaveSlots(c, ToSlots(query));

  const int first = page->offset + 1;
  const int last = page->offset + static_cast<int>(page->items.size());
  Reply r;
  r.text = t.Text(lang, page->widened ? "jobs.results_widened" : "jobs.results",
                  {{"from", std::to_string(first)},
                   {"to", std::to_string(last)},
                   {"total", std::to_string(page->total)}});
  int n = first;
  for (const auto& item : page->items) {
    const auto& v = item.vacancy;
    std::string reasons;
    for (const auto& why : item.reasons) {
      const std::string said = why.code == "contract"
                                   ? t.Text(lang, "jobs.contract." + why.detail)
                                   : t.Text(lang, "jobs.reason." + why.code);
      if (reasons.find(said) != std::string::npos) continue;
      reasons += (reasons.empty() ? "" : ", ") + said;
    }
    r.text +=
        "\n\n" +
        t.Text(lang, "jobs.item",
               {{"n", std::to_string(n)},
                {"title", v.title},
                {"employer", v.employer},
                {"comune", v.comune},
                {"contract", t.Text(lang, "jobs.contract." + v.contract)}});
    if (!reasons.empty())
      r.text += "\n" + t.Text(lang, "jobs.why", {{"reasons", reasons}});
    r.buttons.push_back({std::string(kPrefix) + "show:" + std::to_string(v.id),
                         std::to_string(n) + ". " + v.title});
    ++n;
  }
  r.text += "\n\n" + t.Text(lang, "jobs.footer");
  if (page->has_more()) r.buttons.push_back({kMore, t.Text(lang, "jobs.more")});
  r.buttons.push_back({kNew, t.Text(lang, "jobs.new")});
  // In the same message, so that a typed "1" still means the first offer.
  if (!query.profile && page->offset == 0) {
    r.text += "\n" + t.Text(lang, "jobs.profile_hint");
    r.buttons.push_back({"profile:start", t.Text(lang, "jobs.profile_button")});
  }
  return {r};
}

std::vector<Reply> VacanciesFlow::Details(Turn& turn, int64_t id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto v = ActiveVacancy(turn.db, id, turn.now_ms);
  if (!v.ok()) return Failed(turn, v.status());
  Reply back_only{t.Text(lang, "jobs.gone"),
                  {{kBack, t.Text(lang, "jobs.back")}}};
  if (!OfferedTo(turn, *v)) return {back_only};
  const storage::Vacancy& o = **v;
  Reply r{t.Text(lang, "jobs.details",
                 {{"title", o.title},
                  {"employer", o.employer},
                  {"comune", o.comune},
                  {"contract", t.Text(lang, "jobs.contract." + o.contract)},
                  {"description", o.description},
                  {"requirements", o.requirements},
                  {"how_to_apply", o.how_to_apply},
                  {"expires", ExpiryDay(lang, o.expires_at)}}),
          {{std::string(kVacancyInterestPrefix) + std::to_string(o.id),
            t.Text(lang, "jobs.interest")},
           {kBack, t.Text(lang, "jobs.back")},
           {kMenuBooking, t.Text(lang, "jobs.book")}}};
  return {r};
}

std::vector<Reply> VacanciesFlow::Interest(Turn& turn, int64_t id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto v = ActiveVacancy(turn.db, id, turn.now_ms);
  if (!v.ok()) return Failed(turn, v.status());
  if (!OfferedTo(turn, *v))
    return {{t.Text(lang, "jobs.gone"), {{kBack, t.Text(lang, "jobs.back")}}}};
  auto added = RecordInterest(turn.db, turn.user.id, id, turn.now_ms);
  if (!added.ok()) return Failed(turn, added.status());
  return {
      {t.Text(lang, *added ? "jobs.interest_saved" : "jobs.interest_already",
              {{"title", (*v)->title}}),
       {{kMenuBooking, t.Text(lang, "jobs.book")},
        {kBack, t.Text(lang, "jobs.back")}}}};
}

std::vector<Reply> VacanciesFlow::Failed(Turn& turn,
                                         const core::Status& why) const {
  if (RetryLater(turn, why)) return {};
  core::LogError("vacancies", "user " + std::to_string(turn.user.id) + ": " +
                                  why.ToString());
  return {{deps_.catalog.Text(turn.lang, "jobs.error"), {}}};
}

}  // namespace sportello::flows
