// When notices (broadcasts) are held: SPORTELLO_QUIET_HOURS, Europe/Rome wall
// clock, "HH:MM-HH:MM" ("21:00-08:00" spans midnight); "off" or empty: never.
// Replies and reminders are never held: a person who writes at 23:00 is
// answered.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bot/core/status.h"

namespace sportello {

struct QuietHours {
  int from_minute = 0;  // minutes after midnight, inclusive
  int to_minute = 0;    // exclusive; below from_minute: ends the next day

  // Whether Rome's wall clock at `at_ms` is inside.
  bool Contains(int64_t at_ms) const;
  // The first instant after `at_ms` (Unix ms) when they are over.
  // REQUIRES: Contains(at_ms).
  int64_t EndAfter(int64_t at_ms) const;
};

// nullopt for "off" or ""; InvalidArgument, quoting the text, for anything
// but HH:MM-HH:MM with two different times.
core::Result<std::optional<QuietHours>> ParseQuietHours(std::string_view text);

}  // namespace sportello
