// GET /api/centres: the centres the caller works for (a regional admin:
// every centre, disabled ones included), as the console shows and picks
// them; ?all=1: every enabled centre, the transfer's choices. A regional
// admin adds, edits and disables centres, by the rules `sportello
// centres` follows (bot/domain/centre_fields.h). (ConsoleApi,
// bot/web/console_api.h.)
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/channels/json_guard.h"
#include "bot/domain/centre_fields.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/json_response.h"
#include "storage/audit.h"
#include "storage/centres.h"

namespace sportello::http {
namespace {

using nlohmann::json;

json OptionalText(const std::optional<std::string>& s) {
  return s ? json(*s) : json();
}

json CentreJson(const storage::Centre& c) {
  return {
      {"id", c.id},
      {"name", c.name},
      {"address", c.address},
      {"hours", c.hours},
      {"opening_hours", c.opening_hours},
      {"closures", c.closures},
      {"contacts", c.contacts},
      {"services", c.services},
      {"comuni", c.comuni},
      {"telegram_bot_id", OptionalText(c.telegram_bot_id)},
      {"whatsapp_phone_number_id", OptionalText(c.whatsapp_phone_number_id)},
      {"from_config", c.from_config},
      {"disabled", c.disabled}};
}

constexpr size_t kMaxBody = 64 * 1024;  // a region's comuni fit

// The body's fields -> changes, by type; what they must say is checked
// after (CheckCentreChanges). A 422 naming the field otherwise.
std::variant<storage::CentreChanges, Response> ReadChanges(const json& body) {
  storage::CentreChanges c;
  for (auto field = body.begin(); field != body.end(); ++field) {
    const std::string& key = field.key();
    const json& value = field.value();
    const auto text = [&](std::optional<std::string>& out) -> bool {
      if (!value.is_string()) return false;
      out = value.get<std::string>();
      return true;
    };
    const auto list = [&](std::optional<std::vector<std::string>>& out) {
      if (!value.is_array() || value.size() > 10'000) return false;
      std::vector<std::string> items;
      for (const auto& item : value) {
        if (!item.is_string()) return false;
        items.push_back(item.get<std::string>());
      }
      out = std::move(items);
      return true;
    };
    // A channel id: its digits, or null (or "") for none.
    const auto channel = [&](std::optional<std::string>& out) {
      if (value.is_null()) {
        out = std::string();
        return true;
      }
      return text(out);
    };
    bool ok = false;
    if (key == "name") {
      ok = text(c.name);
    } else if (key == "address") {
      ok = text(c.address);
    } else if (key == "hours") {
      ok = text(c.hours);
    } else if (key == "opening_hours") {
      ok = text(c.opening_hours);
    } else if (key == "closures") {
      ok = text(c.closures);
    } else if (key == "contacts") {
      ok = text(c.contacts);
    } else if (key == "services") {
      ok = list(c.services);
    } else if (key == "comuni") {
      ok = list(c.comuni);
    } else if (key == "telegram_bot_id") {
      ok = channel(c.telegram_bot_id);
    } else if (key == "whatsapp_phone_number_id") {
      ok = channel(c.whatsapp_phone_number_id);
    } else {
      return FieldError(key, "unknown field");
    }
    if (!ok) {
      const bool is_list = key == "services" || key == "comuni";
      return FieldError(key,
                        is_list ? "must be a list of texts" : "must be a text");
    }
  }
  return c;
}

core::Status Audit(storage::Database& db, const Caller& caller,
                   std::string_view action, int64_t centre_id, int64_t now,
                   const std::string& name) {
  return storage::AppendAudit(
      db,
      {0, now, caller.username, std::string(action), std::nullopt, std::nullopt,
       "centre " + std::to_string(centre_id) + ": " + name, centre_id});
}

// A storage refusal the caller can act on: the name, a comune or a channel
// id is another centre's (409), no such centre (404), centre 1 (409).
// storage/centres.h words its own refusals ("centres: ..."); a database's
// own (a unique index that a concurrent write hit first) quotes SQL, which
// is no answer for a browser.
std::optional<Response> Refusal(const core::Status& s) {
  const bool ours = s.message().rfind("centres: ", 0) == 0;
  switch (s.code()) {
    case core::Status::Code::kAlreadyExists:
      return ErrorResponse(409, ours ? s.message()
                                     : "another centre already has this name, "
                                       "comune or channel id");
    case core::Status::Code::kInvalidArgument:
      if (!ours) return std::nullopt;
      return ErrorResponse(409, s.message());
    case core::Status::Code::kNotFound:
      return ErrorResponse(404, "no such centre");
    default:
      return std::nullopt;
  }
}

}  // namespace

Response ConsoleApi::RouteCentres(const Caller& caller, const Request& r) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool admin = caller.role == storage::StaffRole::kAdmin;
  if (r.path == "/api/centres") {
    if (get) return Centres(caller, r);
    if (r.method != "POST") return MethodNotAllowed("GET, POST");
    if (!admin) return ErrorResponse(403, "this needs a regional admin");
    return ChangeCentre(caller, std::nullopt, r);
  }
  std::string_view rest =
      std::string_view(r.path).substr(std::string_view("/api/centres/").size());
  const size_t slash = rest.find('/');
  const auto id = ParseId(rest.substr(0, slash));
  if (!id) return ErrorResponse(404, "not found");
  const std::string_view action =
      slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (action.empty()) {
    if (r.method != "PATCH") return MethodNotAllowed("PATCH");
  } else if (action == "disable") {
    if (r.method != "POST") return MethodNotAllowed("POST");
  } else {
    return ErrorResponse(404, "not found");
  }
  if (!admin) return ErrorResponse(403, "this needs a regional admin");
  if (action == "disable") return DisableCentre(caller, *id);
  return ChangeCentre(caller, *id, r);
}

Response ConsoleApi::ChangeCentre(const Caller& caller,
                                  std::optional<int64_t> id, const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  auto read = ReadChanges(*body);
  if (auto* bad = std::get_if<Response>(&read)) return std::move(*bad);
  storage::CentreChanges& changes = std::get<storage::CentreChanges>(read);
  if (!id && !changes.name) return FieldError("name", "a centre needs a name");
  if (id && body->empty()) return ErrorResponse(400, "nothing to change");
  if (auto bad = CheckCentreChanges(changes, *deps_.data.comuni))
    return FieldError(bad->field, bad->field + ": " + bad->message);
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer, refused;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    if (changes.services) {
      auto bad = CheckCentreServices(db, *changes.services);
      if (!bad.ok()) return bad.status();
      if (*bad) {
        refused =
            FieldError((*bad)->field, (*bad)->field + ": " + (*bad)->message);
        return core::Status::Ok();
      }
    }
    int64_t centre_id = id.value_or(0);
    core::Status done;
    if (id) {
      done = storage::EditCentre(db, *id, changes, now);
    } else {
      storage::Centre c;
      c.name = *changes.name;
      c.address = changes.address.value_or("");
      c.hours = changes.hours.value_or("");
      c.opening_hours = changes.opening_hours.value_or("");
      c.closures = changes.closures.value_or("");
      c.contacts = changes.contacts.value_or("");
      c.services = changes.services.value_or(std::vector<std::string>{});
      c.comuni = changes.comuni.value_or(std::vector<std::string>{});
      if (changes.telegram_bot_id && !changes.telegram_bot_id->empty())
        c.telegram_bot_id = changes.telegram_bot_id;
      if (changes.whatsapp_phone_number_id &&
          !changes.whatsapp_phone_number_id->empty())
        c.whatsapp_phone_number_id = changes.whatsapp_phone_number_id;
      auto added = storage::AddCentre(db, c, now);
      done = added.status();
      if (added.ok()) centre_id = *added;
    }
    if (!done.ok()) {
      refused = Refusal(done);
      return done;  // rolled back: nothing half-done
    }
    auto found = storage::FindCentre(db, centre_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return core::Status::Internal("centre vanished");
    answer = JsonResponse(id ? 200 : 201, CentreJson(**found));
    return Audit(db, caller, id ? "edit_centre" : "create_centre", centre_id,
                 now, (*found)->name);
  });
  if (refused) return std::move(*refused);
  if (!s.ok() || !answer) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::DisableCentre(const Caller& caller, int64_t id) {
  const int64_t now = deps_.clock.NowMillis();
  std::optional<Response> answer, refused;
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    if (auto done = storage::DisableCentre(db, id, now); !done.ok()) {
      refused = Refusal(done);
      return done;
    }
    auto found = storage::FindCentre(db, id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return core::Status::Internal("centre vanished");
    answer = JsonResponse(200, CentreJson(**found));
    return Audit(db, caller, "disable_centre", id, now, (*found)->name);
  });
  if (refused) return std::move(*refused);
  if (!s.ok() || !answer) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::Centres(const Caller& caller, const Request& r) {
  const auto it = r.query.find("all");
  const bool network = it != r.query.end() && it->second == "1";
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    // The whole network's enabled centres, to any staff: where a
    // conversation may be transferred. What they hold stays scoped.
    auto all = storage::ListCentres(db, /*with_disabled=*/!network);
    if (!all.ok()) return all.status();
    if (network || caller.role == storage::StaffRole::kAdmin) {
      for (const auto& c : *all) list.push_back(CentreJson(c));
      return core::Status::Ok();
    }
    auto mine = storage::StaffCentreIds(db, caller.staff_id);
    if (!mine.ok()) return mine.status();
    for (const auto& c : *all) {
      for (int64_t id : *mine) {
        if (id == c.id) list.push_back(CentreJson(c));
      }
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"centres", list}});
}

}  // namespace sportello::http
