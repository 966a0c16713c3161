// The console's directory endpoints: the day's appointments, new slots,
// profile search, the audit log (ConsoleApi, bot/web/console_api.h).
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "bot/channels/json_guard.h"
#include "bot/core/iso_date.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/domain/console.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/json_response.h"
#include "storage/appointments.h"
#include "storage/audit.h"
#include "storage/centres.h"
#include "storage/console_views.h"
#include "storage/conversations.h"
#include "storage/profiles.h"
#include "storage/reports.h"
#include "storage/users.h"

namespace sportello::http {
namespace {

using nlohmann::json;
using std::chrono::year_month_day;

constexpr int kMaxProfiles = 50;
constexpr int kMaxAudit = 200;

// The API's names for Garanzia Giovani eligibility (docs/api.md).
std::string_view EligibilityName(Eligibility e) {
  switch (e) {
    case Eligibility::kEligible:
      return "eligible";
    case Eligibility::kEligibleIfUnder30:
      return "eligible_until_30";
    case Eligibility::kTooYoung:
      return "too_young";
    case Eligibility::kTooOld:
      return "too_old";
    case Eligibility::kInWorkOrEducation:
      return "in_work_or_education";
    case Eligibility::kUnknown:
      break;
  }
  return "unknown";
}

// "YYYY-MM-DDTHH:MM" (or with a space), Rome's wall clock -> unix ms.
std::optional<int64_t> ParseRomeTime(std::string_view s) {
  int hour = 0, minute = 0;
  if (s.size() != 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
    return std::nullopt;
  const auto date = core::ParseIsoDate(s.substr(0, 10));
  if (!date || !Digits(s.substr(11, 2), 0, 23, &hour) ||
      !Digits(s.substr(14, 2), 0, 59, &minute))
    return std::nullopt;
  return core::ToMillis(core::FromRome(*date, hour, minute));
}

std::string Query(const Request& r, const std::string& name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

json SlotJson(const storage::Slot& s) {
  return {{"slot_id", s.id},
          {"starts_at", IsoTime(s.starts_at)},
          {"minutes", s.minutes},
          {"service", s.service_code ? json(*s.service_code) : json()},
          {"counsellor", s.counsellor},
          {"place", s.place},
          {"link", s.link ? json(*s.link) : json()},
          {"centre_id", s.centre_id}};
}

}  // namespace

Response ConsoleApi::Appointments(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  const std::string day = Query(r, "date");
  year_month_day date = core::RomeDate(deps_.clock.Now());
  if (!day.empty()) {
    auto parsed = core::ParseIsoDate(day);
    if (!parsed) return ErrorResponse(400, "date must be YYYY-MM-DD");
    date = *parsed;
  }
  const int64_t from = core::ToMillis(core::FromRome(date, 0, 0));
  const int64_t to = core::ToMillis(core::FromRome(
      year_month_day{std::chrono::sys_days{date} + std::chrono::days{1}}, 0,
      0));
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto slots =
        storage::ListSlots(db, from, to, std::get<storage::CentreScope>(scope));
    if (!slots.ok()) return slots.status();
    for (const auto& slot : *slots) {
      json j = SlotJson(slot);
      j["booking"] = nullptr;
      if (slot.booking_id) {
        auto booking = storage::FindBooking(db, *slot.booking_id);
        if (!booking.ok()) return booking.status();
        json b = {{"id", *slot.booking_id},
                  {"user", nullptr},
                  {"conversation_id", nullptr}};
        if (booking->has_value() && (*booking)->user_id) {
          auto user = storage::FindUserById(db, *(*booking)->user_id);
          if (!user.ok()) return user.status();
          if (user->has_value()) {
            b["user"] = {{"name", (*user)->name},
                         {"channel", (*user)->channel}};
            auto conv = storage::GetOrCreateConversation(
                db, (*user)->id, deps_.clock.NowMillis());
            if (!conv.ok()) return conv.status();
            b["conversation_id"] = conv->id;
            auto profile = storage::FindProfile(db, (*user)->id);
            if (!profile.ok()) return profile.status();
            std::string given;
            if (profile->has_value()) {
              auto n = (*profile)->answers.find("name");
              if (n != (*profile)->answers.end()) given = n->second;
            }
            b["user"]["display_name"] = console::DisplayName(
                given, (*user)->name, (*user)->channel, conv->id);
          }
        }
        if (booking->has_value()) b["service"] = (*booking)->service_code;
        auto attendance = storage::FindAttendance(db, *slot.booking_id);
        if (!attendance.ok()) return attendance.status();
        b["attendance"] = *attendance ? json(**attendance) : json();
        j["booking"] = std::move(b);
      }
      list.push_back(std::move(j));
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  char buf[16];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return JsonResponse(200, {{"date", buf}, {"appointments", list}});
}

Response ConsoleApi::AddSlot(const Caller& caller, const Request& r) {
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const json& j = *body;
  storage::NewSlot slot;
  auto centre = CreationCentre(caller, j, /*regional_allowed=*/false);
  if (auto* bad = std::get_if<Response>(&centre)) return std::move(*bad);
  slot.centre_id = *std::get<std::optional<int64_t>>(centre);
  try {
    if (auto it = j.find("service");
        it != j.end() && !it->is_null() && it->get<std::string>() != "any")
      slot.service_code = it->get<std::string>();
    auto at = ParseRomeTime(j.value("starts_at", std::string()));
    if (!at)
      return ErrorResponse(
          400, "starts_at must be \"YYYY-MM-DDTHH:MM\", Europe/Rome time");
    slot.starts_at = *at;
    slot.minutes = j.value("minutes", 0);
    slot.place = j.value("place", std::string());
    if (auto it = j.find("link"); it != j.end() && !it->is_null())
      slot.link = it->get<std::string>();
    slot.counsellor = j.value("counsellor", std::string());
  } catch (const json::exception&) {
    return ErrorResponse(400,
                         "service, starts_at, place, link, counsellor are "
                         "strings; minutes is a number");
  }
  const int64_t now = deps_.clock.NowMillis();
  if (slot.starts_at <= now)
    return ErrorResponse(422, "starts_at is in the past");
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto open = storage::FindCentre(db, slot.centre_id);
    if (!open.ok()) return open.status();
    if (!open->has_value() || (*open)->disabled) {
      answer = FieldError("centre_id", "no such centre, or disabled");
      return core::Status::Ok();
    }
    if (slot.minutes == 0) {
      slot.minutes = 45;
      if (slot.service_code) {
        auto service = storage::FindService(db, *slot.service_code);
        if (!service.ok()) return service.status();
        if (service->has_value()) slot.minutes = (*service)->minutes;
      }
    }
    auto id = storage::AddSlot(db, slot, now);
    if (id.ok()) {
      answer = JsonResponse(201, {{"id", *id}, {"centre_id", slot.centre_id}});
    } else if (id.status().code() == core::Status::Code::kInvalidArgument) {
      answer = ErrorResponse(422, id.status().message());
    } else if (id.status().code() == core::Status::Code::kAlreadyExists) {
      answer = ErrorResponse(409, id.status().message());
    } else {
      return id.status();
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  return std::move(*answer);
}

Response ConsoleApi::ProfileQuestions() {
  // Only questions with options: an audience matches answers by option id.
  json questions = json::array();
  for (const auto& q : deps_.data.questionnaire->questions()) {
    if (q.options.empty()) continue;
    json options = json::array();
    for (const auto& o : q.options) {
      options.push_back(
          {{"id", o.id},
           {"label",
            deps_.catalog.Text("it", Questionnaire::OptionKey(q.id, o.id))}});
    }
    questions.push_back(
        {{"id", q.id},
         {"label", deps_.catalog.Text("it", Questionnaire::LabelKey(q.id))},
         {"multi", q.type == AnswerType::kMulti},
         {"options", std::move(options)}});
  }
  return JsonResponse(200, {{"questions", std::move(questions)}});
}

json ConsoleApi::ProfileView(const storage::Profile& p, int64_t now_ms) const {
  const Questionnaire& q = *deps_.data.questionnaire;
  const Catalog& t = deps_.catalog;
  json fields = json::array();
  for (const auto& question : q.questions()) {
    auto it = p.answers.find(question.id);
    if (it == p.answers.end()) continue;
    fields.push_back(
        {{"id", question.id},
         {"label", t.Text("it", Questionnaire::LabelKey(question.id))},
         {"value", q.Display(question, it->second, t, "it")}});
  }
  const int year =
      static_cast<int>(core::RomeDate(core::FromMillis(now_ms)).year());
  const auto age = q.AgeOf(p.answers, p.age_band, year);
  return {
      {"fields", std::move(fields)},
      {"age", age ? json(*age) : json()},
      {"garanzia_giovani", EligibilityName(q.GaranziaGiovani(p.answers, year))},
      {"over_40", age.has_value() && *age >= 40}};
}

Response ConsoleApi::Profiles(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  const std::string q = Query(r, "q"), comune = Query(r, "comune"),
                    role = Query(r, "role");
  if (q.size() > 100 || comune.size() > 100 || role.size() > 100)
    return ErrorResponse(400, "filters have at most 100 characters");
  json list = json::array();
  const int64_t now = deps_.clock.NowMillis();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::SearchProfiles(db, q, comune, role,
                                         std::get<storage::CentreScope>(scope),
                                         kMaxProfiles);
    if (!found.ok()) return found.status();
    // A search shows profiles: who looked, and for what, is on record.
    if (auto st = storage::AppendAudit(
            db, {0, now, caller.username, "search_profiles", std::nullopt,
                 std::nullopt,
                 json{{"q", q},
                      {"comune", comune},
                      {"role", role},
                      {"centre", Query(r, "centre")}}
                     .dump(),
                 std::nullopt});
        !st.ok())
      return st;
    for (const auto& p : *found) {
      list.push_back({{"user_id", p.user_id},
                      {"conversation_id",
                       p.conversation_id ? json(*p.conversation_id) : json()},
                      {"name", p.name},
                      {"channel", p.channel},
                      {"comune", p.comune},
                      {"roles", p.roles},
                      {"completed_at", IsoTime(p.completed_at)},
                      {"centre_id", p.centre_id}});
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  return JsonResponse(200, {{"profiles", list}});
}

Response ConsoleApi::AuditLog(const Request& r) {
  std::optional<int64_t> before;
  if (const std::string b = Query(r, "before"); !b.empty()) {
    before = core::ParseInt(b, 1, std::numeric_limits<int64_t>::max());
    if (!before) return ErrorResponse(400, "before must be an entry id");
  }
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto entries = storage::ListAudit(db, kMaxAudit, before);
    if (!entries.ok()) return entries.status();
    for (const auto& e : *entries) {
      list.push_back(
          {{"id", e.id},
           {"at", IsoTime(e.at)},
           {"actor", e.actor},
           {"action", e.action},
           {"conversation_id",
            e.conversation_id ? json(*e.conversation_id) : json()},
           {"user_id", e.user_id ? json(*e.user_id) : json()},
           {"detail", e.detail},
           {"centre_id", e.centre_id ? json(*e.centre_id) : json()}});
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(503, "storage unavailable, try again");
  return JsonResponse(200, {{"entries", list}});
}

}  // namespace sportello::http
