// Telegram Bot API adapter: webhook Update -> core::Update. Pure, no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello::channels {

// One webhook POST body (one Update). InvalidArgument only when the body is not
// a JSON object at all (answered 400). Anything else authenticated becomes an
// Update: InboundMessage, MembershipChange, DeadLetter (unusable: answered 200
// and stored) or Ignored (unknown kinds, channel posts, groups, edits).
core::Result<core::Update> ParseTelegramUpdate(std::string_view body);

// The same for one element of getUpdates' result (long polling).
core::Update ParseTelegramUpdateJson(const nlohmann::json& update);

}  // namespace sportello::channels
