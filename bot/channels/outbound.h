// From an OutboundMessage to the exact API call of each channel, and from the
// API's answer to what the sender should do next. Pure, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/core/message.h"

namespace sportello::channels {

// Splits and reshapes `msg` so that each result is exactly one API call within
// the channel's limits: texts over 4096 characters split at paragraph or word
// boundaries (buttons stay on the last part); WhatsApp: <= 3 buttons -> reply
// buttons (titles <= 20 chars, unique), 4-10 -> a list (row titles <= 24),
// more -> numbered text; body over 1024 with buttons -> text first, then a
// short interactive message. Telegram callback_data over 64 bytes is cut at a
// UTF-8 boundary. Web and terminal messages pass through unchanged.
std::vector<core::OutboundMessage> FitToChannel(const core::OutboundMessage& msg);

struct ApiCall {
  std::string method;  // Telegram: "sendMessage", "answerCallbackQuery"; WhatsApp: "messages"
  std::string body;    // JSON
};

// REQUIRES: msg already fits (FitToChannel).
ApiCall RenderTelegram(const core::OutboundMessage& msg);
ApiCall RenderWhatsApp(const core::OutboundMessage& msg);

struct SendOutcome {
  enum class Kind {
    kOk,            // accepted; provider_message_id set when the API returns one
    kRetry,         // 5xx, timeout, network: retry with backoff
    kRateLimited,   // 429 / 130429 / 131056 / 80007: wait retry_after_s, slow the channel
    kPermanent,     // 400-class: retrying the same call cannot work
    kUnreachable,   // Telegram 403 blocked / can't initiate; WhatsApp 131026, 130403
    kWindowClosed,  // WhatsApp 131047: outside the 24 h window, a template is needed
  };
  Kind kind = Kind::kRetry;
  std::string provider_message_id;  // Telegram result.message_id, WhatsApp messages[0].id
  int retry_after_s = 0;            // kRateLimited: from parameters.retry_after, else a default
  int error_code = 0;               // the API's code (Telegram error_code, WhatsApp error.code)
  std::string error;                // short description for logs and the console
};

// `http_status` 0 means no response at all (connection refused, timeout).
SendOutcome InterpretTelegram(int http_status, std::string_view body);
SendOutcome InterpretWhatsApp(int http_status, std::string_view body);

}  // namespace sportello::channels
