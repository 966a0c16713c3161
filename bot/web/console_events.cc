// The console's events endpoints (ConsoleApi, bot/web/console_api.h):
// staff create, edit and cancel the events the bot offers. A cancellation
// tells everyone signed up or waiting (bot/domain/events.h).
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "bot/channels/json_guard.h"
#include "bot/domain/events.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/iso_time.h"
#include "bot/web/json_response.h"
#include "storage/audit.h"
#include "storage/centres.h"
#include "storage/events.h"

namespace sportello::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;
constexpr int kMaxListed = 500;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxDescription = 4000;
constexpr size_t kMaxPlace = 300;
constexpr int kMaxCapacity = 100000;

json EventJson(const storage::Event& e) {
  return {{"id", e.id},
          {"title", e.title},
          {"description", e.description},
          {"starts_at", IsoTime(e.starts_at)},
          {"ends_at", IsoTime(e.ends_at)},
          {"place", e.place},
          {"link", e.link ? json(*e.link) : json()},
          {"capacity", e.capacity},
          {"tags", e.tags},
          {"signed_up", e.signed_up},
          {"waiting", e.waiting},
          {"cancelled_at", IsoTime(e.cancelled_at)},
          {"created_at", IsoTime(e.created_at)},
          {"updated_at", IsoTime(e.updated_at)},
          {"centre_id", e.centre_id ? json(*e.centre_id) : json()}};
}

storage::NewEvent Fields(const storage::Event& e) {
  storage::NewEvent n;
  n.title = e.title;
  n.description = e.description;
  n.starts_at = e.starts_at;
  n.ends_at = e.ends_at;
  n.place = e.place;
  n.link = e.link;
  n.capacity = e.capacity;
  n.tags = e.tags;
  n.centre_id = e.centre_id;
  return n;
}

struct Invalid {
  std::string field;
  std::string message;
};

bool Blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Applies the body's fields onto `e` (all of them for a new event, any for
// an edit), checking each; the first problem found.
std::optional<Invalid> Apply(const json& body, storage::NewEvent& e,
                             bool creating, int64_t now_ms) {
  static const std::set<std::string> kKnown = {
      "title", "description", "starts_at", "ends_at",
      "place", "link",        "capacity",  "tags"};
  for (const auto& item : body.items()) {
    // The centre is chosen on creation (CreationCentre) and kept.
    if (item.key() == "centre_id") {
      if (creating) continue;
      return Invalid{"centre_id", "an event stays with its centre"};
    }
    if (!kKnown.contains(item.key()))
      return Invalid{item.key(), "unknown field"};
  }
  if (creating) {
    for (const char* required :
         {"title", "starts_at", "ends_at", "place", "capacity"}) {
      if (!body.contains(required)) return Invalid{required, "required"};
    }
  }
  const auto text = [&](const char* name, size_t max, bool nonblank,
                        std::string& out) -> std::optional<Invalid> {
    auto it = body.find(name);
    if (it == body.end()) return std::nullopt;
    if (!it->is_string()) return Invalid{name, "must be a string"};
    std::string v = it->get<std::string>();
    if (nonblank && Blank(v)) return Invalid{name, "must not be empty"};
    if (v.size() > max)
      return Invalid{name, "at most " + std::to_string(max) + " bytes"};
    out = std::move(v);
    return std::nullopt;
  };
  if (auto bad = text("title", kMaxTitle, true, e.title)) return bad;
  if (auto bad = text("description", kMaxDescription, false, e.description))
    return bad;
  if (auto bad = text("place", kMaxPlace, true, e.place)) return bad;
  for (const char* name : {"starts_at", "ends_at"}) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    const auto at =
        it->is_string() ? ParseIsoTime(it->get<std::string>()) : std::nullopt;
    if (!at) {
      return Invalid{name,
                     "must be ISO 8601 with an offset, or Europe/Rome time "
                     "\"YYYY-MM-DDTHH:MM\""};
    }
    (std::string_view(name) == "starts_at" ? e.starts_at : e.ends_at) = *at;
  }
  if (auto it = body.find("link"); it != body.end()) {
    if (it->is_null()) {
      e.link.reset();
    } else if (!it->is_string()) {
      return Invalid{"link", "must be a string or null"};
    } else {
      const std::string link = it->get<std::string>();
      if (link.empty()) {
        e.link.reset();
      } else if ((!link.starts_with("https://") &&
                  !link.starts_with("http://")) ||
                 link.size() > 500) {
        return Invalid{"link", "must be an http(s) address"};
      } else {
        e.link = link;
      }
    }
  }
  if (auto it = body.find("capacity"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 ||
        it->get<int64_t>() > kMaxCapacity) {
      return Invalid{"capacity", "must be an integer from 1 to " +
                                     std::to_string(kMaxCapacity)};
    }
    e.capacity = static_cast<int>(it->get<int64_t>());
  }
  if (auto it = body.find("tags"); it != body.end()) {
    if (!it->is_array()) return Invalid{"tags", "must be a list of strings"};
    e.tags.clear();
    for (const auto& t : *it) {
      if (!t.is_string() || t.get<std::string>().empty() ||
          t.get<std::string>().find(',') != std::string::npos ||
          t.get<std::string>().size() > 50) {
        return Invalid{"tags", "each tag: 1-50 bytes without commas"};
      }
      e.tags.push_back(t.get<std::string>());
    }
  }
  if (e.ends_at <= e.starts_at)
    return Invalid{"ends_at", "must be after starts_at"};
  if ((creating || body.contains("starts_at")) && e.starts_at <= now_ms)
    return Invalid{"starts_at", "is in the past"};
  if (e.place == storage::kEventOnline && !e.link)
    return Invalid{"link", "an online event needs its link"};
  return std::nullopt;
}

core::Status Audit(storage::Database& db, const Caller& caller,
                   std::string_view action, int64_t event_id,
                   std::optional<int64_t> centre_id, int64_t now,
                   std::string detail) {
  return storage::AppendAudit(db, {0, now, caller.username, std::string(action),
                                   std::nullopt, std::nullopt,
                                   "event " + std::to_string(event_id) +
                                       (detail.empty() ? "" : ": " + detail),
                                   centre_id});
}

// A regional event is everyone's to see, a regional admin's to change.
std::optional<Response> MayChange(const Caller& caller,
                                  const storage::Event& e) {
  if (e.centre_id || Regional(caller)) return std::nullopt;
  return ErrorResponse(403, "only a regional admin changes regional events");
}

}  // namespace

Response ConsoleApi::RouteEvents(const Caller& caller, const Request& r) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";
  if (r.path == "/api/events") {
    if (get) return ListEvents(caller, r);
    if (post) return CreateEvent(caller, r);
    return MethodNotAllowed("GET, POST");
  }
  std::string_view rest =
      std::string_view(r.path).substr(std::string_view("/api/events/").size());
  const size_t slash = rest.find('/');
  const auto id = ParseId(rest.substr(0, slash));
  if (!id) return ErrorResponse(404, "not found");
  if (slash == std::string_view::npos) {
    if (get) return GetEvent(caller, *id);
    if (r.method == "PATCH") return EditEvent(caller, *id, r);
    return MethodNotAllowed("GET, PATCH");
  }
  if (rest.substr(slash + 1) == "cancel")
    return post ? CancelEvent(caller, *id) : MethodNotAllowed("POST");
  return ErrorResponse(404, "not found");
}

Response ConsoleApi::ListEvents(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  const auto all_it = r.query.find("all");
  const bool all = all_it != r.query.end() && all_it->second == "1";
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto events =
        storage::ListEvents(db, deps_.clock.NowMillis(), all, kMaxListed,
                            std::get<storage::CentreScope>(scope));
    if (!events.ok()) return events.status();
    for (const auto& e : *events) list.push_back(EventJson(e));
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"events", list}});
}

Response ConsoleApi::GetEvent(const Caller& caller, int64_t id) {
  std::optional<storage::Event> event;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindEvent(db, id, ObjectScope(caller));
    if (!found.ok()) return found.status();
    event = std::move(*found);
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  if (!event) return ErrorResponse(404, "no such event");
  return JsonResponse(200, EventJson(*event));
}

Response ConsoleApi::CreateEvent(const Caller& caller, const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const int64_t now = deps_.clock.NowMillis();
  storage::NewEvent e;
  if (auto bad = Apply(*body, e, /*creating=*/true, now))
    return FieldError(bad->field, bad->message);
  auto centre = CreationCentre(caller, *body, /*regional_allowed=*/true);
  if (auto* bad = std::get_if<Response>(&centre)) return std::move(*bad);
  e.centre_id = std::get<std::optional<int64_t>>(centre);
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    if (e.centre_id) {
      auto found = storage::FindCentre(db, *e.centre_id);
      if (!found.ok()) return found.status();
      if (!found->has_value() || (*found)->disabled) {
        answer = FieldError("centre_id", "no such centre, or disabled");
        return core::Status::Ok();
      }
    }
    auto added = storage::AddEvent(db, e, now);
    if (!added.ok()) return added.status();
    answer = JsonResponse(
        201, {{"id", *added},
              {"centre_id", e.centre_id ? json(*e.centre_id) : json()}});
    return Audit(db, caller, "create_event", *added, e.centre_id, now, e.title);
  });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::EditEvent(const Caller& caller, int64_t id,
                               const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer;
  bool wrote_outbox = false;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindEvent(db, id, ObjectScope(caller));
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      answer = ErrorResponse(404, "no such event");
      return core::Status::Ok();
    }
    const storage::Event& before = **found;
    if ((answer = MayChange(caller, before))) return core::Status::Ok();
    if (before.cancelled()) {
      answer = ErrorResponse(409, "the event was cancelled");
      return core::Status::Ok();
    }
    storage::NewEvent e = Fields(before);
    if (auto bad = Apply(*body, e, /*creating=*/false, now)) {
      answer = FieldError(bad->field, bad->message);
      return core::Status::Ok();
    }
    if (e.capacity < before.signed_up) {
      answer = FieldError("capacity", "below the " +
                                          std::to_string(before.signed_up) +
                                          " people signed up");
      return core::Status::Ok();
    }
    auto promoted = sportello::EditEvent(db, deps_.catalog, id, e, now);
    if (!promoted.ok()) return promoted.status();
    wrote_outbox = true;
    std::string changed;
    for (const auto& item : body->items())
      changed += (changed.empty() ? "" : ", ") + item.key();
    auto after = storage::FindEvent(db, id);
    if (!after.ok()) return after.status();
    answer = JsonResponse(200, EventJson(**after));
    return Audit(db, caller, "edit_event", id, before.centre_id, now, changed);
  });
  if (!s.ok()) return Unavailable();
  if (wrote_outbox && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

Response ConsoleApi::CancelEvent(const Caller& caller, int64_t id) {
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindEvent(db, id, ObjectScope(caller));
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      answer = ErrorResponse(404, "no such event");
      return core::Status::Ok();
    }
    if ((answer = MayChange(caller, **found))) return core::Status::Ok();
    if ((*found)->cancelled()) {
      answer = ErrorResponse(409, "the event is cancelled already");
      return core::Status::Ok();
    }
    if ((*found)->ends_at <= now) {
      answer = ErrorResponse(409, "the event is over");
      return core::Status::Ok();
    }
    auto told = CancelEventForAll(db, deps_.catalog, id, now);
    if (!told.ok()) return told.status();
    answer = JsonResponse(
        200, {{"id", id}, {"cancelled_at", IsoTime(now)}, {"told", *told}});
    return Audit(db, caller, "cancel_event", id, (*found)->centre_id, now,
                 std::to_string(*told) + " people told");
  });
  if (!s.ok()) return Unavailable();
  if (answer->status == 200 && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

}  // namespace sportello::http
