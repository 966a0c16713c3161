// Telegram Bot API parameter checks, as api.telegram.org applies them, used by
// FakeTelegram. Each returns "" when the parameters are acceptable, else the
// exact 400 description Telegram gives ("Bad Request: message is too long").
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sportello::fakes {

// chat_id: an integer, or a string holding an integer or "@channelusername".
// The numeric id, or nullopt with the description in `error`.
std::optional<int64_t> ParseChatId(const nlohmann::json& params,
                                   std::string* error);

// text: 1-4096 characters after trimming (counted in UTF-16 code units, the
// stricter of the two readings of the docs), parse_mode and its syntax.
std::string CheckMessageText(const nlohmann::json& params);

// reply_markup: an object (or a JSON string holding one) that is an inline
// keyboard, a reply keyboard, remove_keyboard or force_reply. Inline buttons
// carry text and exactly one of callback_data (1-64 bytes), url, ...
std::string CheckReplyMarkup(const nlohmann::json& params);

// MarkdownV2 needs #+-={}.! always escaped; HTML only knows a few tags and
// entities. Telegram answers "Bad Request: can't parse entities: ...".
std::string CheckParseMode(std::string_view parse_mode, std::string_view text);

// Length of UTF-8 `s` in UTF-16 code units (how Telegram measures entities).
size_t Utf16Length(std::string_view s);

}  // namespace sportello::fakes
