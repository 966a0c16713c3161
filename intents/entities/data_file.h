// Reading the staff-editable data files: UTF-8 text, one record a line,
// tab-separated fields, '#' comments and blank lines ignored.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"

namespace sportello::intents::entities {

// Calls `fn(line_number, fields)` for each record of `path` (fields split on
// tabs and trimmed of spaces; line numbers 1-based, for messages) and stops
// at the first error `fn` returns. NotFound if `path` cannot be opened.
core::Status ForEachDataLine(
    const std::string& path,
    const std::function<
        core::Status(int, const std::vector<std::string_view>&)>& fn);

// "comuni.tsv:12: " for error messages.
std::string Where(const std::string& path, int line);

}  // namespace sportello::intents::entities
