#include "tests/fakes/telegram_wire.h"

#include <array>
#include <cctype>
#include <charconv>

namespace sportello::fakes {
namespace {

using nlohmann::json;

constexpr size_t kMaxTextLength = 4096;
constexpr size_t kMaxCallbackDataBytes = 64;
constexpr std::string_view kMarkupError =
    "Bad Request: can't parse reply keyboard markup JSON object";

// The fields of which an InlineKeyboardButton must use exactly one.
constexpr std::array<std::string_view, 10> kInlineButtonFields = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay"};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string CheckInlineButton(const json& button) {
  if (!button.is_object() || !button.contains("text") ||
      !button["text"].is_string()) {
    return "Bad Request: can't parse inline keyboard button: Field \"text\" "
           "must be of type String";
  }
  if (IsBlank(button["text"].get_ref<const std::string&>()))
    return "Bad Request: BUTTON_TEXT_EMPTY";
  int used = 0;
  for (std::string_view field : kInlineButtonFields)
    used += button.contains(field) ? 1 : 0;
  if (used == 0) {
    return "Bad Request: can't parse inline keyboard button: Text buttons are "
           "unallowed in the "
           "inline keyboard";
  }
  if (used > 1) {
    return "Bad Request: can't parse inline keyboard button: exactly one of "
           "the optional fields "
           "must be used";
  }
  if (button.contains("callback_data")) {
    const json& data = button["callback_data"];
    if (!data.is_string() || data.get_ref<const std::string&>().empty() ||
        data.get_ref<const std::string&>().size() > kMaxCallbackDataBytes) {
      return "Bad Request: BUTTON_DATA_INVALID";
    }
  }
  if (button.contains("url")) {
    const json& url = button["url"];
    if (!url.is_string()) return "Bad Request: BUTTON_URL_INVALID";
    const std::string& u = url.get_ref<const std::string&>();
    if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0 &&
        u.rfind("tg://", 0) != 0) {
      return "Bad Request: BUTTON_URL_INVALID";
    }
  }
  return "";
}

std::string CheckReplyButton(const json& button) {
  if (button.is_string()) return "";
  if (!button.is_object() || !button.contains("text") ||
      !button["text"].is_string()) {
    return "Bad Request: can't parse keyboard button: Field \"text\" must be "
           "of type String";
  }
  return "";
}

// `rows` must be a non-empty array of non-empty arrays; `check` each button.
template <typename CheckButton>
std::string CheckRows(const json& rows, CheckButton check) {
  if (!rows.is_array()) return std::string(kMarkupError);
  for (const json& row : rows) {
    if (!row.is_array()) return std::string(kMarkupError);
    for (const json& button : row) {
      std::string error = check(button);
      if (!error.empty()) return error;
    }
  }
  return "";
}

bool IsHtmlTag(std::string_view name) {
  constexpr std::array<std::string_view, 16> kTags = {
      "b",    "strong", "i",          "em",      "u",          "ins",
      "s",    "strike", "del",        "span",    "tg-spoiler", "a",
      "code", "pre",    "blockquote", "tg-emoji"};
  for (std::string_view tag : kTags) {
    if (tag == name) return true;
  }
  return false;
}

std::string CheckHtml(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      size_t j = i + 1;
      if (j < text.size() && text[j] == '/') ++j;
      size_t end = j;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) ||
              text[end] == '-')) {
        ++end;
      }
      if (!IsHtmlTag(text.substr(j, end - j)) ||
          text.find('>', end) == std::string_view::npos) {
        return "Bad Request: can't parse entities: Unsupported start tag \"" +
               std::string(text.substr(j, end - j)) + "\" at byte offset " +
               std::to_string(i);
      }
    } else if (text[i] == '&') {
      const size_t semi = text.find(';', i);
      const std::string_view entity = semi == std::string_view::npos
                                          ? std::string_view()
                                          : text.substr(i + 1, semi - i - 1);
      const bool numeric = entity.size() > 1 && entity[0] == '#';
      if (!numeric && entity != "lt" && entity != "gt" && entity != "amp" &&
          entity != "quot") {
        return "Bad Request: can't parse entities: Unsupported entity at byte "
               "offset " +
               std::to_string(i);
      }
    }
  }
  return "";
}

std::string CheckMarkdownV2(std::string_view text) {
  // These characters never start formatting, so unescaped they are always an
  // error; _*[]()~`>| may be markup, and checking them needs a full parser.
  constexpr std::string_view kAlwaysEscaped = "#+-={}.!";
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (kAlwaysEscaped.find(text[i]) != std::string_view::npos) {
      return std::string("Bad Request: can't parse entities: Character '") +
             text[i] +
             "' is reserved and must be escaped with the preceding '\\'";
    }
  }
  return "";
}

}  // namespace

size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    n += b >= 0xF0 ? 2 : 1;            // 4-byte sequences are surrogate pairs
  }
  return n;
}

std::optional<int64_t> ParseChatId(const json& params, std::string* error) {
  if (!params.contains("chat_id") || params["chat_id"].is_null()) {
    *error = "Bad Request: chat_id is empty";
    return std::nullopt;
  }
  const json& id = params["chat_id"];
  if (id.is_number_integer()) return id.get<int64_t>();
  if (id.is_string()) {
    const std::string& s = id.get_ref<const std::string&>();
    if (s.empty()) {
      *error = "Bad Request: chat_id is empty";
      return std::nullopt;
    }
    if (s[0] == '@') return -1;  // a channel username: a made-up id
    int64_t value = 0;
    const auto [end, ec] =
        std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && end == s.data() + s.size()) return value;
  }
  *error = "Bad Request: chat not found";
  return std::nullopt;
}

std::string CheckMessageText(const json& params) {
  if (!params.contains("text") || !params["text"].is_string() ||
      IsBlank(params["text"].get_ref<const std::string&>())) {
    return "Bad Request: message text is empty";
  }
  const std::string& text = params["text"].get_ref<const std::string&>();
  if (Utf16Length(text) > kMaxTextLength)
    return "Bad Request: message is too long";
  if (params.contains("parse_mode")) {
    if (!params["parse_mode"].is_string())
      return "Bad Request: unsupported parse_mode";
    return CheckParseMode(params["parse_mode"].get_ref<const std::string&>(),
                          text);
  }
  return "";
}

std::string CheckParseMode(std::string_view parse_mode, std::string_view text) {
  if (parse_mode == "MarkdownV2") return CheckMarkdownV2(text);
  if (parse_mode == "HTML") return CheckHtml(text);
  if (parse_mode == "Markdown" || parse_mode.empty()) return "";
  return "Bad Request: unsupported parse_mode";
}

std::string CheckReplyMarkup(const json& params) {
  if (!params.contains("reply_markup")) return "";
  json markup = params["reply_markup"];
  if (markup.is_string()) {
    markup = json::parse(markup.get_ref<const std::string&>(), nullptr, false);
  }
  if (!markup.is_object()) return std::string(kMarkupError);
  if (markup.contains("inline_keyboard")) {
    return CheckRows(markup["inline_keyboard"], CheckInlineButton);
  }
  if (markup.contains("keyboard"))
    return CheckRows(markup["keyboard"], CheckReplyButton);
  if (markup.contains("remove_keyboard")) {
    return markup["remove_keyboard"] == true ? "" : std::string(kMarkupError);
  }
  if (markup.contains("force_reply")) {
    return markup["force_reply"] == true ? "" : std::string(kMarkupError);
  }
  return std::string(kMarkupError);
}

}  // namespace sportello::fakes
