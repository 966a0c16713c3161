// Calendar days written the ISO way, "2026-12-03": how the command line, the
// console API and the bot's own button ids name a day. Pure, thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sportello::core {

// "YYYY-MM-DD", exactly: four digits of year from 1970 (the clocks' epoch:
// no day before it has a place here) to 9999, two of month, two of day, and
// a day the calendar has. nullopt for anything else: "2026-02-30",
// "2026-13-01", "2026-1-5", " 2026-12-03", "3/12/2026".
std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text);

}  // namespace sportello::core
