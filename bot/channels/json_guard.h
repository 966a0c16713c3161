// Parsing untrusted JSON safely: size and nesting are bounded before
// nlohmann/json sees the bytes (its copy, dump and destruction recurse).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "bot/core/status.h"

namespace sportello::channels {

inline constexpr int kMaxJsonDepth = 64;
// Above WhatsApp's 3 MB payload cap; the HTTP server should cap bodies first.
inline constexpr size_t kMaxJsonBytes = size_t{4} << 20;

// The body as a JSON object. InvalidArgument (with a short reason fit for a
// 400 body and a log line) when it is empty, longer than `max_bytes`, not JSON,
// nests arrays/objects deeper than `max_depth` (the top-level object is depth
// 1), holds invalid UTF-8 (or a lone \u surrogate), has trailing junk (NaN,
// comments, a second value), or is not an object at the top. Never throws.
core::Result<nlohmann::json> ParseJsonObject(std::string_view body,
                                             int max_depth = kMaxJsonDepth,
                                             size_t max_bytes = kMaxJsonBytes);

}  // namespace sportello::channels
