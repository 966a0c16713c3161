// Times staff type or send: ISO 8601 with an offset ("2026-12-03T10:30:00Z",
// "...+01:00"), or Rome's wall clock without one ("2026-12-03T10:30"), as
// the console's date-time inputs give it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sportello::http {

// Unix ms, or nullopt for anything else. Seconds and a fraction are
// optional; a space may stand for the 'T'.
std::optional<int64_t> ParseIsoTime(std::string_view text);

}  // namespace sportello::http
