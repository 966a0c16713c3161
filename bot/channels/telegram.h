// Telegram Bot API adapter: webhook Update -> core::Update. Pure, no I/O.
//
// What becomes what (dedupe_key "tg:<update_id>" on everything but Ignored):
// - message in a private chat -> InboundMessage: text; photo, document, voice,
//   video, audio, sticker, animation, video_note -> kMedia (caption as text);
//   location -> kLocation; contact -> kContact, with contact_phone only when
//   contact.user_id == from.id; anything else -> kOther. sent_at = date.
// - callback_query -> InboundMessage kButton: button_id = data ("" for game
//   buttons, which carry none), callback_query_id = id, text = the pressed
//   button's title when the message's inline keyboard holds it, chat from
//   message.chat.id (from.id when the message is absent), message_id = the
//   message that held the button, sent_at = 0 (Telegram stamps no time).
// - my_chat_member in a private chat, new status kicked/member ->
//   MembershipChange (blocked/unblocked).
// - group/supergroup/channel chats, edited_message, channel_post,
//   edited_channel_post, other member statuses, unknown kinds -> Ignored.
// - missing or wrong-typed fields (update_id, chat.id, chat.type, from.id,
//   message_id, date, callback_query.id...), a text or caption over 16 KiB,
//   a location out of range -> DeadLetter, reason naming the field
//   ("telegram: message.chat.id missing"); dedupe_key "" when update_id is
//   unusable.
// Ids (int64, may exceed 32 bits) are kept as decimal strings.
//
// A centre's own bot: updates reach us by its own webhook path or poller,
// and AttributeToCentreBot marks them as that bot's (see below).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello::channels {

// One webhook POST body (one Update). InvalidArgument only when the body is not
// a JSON object at all (ParseJsonObject's rules; answered 400). Anything else
// authenticated becomes an Update. raw = the body. Never throws.
core::Result<core::Update> ParseTelegramUpdate(std::string_view body);

// The same for one element of getUpdates' result (long polling); raw = the
// element's JSON. Never throws.
core::Update ParseTelegramUpdateJson(const nlohmann::json& update);

// The bot's id: the digits before the ':' of its token ("123456:AAE..." ->
// "123456"); empty when the token has no such prefix. Not a secret: the
// id is public, the part after the ':' is the secret.
std::string TelegramBotId(std::string_view token);

// Marks an update as received by the centre's own bot `bot_id` rather than
// the configured one: an InboundMessage's account becomes `bot_id`, and
// every non-empty dedupe_key becomes "tg:<bot_id>:<update_id>", because each
// bot numbers its updates on its own and two bots' update 7 are two updates.
void AttributeToCentreBot(core::Update& update, std::string_view bot_id);

}  // namespace sportello::channels
