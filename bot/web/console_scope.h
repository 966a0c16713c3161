// Which centres a console caller works on. A counsellor and a centre admin
// see and act on their centres' objects only; a regional admin on every
// centre's. Another centre's object is answered 404 exactly as an id that
// does not exist: the API never tells that it exists.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "bot/core/numbers.h"
#include "bot/web/auth.h"
#include "bot/web/console_paths.h"
#include "bot/web/json_response.h"
#include "storage/centre_scope.h"
#include "storage/centres.h"

namespace sportello::http {

inline bool Regional(const Caller& caller) {
  return caller.role == storage::StaffRole::kAdmin;
}

// The centres whose objects the caller may read and act on.
inline storage::CentreScope ObjectScope(const Caller& caller) {
  return Regional(caller) ? storage::CentreScope::Every()
                          : storage::CentreScope::Only(caller.centres);
}

// A list's centres: `?centre=ID` narrows it to one centre (a centre that is
// not the caller's lists nothing, as one that does not exist); without it,
// the caller's centres. 400 for a centre that is not an id.
inline std::variant<storage::CentreScope, Response> ListScope(
    const Caller& caller, const Request& r) {
  auto it = r.query.find("centre");
  if (it == r.query.end() || it->second.empty()) return ObjectScope(caller);
  const auto id =
      it->second.size() > 18
          ? std::nullopt
          : core::ParseInt(it->second, 1, std::numeric_limits<int64_t>::max());
  if (!id) return ErrorResponse(400, "centre must be a centre's id");
  if (!ObjectScope(caller).Includes(*id)) return storage::CentreScope::Only({});
  return storage::CentreScope::Only({*id});
}

// The centre a new object (slot, event, broadcast) is for, from the body's
// "centre_id": one of the caller's centres (a regional admin: any). Left
// out, the caller's only centre; required of staff of several centres; a
// regional admin's default is kFirstCentre, as before there were centres.
// null asks for a regional object (nullopt): only regional admins, only
// where `regional_allowed`. 422 naming "centre_id" otherwise. Whether the
// centre exists and is enabled is the caller's to check.
inline std::variant<std::optional<int64_t>, Response> CreationCentre(
    const Caller& caller, const nlohmann::json& body, bool regional_allowed) {
  auto it = body.find("centre_id");
  if (it == body.end()) {
    if (Regional(caller)) return std::optional<int64_t>(storage::kFirstCentre);
    if (caller.centres.size() == 1)
      return std::optional<int64_t>(caller.centres.front());
    return FieldError("centre_id",
                      caller.centres.empty()
                          ? "this account works for no centre"
                          : "centre_id is required: you work for several "
                            "centres");
  }
  if (it->is_null()) {
    if (regional_allowed && Regional(caller)) return std::optional<int64_t>();
    return FieldError("centre_id", regional_allowed
                                       ? "only a regional admin makes "
                                         "regional ones"
                                       : "centre_id must be a centre's id");
  }
  if (!it->is_number_integer() || it->get<int64_t>() < 1)
    return FieldError("centre_id", "centre_id must be a centre's id");
  const int64_t id = it->get<int64_t>();
  if (!ObjectScope(caller).Includes(id))
    return FieldError("centre_id", "not one of your centres");
  return std::optional<int64_t>(id);
}

}  // namespace sportello::http
