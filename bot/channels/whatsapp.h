// WhatsApp Cloud API adapter: webhook payload -> core::Updates. Pure, no I/O.
//
// Every entry, change, message and status is visited; one bad item becomes a
// DeadLetter and the others are still parsed. raw = the JSON of the one
// message or status (not the whole batch).
// - changes with field != "messages", or without a phone_number_id (when
//   ours is non-empty) -> Ignored. Messages to another phone_number_id than
//   ours carry it as `account` (a centre's own number, or a stranger's: the
//   dispatcher tells); to ours, or when ours is empty, account is empty.
// - messages[] -> InboundMessage, dedupe_key = message_id = id (wamid),
//   user_id = chat_id = from, user_name = the contacts[] profile.name for that
//   wa_id (a hint), sent_at = timestamp: text.body -> kText;
//   interactive button_reply / list_reply {id,title} -> kButton (button_id,
//   text = title); template quick reply button{payload,text} -> kButton
//   (button_id = payload); location -> kLocation; image, document, audio,
//   video, sticker -> kMedia (caption); contacts -> kContact (a shared card is
//   not the sender's own: contact_phone stays empty); reaction -> Ignored;
//   unsupported, other interactive replies and unknown types -> kOther.
// - statuses[] sent/delivered/read/failed/played -> StatusUpdate, dedupe_key
//   "<wamid>:<status>", error from errors[0]; other statuses -> Ignored.
// - value.errors[] (out-of-band errors such as 130429) -> Ignored with the
//   code and title in the reason: an operational signal to log, not a message
//   to keep.
// - missing or wrong-typed id, from, timestamp, type or type payload, texts
//   over 256 KiB -> DeadLetter naming the field ("whatsapp: message.from
//   missing"); its dedupe_key is the wamid when it could be read.
#pragma once

#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello::channels {

// One webhook POST body, which may batch many messages and statuses across
// entries and changes. InvalidArgument only when the body is not a JSON object
// (ParseJsonObject's rules; answered 400). A payload whose object is not
// "whatsapp_business_account" is one Ignored; one without an entry array is
// one DeadLetter. Never throws.
core::Result<std::vector<core::Update>> ParseWhatsAppWebhook(
    std::string_view body, std::string_view our_phone_number_id);

}  // namespace sportello::channels
