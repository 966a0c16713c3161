// Typed reads of untrusted nlohmann::json values that never throw, naming the
// field by its path when it is missing or of the wrong type, so a parser can
// turn the reason straight into a DeadLetter ("telegram: message.chat.id
// missing"). Internal to channels.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/status.h"

namespace sportello::channels::json_access {

using Json = nlohmann::json;

// The member `key` of `obj`; nullptr when `obj` is not an object or lacks it.
const Json* Find(const Json& obj, std::string_view key);

// An integer that fits int64 (JSON 3 and -3; not 3.0, "3" or 2^63).
std::optional<int64_t> AsInt64(const Json& value);

// Required members. The error is InvalidArgument "<path> missing" or
// "<path> is not <type>", where `path` names the member ("telegram:
// message.chat.id").
core::Result<int64_t> RequireInt64(const Json& obj, std::string_view key,
                                   std::string_view path);
core::Result<std::string> RequireString(const Json& obj, std::string_view key,
                                        std::string_view path);
core::Result<const Json*> RequireObject(const Json& obj, std::string_view key,
                                        std::string_view path);
// A finite number (integer or not).
core::Result<double> RequireNumber(const Json& obj, std::string_view key,
                                   std::string_view path);

// Optional string member: "" when absent or not a string.
std::string OptionalString(const Json& obj, std::string_view key);

// Compact JSON text of `value`. Never throws: invalid UTF-8 (only possible in
// values built by hand, not parsed ones) is replaced by U+FFFD.
std::string Dump(const Json& value);

}  // namespace sportello::channels::json_access
