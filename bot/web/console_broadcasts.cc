// The console's broadcast endpoints (ConsoleApi, bot/web/console_api.h):
// staff preview an audience, compose a notice (a text or an event's), follow
// its counters while it is sent, and cancel it. The notice itself is built
// and fanned out by bot/domain/broadcasts.h.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <variant>

#include "bot/channels/json_guard.h"
#include "bot/core/utf8.h"
#include "bot/domain/broadcasts.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/iso_time.h"
#include "bot/web/json_response.h"
#include "storage/audit.h"
#include "storage/broadcasts.h"
#include "storage/centres.h"
#include "storage/codec.h"
#include "storage/events.h"

namespace sportello::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 256 * 1024;
constexpr size_t kMaxTextChars = 4096;  // Telegram's limit for one message
constexpr int kMaxListed = 100;
constexpr int kMaxAge = 120;
constexpr int kMaxActiveDays = 3650;
// A send time this far in the past is a mistake, not a clock a bit behind.
constexpr int64_t kPastSlackMs = 60'000;

struct Invalid {
  std::string field;
  std::string message;
};

// A list of 1-100-byte strings without commas (stored comma-joined).
std::optional<Invalid> Names(const json& v, const std::string& field,
                             std::vector<std::string>& out) {
  if (!v.is_array()) return Invalid{field, "must be a list of strings"};
  for (const auto& item : v) {
    if (!item.is_string() || item.get<std::string>().empty() ||
        item.get<std::string>().size() > 100 ||
        item.get<std::string>().find(',') != std::string::npos) {
      return Invalid{field, "each entry: 1-100 bytes without commas"};
    }
    out.push_back(item.get<std::string>());
  }
  return std::nullopt;
}

std::optional<Invalid> OptionalInt(const json& v, const std::string& field,
                                   int min, int max, std::optional<int>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number_integer() || v.get<int64_t>() < min ||
      v.get<int64_t>() > max) {
    return Invalid{field, "must be an integer from " + std::to_string(min) +
                              " to " + std::to_string(max) + ", or null"};
  }
  out = static_cast<int>(v.get<int64_t>());
  return std::nullopt;
}

constexpr size_t kMaxCentres = 1000;

// audience.centres as given: nullopt when left out (or null), so that the
// sender's centre applies; [] is the whole region.
std::optional<Invalid> CentreIds(const json& v, const std::string& field,
                                 std::optional<std::vector<int64_t>>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_array() || v.size() > kMaxCentres)
    return Invalid{field, "must be a list of centre ids, [] for the region"};
  std::vector<int64_t> ids;
  for (const auto& item : v) {
    if (!item.is_number_integer() || item.get<int64_t>() < 1)
      return Invalid{field, "must be a list of centre ids, [] for the region"};
    ids.push_back(item.get<int64_t>());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  out = std::move(ids);
  return std::nullopt;
}

// The audience object. Provinces become their comuni here, so a preview
// and the broadcast count the same people. `centres`: audience.centres as
// given, settled by AudienceCentres.
std::variant<storage::Audience, Invalid> ParseAudience(
    const json& body, const VacancyVocabulary& places,
    const Questionnaire& questionnaire,
    std::optional<std::vector<int64_t>>& centres) {
  auto it = body.find("audience");
  if (it == body.end() || !it->is_object())
    return Invalid{"audience", "must be an object"};
  const json& a = *it;
  storage::Audience audience;
  for (const auto& item : a.items()) {
    const std::string field = "audience." + item.key();
    const json& v = item.value();
    std::optional<Invalid> bad;
    if (item.key() == "channel") {
      if (!v.is_null() &&
          (!v.is_string() || (v != "telegram" && v != "whatsapp")))
        bad = Invalid{field, "must be \"telegram\", \"whatsapp\" or null"};
      else if (v.is_string())
        audience.channel = v.get<std::string>();
    } else if (item.key() == "comuni") {
      bad = Names(v, field, audience.comuni);
    } else if (item.key() == "provinces") {
      std::vector<std::string> codes;
      bad = Names(v, field, codes);
      for (size_t i = 0; !bad && i < codes.size(); ++i) {
        const auto comuni = places.ComuniOf(codes[i]);
        if (comuni.empty())
          bad = Invalid{field, "unknown province '" + codes[i] + "'"};
        audience.comuni.insert(audience.comuni.end(), comuni.begin(),
                               comuni.end());
      }
    } else if (item.key() == "centres") {
      bad = CentreIds(v, field, centres);
    } else if (item.key() == "min_age") {
      bad = OptionalInt(v, field, 0, kMaxAge, audience.min_age);
    } else if (item.key() == "max_age") {
      bad = OptionalInt(v, field, 0, kMaxAge, audience.max_age);
    } else if (item.key() == "topics") {
      bad = Names(v, field, audience.topics);
    } else if (item.key() == "event_id") {
      if (!v.is_null() && !v.is_number_integer())
        bad = Invalid{field, "must be an event id or null"};
      else if (v.is_number_integer())
        audience.event_id = v.get<int64_t>();
    } else if (item.key() == "active_days") {
      bad = OptionalInt(v, field, 1, kMaxActiveDays, audience.active_days);
    } else if (item.key() == "profile") {
      if (!v.is_object()) {
        bad = Invalid{field, "must be an object of question id: option id"};
      } else {
        for (const auto& answer : v.items()) {
          const Question* q = questionnaire.Find(answer.key());
          if (!q || q->options.empty()) {
            bad = Invalid{field, "no question with options called '" +
                                     answer.key() + "'"};
            break;
          }
          if (!answer.value().is_string() ||
              !q->FindOption(answer.value().get<std::string>())) {
            bad = Invalid{field + "." + answer.key(),
                          "must be one of the question's option ids"};
            break;
          }
          audience.profile[answer.key()] = answer.value().get<std::string>();
        }
      }
    } else {
      bad = Invalid{field, "unknown audience field"};
    }
    if (bad) return *bad;
  }
  if (audience.min_age && audience.max_age &&
      *audience.min_age > *audience.max_age) {
    return Invalid{"audience.min_age", "must not exceed max_age"};
  }
  return audience;
}

std::optional<Invalid> ParseTemplate(const json& v,
                                     std::optional<NoticeTemplate>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_object())
    return Invalid{"whatsapp_template", "must be an object or null"};
  NoticeTemplate t;
  for (const auto& item : v.items()) {
    const std::string field = "whatsapp_template." + item.key();
    const json& f = item.value();
    if (item.key() == "name") {
      if (!f.is_string() || f.get<std::string>().empty() ||
          f.get<std::string>().size() > 512 ||
          f.get<std::string>().find_first_not_of(
              "abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        return Invalid{field, "must be a template name: a-z, 0-9, _"};
      }
      t.name = f.get<std::string>();
    } else if (item.key() == "language") {
      if (!f.is_string() || f.get<std::string>().empty() ||
          f.get<std::string>().size() > 15) {
        return Invalid{field, "must be a language code such as \"it\""};
      }
      t.language = f.get<std::string>();
    } else if (item.key() == "params") {
      if (!f.is_array()) return Invalid{field, "must be a list of strings"};
      for (const auto& p : f) {
        if (!p.is_string() || p.get<std::string>().size() > 1024)
          return Invalid{field, "each parameter: a string of 1024 bytes"};
        t.params.push_back(p.get<std::string>());
      }
    } else {
      return Invalid{field, "unknown template field"};
    }
  }
  if (t.name.empty()) return Invalid{"whatsapp_template.name", "required"};
  out = std::move(t);
  return std::nullopt;
}

// Checks the event a notice or an audience names: it must exist, and a
// notice's event must still be open to sign-ups.
std::optional<Invalid> CheckEvent(storage::Database& db, int64_t event_id,
                                  const storage::CentreScope& scope,
                                  const std::string& field, bool to_announce,
                                  int64_t now, core::Status& error) {
  auto event = storage::FindEvent(db, event_id, scope);
  if (!event.ok()) {
    error = event.status();
    return std::nullopt;
  }
  if (!event->has_value()) return Invalid{field, "no such event"};
  if (to_announce && (*event)->cancelled())
    return Invalid{field, "the event was cancelled"};
  if (to_announce && (*event)->starts_at <= now)
    return Invalid{field, "the event has started"};
  return std::nullopt;
}

json AudienceJson(const storage::Audience& a) {
  return {{"channel", a.channel ? json(*a.channel) : json()},
          {"comuni", a.comuni},
          {"min_age", a.min_age ? json(*a.min_age) : json()},
          {"max_age", a.max_age ? json(*a.max_age) : json()},
          {"topics", a.topics},
          {"event_id", a.event_id ? json(*a.event_id) : json()},
          {"active_days", a.active_days ? json(*a.active_days) : json()},
          {"profile", a.profile},
          {"centres", a.centres}};
}

// Whose people a notice reaches. Left out: the sender's centre's, or the
// region's for a regional notice. Staff name their own centres only, and
// only a regional admin writes to the whole region ([]). Whether each
// centre exists and is enabled is checked by CheckCentres, in the
// transaction.
std::variant<std::vector<int64_t>, Invalid> AudienceCentres(
    const Caller& caller, const std::optional<std::vector<int64_t>>& given,
    std::optional<int64_t> sender) {
  if (!given) {
    if (sender) return std::vector<int64_t>{*sender};
    return std::vector<int64_t>{};
  }
  if (given->empty() && !Regional(caller)) {
    return Invalid{"audience.centres",
                   "only a regional admin writes to the whole region"};
  }
  const auto scope = ObjectScope(caller);
  for (int64_t id : *given) {
    if (!scope.Includes(id)) {
      return Invalid{"audience.centres",
                     "centre " + std::to_string(id) + " is not one of yours"};
    }
  }
  return *given;
}

// Each centre must exist and be enabled: a disabled one serves nobody.
core::Status CheckCentres(storage::Database& db,
                          const std::vector<int64_t>& ids,
                          std::optional<Invalid>& bad) {
  for (int64_t id : ids) {
    auto found = storage::FindCentre(db, id);
    if (!found.ok()) return found.status();
    if (!found->has_value() || (*found)->disabled) {
      bad = Invalid{"audience.centres",
                    "no such centre, or disabled: " + std::to_string(id)};
      return core::Status::Ok();
    }
  }
  return core::Status::Ok();
}

constexpr int kMaxFailuresShown = 50;

// The broadcast with its counters. Before the fan-out no row exists yet:
// `recipients` is then who the audience reaches now.
core::Result<json> BroadcastJson(storage::Database& db,
                                 const storage::Broadcast& b, int64_t now) {
  auto c = storage::CountBroadcast(db, b.id);
  if (!c.ok()) return c.status();
  int64_t recipients = c->recipients;
  if (b.status == "scheduled") {
    auto n = storage::CountAudience(db, b.audience, now);
    if (!n.ok()) return n.status();
    recipients = *n;
  }
  json text = nullptr;
  if (!b.event_id) {
    if (auto msg = DecodeOutbound(b.payload_it); msg.ok()) text = msg->text;
  }
  json tpl = nullptr;
  if (b.whatsapp_template) {
    tpl = json::parse(*b.whatsapp_template, nullptr, false);
    if (tpl.is_discarded()) tpl = nullptr;
  }
  return json{{"id", b.id},
              {"status", b.status},
              {"recipients", recipients},
              {"sent", c->sent},
              {"delivered", c->delivered},
              {"read", c->read},
              {"failed", c->failed},
              {"skipped_opted_out", c->skipped_opted_out},
              {"skipped_unreachable", c->skipped_unreachable},
              {"pending", c->pending},
              {"cancelled", c->cancelled},
              {"in_doubt", c->in_doubt},
              {"text", text},
              {"event_id", b.event_id ? json(*b.event_id) : json()},
              {"audience", AudienceJson(b.audience)},
              {"whatsapp_template", tpl},
              {"send_at", IsoTime(b.send_at)},
              {"created_by", b.created_by ? json(*b.created_by) : json()},
              {"created_at", IsoTime(b.created_at)},
              {"finished_at", IsoTime(b.finished_at)},
              {"centre_id", b.centre_id ? json(*b.centre_id) : json()}};
}

core::Status Audit(storage::Database& db, const Caller& caller,
                   std::string_view action, std::string detail, int64_t now,
                   std::optional<int64_t> centre_id) {
  return storage::AppendAudit(
      db, {0, now, caller.username, std::string(action), std::nullopt,
           std::nullopt, std::move(detail), centre_id});
}

}  // namespace

Response ConsoleApi::RouteBroadcasts(const Caller& caller, const Request& r) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";
  if (r.path == "/api/broadcasts") {
    if (get) return ListBroadcasts(caller, r);
    if (post) return CreateBroadcast(caller, r);
    return MethodNotAllowed("GET, POST");
  }
  if (r.path == "/api/broadcasts/preview")
    return post ? PreviewBroadcast(caller, r) : MethodNotAllowed("POST");
  std::string_view rest = std::string_view(r.path).substr(
      std::string_view("/api/broadcasts/").size());
  const size_t slash = rest.find('/');
  const auto id = ParseId(rest.substr(0, slash));
  if (!id) return ErrorResponse(404, "not found");
  if (slash == std::string_view::npos)
    return get ? GetBroadcast(caller, *id) : MethodNotAllowed("GET");
  if (rest.substr(slash + 1) == "cancel")
    return post ? CancelBroadcast(caller, *id) : MethodNotAllowed("POST");
  return ErrorResponse(404, "not found");
}

Response ConsoleApi::PreviewBroadcast(const Caller& caller, const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  for (const auto& item : body->items()) {
    if (item.key() != "audience" && item.key() != "centre_id")
      return FieldError(item.key(), "unknown field");
  }
  // The same centres as the broadcast would have, so the preview counts
  // the people it will reach.
  auto centre = CreationCentre(caller, *body, /*regional_allowed=*/true);
  if (auto* bad = std::get_if<Response>(&centre)) return std::move(*bad);
  std::optional<std::vector<int64_t>> given;
  auto audience = ParseAudience(*body, *deps_.data.vocabulary,
                                *deps_.data.questionnaire, given);
  if (auto* bad = std::get_if<Invalid>(&audience))
    return FieldError(bad->field, bad->message);
  auto& a = std::get<storage::Audience>(audience);
  auto centres =
      AudienceCentres(caller, given, std::get<std::optional<int64_t>>(centre));
  if (auto* bad = std::get_if<Invalid>(&centres))
    return FieldError(bad->field, bad->message);
  a.centres = std::get<std::vector<int64_t>>(centres);
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    core::Status error;
    std::optional<Invalid> unknown;
    if (auto st = CheckCentres(db, a.centres, unknown); !st.ok()) return st;
    if (unknown) {
      answer = FieldError(unknown->field, unknown->message);
      return core::Status::Ok();
    }
    if (a.event_id) {
      if (auto bad = CheckEvent(db, *a.event_id, ObjectScope(caller),
                                "audience.event_id", false, now, error)) {
        answer = FieldError(bad->field, bad->message);
        return core::Status::Ok();
      }
      if (!error.ok()) return error;
    }
    auto n = storage::CountAudience(db, a, now);
    if (!n.ok()) return n.status();
    answer = JsonResponse(200, {{"recipients", *n}});
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::CreateBroadcast(const Caller& caller, const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const json& j = *body;
  static const std::set<std::string> kKnown = {
      "text",    "event_id",          "audience",
      "send_at", "whatsapp_template", "centre_id"};
  for (const auto& item : j.items()) {
    if (!kKnown.contains(item.key()))
      return FieldError(item.key(), "unknown field");
  }
  const int64_t now = deps_.clock.NowMillis();
  BroadcastRequest request;
  request.created_by = caller.username;
  auto centre = CreationCentre(caller, j, /*regional_allowed=*/true);
  if (auto* bad = std::get_if<Response>(&centre)) return std::move(*bad);
  request.centre_id = std::get<std::optional<int64_t>>(centre);
  const auto text = j.find("text");
  const auto event = j.find("event_id");
  const bool has_text = text != j.end() && !text->is_null();
  const bool has_event = event != j.end() && !event->is_null();
  if (has_text == has_event)
    return FieldError("text", "give either a text or an event_id");
  if (has_text) {
    if (!text->is_string()) return FieldError("text", "must be a string");
    request.text = text->get<std::string>();
    if (request.text.find_first_not_of(" \t\r\n") == std::string::npos)
      return FieldError("text", "must not be empty");
    if (core::utf8::CodePoints(request.text) > kMaxTextChars)
      return FieldError("text", "at most 4096 characters");
  } else {
    if (!event->is_number_integer())
      return FieldError("event_id", "must be an event id");
    request.event_id = event->get<int64_t>();
  }
  std::optional<std::vector<int64_t>> given;
  auto audience = ParseAudience(j, *deps_.data.vocabulary,
                                *deps_.data.questionnaire, given);
  if (auto* bad = std::get_if<Invalid>(&audience))
    return FieldError(bad->field, bad->message);
  request.audience = std::get<storage::Audience>(audience);
  auto centres = AudienceCentres(caller, given, request.centre_id);
  if (auto* bad = std::get_if<Invalid>(&centres))
    return FieldError(bad->field, bad->message);
  request.audience.centres = std::get<std::vector<int64_t>>(centres);
  if (auto it = j.find("send_at"); it != j.end() && !it->is_null()) {
    const auto at =
        it->is_string() ? ParseIsoTime(it->get<std::string>()) : std::nullopt;
    if (!at) {
      return FieldError("send_at",
                        "must be ISO 8601 with an offset, Europe/Rome time "
                        "\"YYYY-MM-DDTHH:MM\", or null for now");
    }
    if (*at < now - kPastSlackMs)
      return FieldError("send_at", "is in the past");
    request.send_at = std::max(*at, now);
  }
  if (auto it = j.find("whatsapp_template"); it != j.end()) {
    if (auto bad = ParseTemplate(*it, request.whatsapp_template))
      return FieldError(bad->field, bad->message);
  }

  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    core::Status error;
    std::optional<Invalid> bad;
    if (request.centre_id) {
      auto found = storage::FindCentre(db, *request.centre_id);
      if (!found.ok()) return found.status();
      if (!found->has_value() || (*found)->disabled)
        bad = Invalid{"centre_id", "no such centre, or disabled"};
    }
    if (!bad) {
      if (auto st = CheckCentres(db, request.audience.centres, bad); !st.ok())
        return st;
    }
    const auto scope = ObjectScope(caller);
    if (!bad && request.event_id)
      bad = CheckEvent(db, *request.event_id, scope, "event_id", true, now,
                       error);
    if (!bad && error.ok() && request.audience.event_id) {
      bad = CheckEvent(db, *request.audience.event_id, scope,
                       "audience.event_id", false, now, error);
    }
    if (!error.ok()) return error;
    if (bad) {
      answer = FieldError(bad->field, bad->message);
      return core::Status::Ok();
    }
    auto recipients = storage::CountAudience(db, request.audience, now);
    if (!recipients.ok()) return recipients.status();
    auto id = sportello::CreateBroadcast(db, deps_.catalog, request, now);
    if (!id.ok()) return id.status();
    answer = JsonResponse(
        201,
        {{"id", *id},
         {"recipients", *recipients},
         {"centre_id", request.centre_id ? json(*request.centre_id) : json()}});
    return Audit(
        db, caller, "create_broadcast",
        "broadcast " + std::to_string(*id) + ": " +
            std::to_string(*recipients) + " recipients" +
            (request.event_id ? ", event " + std::to_string(*request.event_id)
                              : ""),
        now, request.centre_id);
  });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::ListBroadcasts(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  const int64_t now = deps_.clock.NowMillis();
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto all = storage::ListBroadcasts(db, kMaxListed,
                                       std::get<storage::CentreScope>(scope));
    if (!all.ok()) return all.status();
    for (const auto& b : *all) {
      auto j = BroadcastJson(db, b, now);
      if (!j.ok()) return j.status();
      list.push_back(std::move(*j));
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"broadcasts", list}});
}

Response ConsoleApi::GetBroadcast(const Caller& caller, int64_t id) {
  const int64_t now = deps_.clock.NowMillis();
  std::optional<json> found;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto b = storage::FindBroadcast(db, id, ObjectScope(caller));
    if (!b.ok()) return b.status();
    if (!b->has_value()) return core::Status::Ok();
    auto j = BroadcastJson(db, **b, now);
    if (!j.ok()) return j.status();
    // Who it did not reach and why, as the channel said it: enough to act
    // on (a blocked bot, a wrong number), not the whole list.
    auto failures = storage::BroadcastFailures(db, id, kMaxFailuresShown);
    if (!failures.ok()) return failures.status();
    json list = json::array();
    for (const auto& f : *failures) {
      list.push_back({{"user_id", f.user_id ? json(*f.user_id) : json()},
                      {"channel", f.channel},
                      {"chat_id", f.chat_id},
                      {"error", f.error},
                      {"at", IsoTime(f.at)}});
    }
    (*j)["failures"] = std::move(list);
    found = std::move(*j);
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  if (!found) return ErrorResponse(404, "no such broadcast");
  return JsonResponse(200, *found);
}

Response ConsoleApi::CancelBroadcast(const Caller& caller, int64_t id) {
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto b = storage::FindBroadcast(db, id, ObjectScope(caller));
    if (!b.ok()) return b.status();
    if (!b->has_value()) {
      answer = ErrorResponse(404, "no such broadcast");
      return core::Status::Ok();
    }
    // A regional broadcast is everyone's to see, a regional admin's to stop.
    if (!(*b)->centre_id && !Regional(caller)) {
      answer =
          ErrorResponse(403, "only a regional admin cancels regional ones");
      return core::Status::Ok();
    }
    if ((*b)->status == "done" || (*b)->status == "cancelled") {
      answer = JsonResponse(
          409, {{"error", "the broadcast is " + (*b)->status + " already"},
                {"status", (*b)->status}});
      return core::Status::Ok();
    }
    if (auto st = storage::CancelBroadcast(db, id, now); !st.ok()) return st;
    auto after = storage::FindBroadcast(db, id);
    if (!after.ok()) return after.status();
    auto j = BroadcastJson(db, **after, now);
    if (!j.ok()) return j.status();
    answer = JsonResponse(200, *j);
    return Audit(db, caller, "cancel_broadcast",
                 "broadcast " + std::to_string(id) + ": " +
                     std::to_string((*j)["cancelled"].get<int64_t>()) +
                     " not sent",
                 now, (*b)->centre_id);
  });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

}  // namespace sportello::http
