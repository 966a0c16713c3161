// JSON answers shared by the HTTP modules.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "bot/web/routes.h"

namespace sportello::http {

inline Response JsonResponse(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

inline Response ErrorResponse(int status, std::string_view message) {
  return JsonResponse(status, {{"error", std::string(message)}});
}

// Unix ms as ISO 8601 UTC ("2026-11-22T08:30:00.000Z"); null when absent.
inline nlohmann::json IsoTime(std::optional<int64_t> ms) {
  if (!ms) return nullptr;
  const std::time_t secs = static_cast<std::time_t>(*ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ",
                static_cast<int>(*ms % 1000));
  return std::string(buf);
}

}  // namespace sportello::http
