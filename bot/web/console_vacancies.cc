// The job offers the bot shows, as a counsellor reads them: their centres'
// and the regional ones. Offers come from feeds (`sportello vacancies
// import`); the console only reads them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/json_response.h"
#include "storage/vacancies.h"

namespace sportello::http {
namespace {

using nlohmann::json;

// More than a centre publishes at once; the list is for reading, not export.
constexpr int kMaxListed = 500;

json Optional(const std::optional<std::string>& s) {
  return s ? json(*s) : json();
}

// What a list shows of an offer (VacancySummary's fields, which Vacancy
// has too).
template <typename Offer>
json SummaryJson(const Offer& v) {
  return {{"id", v.id},
          {"external_id", v.external_id},
          {"title", v.title},
          {"employer", v.employer},
          {"comune", v.comune},
          {"province", Optional(v.province)},
          {"sector", v.sector},
          {"contract", v.contract},
          {"partner", v.partner},
          {"published_at", IsoTime(v.published_at)},
          {"expires_at", IsoTime(v.expires_at)},
          {"centre_id", v.centre_id ? json(*v.centre_id) : json()}};
}

json VacancyJson(const storage::Vacancy& v) {
  json out = SummaryJson(v);
  out["description"] = v.description;
  out["requirements"] = v.requirements;
  out["how_to_apply"] = v.how_to_apply;
  out["created_at"] = IsoTime(v.created_at);
  out["updated_at"] = IsoTime(v.updated_at);
  return out;
}

}  // namespace

Response ConsoleApi::RouteVacancies(const Caller& caller, const Request& r) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  if (!get) return MethodNotAllowed("GET");
  if (r.path == "/api/vacancies") return ListVacancies(caller, r);
  const auto id = ParseId(std::string_view(r.path).substr(
      std::string_view("/api/vacancies/").size()));
  if (!id) return ErrorResponse(404, "not found");
  return GetVacancy(caller, *id);
}

Response ConsoleApi::ListVacancies(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  const auto all_it = r.query.find("all");
  const bool all = all_it != r.query.end() && all_it->second == "1";
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found =
        storage::ListVacancies(db, deps_.clock.NowMillis(), all, kMaxListed,
                               std::get<storage::CentreScope>(scope));
    if (!found.ok()) return found.status();
    for (const auto& v : *found) list.push_back(SummaryJson(v));
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"vacancies", list}});
}

Response ConsoleApi::GetVacancy(const Caller& caller, int64_t id) {
  std::optional<storage::Vacancy> vacancy;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindVacancy(db, id, ObjectScope(caller));
    if (!found.ok()) return found.status();
    vacancy = std::move(*found);
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  if (!vacancy) return ErrorResponse(404, "no such offer");
  return JsonResponse(200, VacancyJson(*vacancy));
}

}  // namespace sportello::http
