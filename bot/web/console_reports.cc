// Reports and attendance: GET /api/reports/funnel (JSON or CSV) and
// POST /api/bookings/{id}/attendance.
#include <chrono>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "bot/channels/json_guard.h"
#include "bot/core/iso_date.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/domain/reports.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/json_response.h"
#include "storage/appointments.h"
#include "storage/audit.h"
#include "storage/centres.h"
#include "storage/reports.h"

namespace sportello::http {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// A year of weeks is the most a chart can show legibly.
constexpr int kMaxPeriodDays = 366;
constexpr int kDefaultPeriodDays = 28;

std::string Query(const Request& r, const std::string& name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

std::string DayText(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

json CountsJson(const reports::FunnelCounts& c) {
  json j = json::object();
  for (const auto& step : reports::Steps()) j[step.name] = c.*step.field;
  return j;
}

json GroupsJson(const std::vector<reports::Group>& groups,
                const char* key_name) {
  json list = json::array();
  for (const auto& g : groups) {
    json j = CountsJson(g.counts);
    j[key_name] = g.key;
    list.push_back(std::move(j));
  }
  return list;
}

// One line per group; the first column says which breakdown it is in, the
// last which centre (`centre`: an id or "all"), so that the files of
// several centres pasted together still tell their lines apart.
std::string FunnelCsv(const reports::Funnel& f, std::string_view centre) {
  std::string out = "group,key";
  for (const auto& step : reports::Steps()) out += std::string(",") + step.name;
  out += ",centre\r\n";
  const auto line = [&](std::string_view group, std::string_view key,
                        const reports::FunnelCounts& c) {
    out += std::string(group) + "," + std::string(key);
    for (const auto& step : reports::Steps())
      out += "," + std::to_string(c.*step.field);
    out += "," + std::string(centre) + "\r\n";
  };
  line("total", "all", f.total);
  for (const auto& g : f.weeks) line("week", g.key, g.counts);
  for (const auto& g : f.channels) line("channel", g.key, g.counts);
  for (const auto& g : f.targets) line("target", g.key, g.counts);
  return out;
}

// The report's centre: nullopt for all the caller's centres ("" or "all"),
// else the id asked for; 400 when it is not an id.
std::variant<std::optional<int64_t>, Response> ReportCentre(const Request& r) {
  const std::string centre = Query(r, "centre");
  if (centre.empty() || centre == "all") return std::optional<int64_t>();
  const auto id =
      centre.size() > 18
          ? std::nullopt
          : core::ParseInt(centre, 1, std::numeric_limits<int64_t>::max());
  if (!id) return ErrorResponse(400, "centre must be a centre's id or all");
  return std::optional<int64_t>(*id);
}

}  // namespace

Response ConsoleApi::FunnelReport(const Caller& caller, const Request& r) {
  auto asked = ReportCentre(r);
  if (auto* bad = std::get_if<Response>(&asked)) return std::move(*bad);
  const std::optional<int64_t> centre = std::get<std::optional<int64_t>>(asked);
  // Another centre's report is answered as one of a centre that does not
  // exist, as every other object of another centre.
  if (centre && !ObjectScope(caller).Includes(*centre))
    return ErrorResponse(404, "no such centre");
  const year_month_day today = core::RomeDate(deps_.clock.Now());
  year_month_day to = today;
  if (const std::string t = Query(r, "to"); !t.empty()) {
    auto parsed = core::ParseIsoDate(t);
    if (!parsed) return ErrorResponse(400, "to must be YYYY-MM-DD");
    to = *parsed;
  }
  year_month_day from{sys_days{to} - days{kDefaultPeriodDays - 1}};
  if (const std::string f = Query(r, "from"); !f.empty()) {
    auto parsed = core::ParseIsoDate(f);
    if (!parsed) return ErrorResponse(400, "from must be YYYY-MM-DD");
    from = *parsed;
  }
  if (sys_days{from} > sys_days{to})
    return ErrorResponse(400, "from must not be after to");
  if ((sys_days{to} - sys_days{from}).count() >= kMaxPeriodDays)
    return ErrorResponse(400, "the period is at most 366 days");
  const std::string format = Query(r, "format");
  if (!format.empty() && format != "json" && format != "csv")
    return ErrorResponse(400, "format must be json or csv");

  const int64_t from_ms = core::ToMillis(core::FromRome(from, 0, 0));
  const int64_t to_ms = core::ToMillis(
      core::FromRome(year_month_day{sys_days{to} + days{1}}, 0, 0));
  const storage::CentreScope scope =
      centre ? storage::CentreScope::Only({*centre}) : ObjectScope(caller);
  std::vector<storage::FunnelPerson> people;
  json counted = json::array();  // the centres the figures are of
  bool unknown = false;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto centres = storage::ListCentres(db, /*with_disabled=*/true);
    if (!centres.ok()) return centres.status();
    for (const auto& c : *centres) {
      if (scope.Includes(c.id)) counted.push_back(c.id);
    }
    // A regional admin may name any centre, but only one that exists.
    if (centre && counted.empty()) {
      unknown = true;
      return core::Status::Ok();
    }
    auto rows = storage::FunnelPeople(db, from_ms, to_ms, scope);
    if (!rows.ok()) return rows.status();
    people = std::move(*rows);
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  if (unknown) return ErrorResponse(404, "no such centre");
  const auto funnel =
      reports::BuildFunnel(people, *deps_.data.questionnaire, from, to,
                           static_cast<int>(today.year()));
  if (format == "csv") {
    Response csv;
    csv.content_type = "text/csv; charset=utf-8";
    const std::string which = centre ? std::to_string(*centre) : "all";
    csv.body = FunnelCsv(funnel, which);
    csv.headers.push_back(
        {"Content-Disposition", "attachment; filename=\"funnel-centre-" +
                                    which + "-" + DayText(from) + "-" +
                                    DayText(to) + ".csv\""});
    return csv;
  }
  return JsonResponse(200,
                      {{"centre", centre ? json(*centre) : json()},
                       {"centres", counted},
                       {"from", DayText(from)},
                       {"to", DayText(to)},
                       {"steps",
                        [] {
                          json names = json::array();
                          for (const auto& step : reports::Steps())
                            names.push_back(step.name);
                          return names;
                        }()},
                       {"total", CountsJson(funnel.total)},
                       {"weeks", GroupsJson(funnel.weeks, "week")},
                       {"channels", GroupsJson(funnel.channels, "channel")},
                       {"targets", GroupsJson(funnel.targets, "target")}});
}

Response ConsoleApi::MarkAttendance(const Caller& caller, int64_t booking_id,
                                    const Request& r) {
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  auto it = body->find("attendance");
  if (it == body->end() || !it->is_string() ||
      (it->get<std::string>() != "attended" &&
       it->get<std::string>() != "no_show"))
    return FieldError("attendance", "attendance must be attended or no_show");
  const std::string attendance = it->get<std::string>();
  const int64_t now = deps_.clock.NowMillis();
  const int64_t end_of_today = core::ToMillis(core::FromRome(
      year_month_day{sys_days{core::RomeDate(deps_.clock.Now())} + days{1}}, 0,
      0));
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto booking = storage::FindBooking(db, booking_id);
    if (!booking.ok()) return booking.status();
    if (!booking->has_value() ||
        (*booking)->state != storage::BookingState::kBooked) {
      answer = ErrorResponse(404, "no such booking");
      return core::Status::Ok();
    }
    // Another centre's booking is not found, as one that does not exist.
    auto slot = storage::FindSlot(db, (*booking)->slot_id, ObjectScope(caller));
    if (!slot.ok()) return slot.status();
    if (!slot->has_value()) {
      answer = ErrorResponse(404, "no such booking");
      return core::Status::Ok();
    }
    // Nobody can have come to an appointment of a day still ahead.
    if ((*slot)->starts_at >= end_of_today) {
      answer = FieldError("attendance", "the appointment is not today yet");
      return core::Status::Ok();
    }
    if (auto st = storage::SetAttendance(db, booking_id, attendance,
                                         caller.username, now);
        !st.ok())
      return st;
    answer = JsonResponse(200, {{"booking_id", booking_id},
                                {"attendance", attendance},
                                {"centre_id", (*slot)->centre_id}});
    return storage::AppendAudit(
        db, {0, now, caller.username, "attendance", std::nullopt,
             (*booking)->user_id, attendance, (*slot)->centre_id});
  });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

}  // namespace sportello::http
