// GET /api/centres: the centres the caller works for (a regional admin:
// every centre, disabled ones included), as the console shows and picks
// them; ?all=1: every enabled centre, the transfer's choices (ConsoleApi,
// bot/web/console_api.h).
#include <nlohmann/json.hpp>

#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/json_response.h"
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

}  // namespace

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
