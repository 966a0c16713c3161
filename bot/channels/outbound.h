// From an OutboundMessage to the exact API call of each channel, and from the
// API's answer to what the sender should do next. Pure, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/core/message.h"

namespace sportello::channels {

// The label of the button that opens a WhatsApp list (<= 20 characters).
// TODO(lead): pass a localised label once message catalogues reach channels.
inline constexpr std::string_view kWhatsAppListButtonLabel = "Scegli";

// Splits and reshapes `msg` so that each result is exactly one API call within
// the channel's limits. Lengths count UTF-16 units (Telegram's measure, never
// less than code points); texts are never cut inside a UTF-8 sequence.
// - Texts over 4096 split at paragraph, else line, else word boundaries
//   (buttons stay on the last part). An empty text with buttons becomes "…";
//   an empty text without buttons fits into nothing (empty result).
// - Telegram: callback_data (the button id) over 64 bytes is cut at a UTF-8
//   boundary (an empty id takes the title's bytes); button titles over 64
//   units end in "…". A kCallbackAnswer's text is cut to 200. A kTemplate is
//   sent as its plain text (nothing when empty): Telegram has no templates.
// - WhatsApp: <= 3 buttons -> reply buttons (titles <= 20, ids <= 256 bytes,
//   body <= 1024); 4-10 -> a list (row titles <= 24, ids <= 200 bytes, body
//   <= 4096); more -> numbered text ("1. title" lines), no buttons. Titles too
//   long end in "…"; duplicate titles get " 2", " 3"... A body over the limit
//   goes first as plain text parts, the interactive message carrying the last
//   paragraphs. kCallbackAnswer fits into nothing (no such call). A kTemplate
//   passes without buttons (they belong to the approved template), its
//   template_language defaulting to "it".
// - Web and terminal messages pass through unchanged.
// REQUIRES: button ids are unique within their first 64 (Telegram) / 200
// (WhatsApp) bytes; ids are never rewritten to make them unique.
std::vector<core::OutboundMessage> FitToChannel(
    const core::OutboundMessage& msg);

struct ApiCall {
  // Telegram: "sendMessage", "answerCallbackQuery"; WhatsApp: "messages".
  // Empty when there is nothing to call (a kCallbackAnswer on WhatsApp).
  std::string method;
  std::string body;  // JSON
};

// REQUIRES: msg already fits (FitToChannel).
// Telegram: sendMessage {chat_id (a number when numeric), text, reply_markup
// inline_keyboard: two buttons to a row when both titles are short, else one},
// no parse_mode (plain text, nothing to escape); answerCallbackQuery
// {callback_query_id, text when non-empty}.
ApiCall RenderTelegram(const core::OutboundMessage& msg);
// WhatsApp: "to" gets a leading "+" when it is all digits (a wa_id), since
// without it Meta prepends the business's own country code. 0 buttons -> text
// {preview_url:false, body}; 1-3 -> interactive button; 4-10 -> interactive
// list (one untitled section, button kWhatsAppListButtonLabel); kTemplate ->
// template {name, language.code, body parameters}.
ApiCall RenderWhatsApp(const core::OutboundMessage& msg);

struct SendOutcome {
  enum class Kind {
    // Accepted; provider_message_id set when the API returns one.
    kOk,
    // 5xx, timeout, network: retry with backoff.
    kRetry,
    // Telegram 429; WhatsApp 130429 / 80007 / 4 / 131048 / 131056 / 131049:
    // wait retry_after_s (see recipient_only).
    kRateLimited,
    // 400-class: retrying the same call cannot work.
    kPermanent,
    // Telegram 403 (blocked, can't initiate); WhatsApp 131026, 130403.
    kUnreachable,
    // WhatsApp 131047: outside the 24 h window, a template is needed.
    kWindowClosed,
  };
  Kind kind = Kind::kRetry;
  // Telegram result.message_id, WhatsApp messages[0].id.
  std::string provider_message_id;
  // kRateLimited: from parameters.retry_after, else a default per code.
  int retry_after_s = 0;
  // kRateLimited: the limit is about this one recipient (WhatsApp 131056 pair
  // limit, 131049): delay that chat's messages, don't pause the whole channel.
  bool recipient_only = false;
  // The API's code (Telegram error_code, WhatsApp error.code); 0 when none.
  int error_code = 0;
  // Short single-line description for logs and the console (<= 200 bytes).
  std::string error;
};

// `http_status` 0 means no response at all (connection refused, timeout).
// Telegram: 2xx -> kOk (also when the body is unreadable: the call was
// accepted, and retrying could send the message twice); 429 -> kRateLimited
// (parameters.retry_after, default 30 s); 403 -> kUnreachable; other 4xx ->
// kPermanent; 5xx, 0 and anything else -> kRetry.
SendOutcome InterpretTelegram(int http_status, std::string_view body);
// WhatsApp branches on error.code first: 130429 (60 s), 80007 and 4 (60 s),
// 131048 spam limit (3600 s, whole channel), 131056 pair limit (6 s,
// recipient_only), 131049 engagement limit (86400 s, recipient_only) ->
// kRateLimited; 131026, 130403 -> kUnreachable; 131047 -> kWindowClosed;
// 1, 2, 131000, 131016, 133004 (temporary server errors) and 190 (expired
// token: retry until an operator fixes it) -> kRetry. Without a known code:
// 2xx -> kOk (messages[0].id when present), 429 -> kRateLimited (60 s), other
// 4xx -> kPermanent, 5xx, 0 and anything else -> kRetry.
SendOutcome InterpretWhatsApp(int http_status, std::string_view body);

}  // namespace sportello::channels
