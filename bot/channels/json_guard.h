// Parsing untrusted JSON safely: size and nesting are bounded before
// nlohmann/json sees the bytes (its copy, dump and destruction recurse).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "bot/core/status.h"

namespace sportello::channels {

inline constexpr int kMaxJsonDepth = 64;

// The body as a JSON object. InvalidArgument (with a short reason fit for a
// 400 body and a log line) when it is not JSON, nests deeper than `max_depth`,
// holds invalid UTF-8, has trailing junk, or is not an object at the top.
core::Result<nlohmann::json> ParseJsonObject(std::string_view body, int max_depth = kMaxJsonDepth);

}  // namespace sportello::channels
