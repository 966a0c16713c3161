// WhatsApp Cloud API adapter: webhook payload -> core::Updates. Pure, no I/O.
#pragma once

#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello::channels {

// One webhook POST body, which may batch many messages and statuses across
// entries and changes. InvalidArgument only when the body is not a JSON object
// (answered 400). Changes for another phone_number_id than `our_phone_number_id`
// (when non-empty) and fields other than "messages" are Ignored.
core::Result<std::vector<core::Update>> ParseWhatsAppWebhook(std::string_view body,
                                                             std::string_view our_phone_number_id);

}  // namespace sportello::channels
