// What the admin subcommands (events, slots, ...) share to read their
// arguments: "--name value" flags, bounded integers, and times as people
// type them, on Rome's clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"

namespace sportello::cli {

// Prints `usage` to stdout and returns true when --help or -h is among the
// arguments.
bool WantsHelp(int argc, char** argv, std::string_view usage);

// "--name value" pairs among `known`. On anything else, says why on stderr
// ("sportello <command>: ...", then `usage`) and returns nullopt.
// `command` is e.g. "events add".
std::optional<std::map<std::string, std::string>> ParseFlags(
    int argc, char** argv, const std::vector<std::string_view>& known,
    std::string_view command, const char* usage);

// core::ParseInt into an int flag: decimal digits (a '-' only when min < 0),
// within [min, max].
bool ParseInt(std::string_view text, int min, int max, int* out);

// "YYYY-MM-DD HH:MM" (or with a 'T') on Rome's wall clock -> unix ms.
// InvalidArgument for a malformed text or a time the clocks skip when they
// go forward; the message quotes the text, for the caller to prefix with
// the flag.
core::Result<int64_t> ParseRomeMinute(std::string_view text);

// unix ms -> "2026-12-03 09:30" on Rome's wall clock.
std::string FormatRomeMinute(int64_t at_ms);

}  // namespace sportello::cli
