// RenderTelegram / RenderWhatsApp: one fitted OutboundMessage -> one API call.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "bot/channels/json_access.h"
#include "bot/channels/outbound.h"
#include "bot/core/numbers.h"
#include "bot/core/utf8.h"

namespace sportello::channels {
namespace {

using Json = nlohmann::json;

// Two buttons share a Telegram keyboard row when both titles are this short
// (Sì / No, days of the week); longer ones get a row each so they aren't cut.
constexpr size_t kShortTitleUnits = 14;

Json TelegramChatId(const std::string& chat_id) {
  if (const auto numeric =
          core::ParseInt(chat_id, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max())) {
    return *numeric;
  }
  return chat_id;  // "@channelname"
}

Json InlineKeyboard(const std::vector<core::Button>& buttons) {
  Json rows = Json::array();
  for (size_t i = 0; i < buttons.size(); ++i) {
    Json row = Json::array();
    row.push_back(
        {{"text", buttons[i].title}, {"callback_data", buttons[i].id}});
    const bool pair =
        i + 1 < buttons.size() &&
        core::utf8::Units(buttons[i].title) <= kShortTitleUnits &&
        core::utf8::Units(buttons[i + 1].title) <= kShortTitleUnits;
    if (pair) {
      ++i;
      row.push_back(
          {{"text", buttons[i].title}, {"callback_data", buttons[i].id}});
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// A wa_id is the full international number without "+"; Meta reads a number
// without "+" as local to the business's own country.
std::string WhatsAppRecipient(const std::string& chat_id) {
  const bool digits = !chat_id.empty() &&
                      std::all_of(chat_id.begin(), chat_id.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  return digits ? "+" + chat_id : chat_id;
}

Json WhatsAppInteractive(const core::OutboundMessage& msg) {
  if (msg.buttons.size() <= 3) {
    Json buttons = Json::array();
    for (const core::Button& b : msg.buttons) {
      buttons.push_back(
          {{"type", "reply"}, {"reply", {{"id", b.id}, {"title", b.title}}}});
    }
    return {{"type", "button"},
            {"body", {{"text", msg.text}}},
            {"action", {{"buttons", std::move(buttons)}}}};
  }
  Json rows = Json::array();
  for (const core::Button& b : msg.buttons)
    rows.push_back({{"id", b.id}, {"title", b.title}});
  Json section = Json::object();
  section["rows"] = std::move(rows);
  return {{"type", "list"},
          {"body", {{"text", msg.text}}},
          {"action",
           {{"button", std::string(kWhatsAppListButtonLabel)},
            {"sections", Json::array({std::move(section)})}}}};
}

Json WhatsAppTemplate(const core::OutboundMessage& msg) {
  Json tmpl = {
      {"name", msg.template_name},
      {"language",
       {{"code",
         msg.template_language.empty() ? "it" : msg.template_language}}}};
  if (!msg.template_params.empty()) {
    Json parameters = Json::array();
    for (const std::string& p : msg.template_params) {
      parameters.push_back({{"type", "text"}, {"text", p}});
    }
    tmpl["components"] = Json::array(
        {{{"type", "body"}, {"parameters", std::move(parameters)}}});
  }
  return tmpl;
}

}  // namespace

ApiCall RenderTelegram(const core::OutboundMessage& msg) {
  if (msg.kind == core::OutboundKind::kCallbackAnswer) {
    Json body = {{"callback_query_id", msg.callback_query_id}};
    if (!msg.text.empty()) body["text"] = msg.text;
    return {"answerCallbackQuery", json_access::Dump(body)};
  }
  Json body = {{"chat_id", TelegramChatId(msg.chat_id)}, {"text", msg.text}};
  if (!msg.buttons.empty()) {
    body["reply_markup"] = {{"inline_keyboard", InlineKeyboard(msg.buttons)}};
  }
  return {"sendMessage", json_access::Dump(body)};
}

ApiCall RenderWhatsApp(const core::OutboundMessage& msg) {
  if (msg.kind == core::OutboundKind::kCallbackAnswer) return {};
  Json body = {{"messaging_product", "whatsapp"},
               {"recipient_type", "individual"},
               {"to", WhatsAppRecipient(msg.chat_id)}};
  if (msg.kind == core::OutboundKind::kTemplate) {
    body["type"] = "template";
    body["template"] = WhatsAppTemplate(msg);
  } else if (msg.buttons.empty()) {
    body["type"] = "text";
    body["text"] = {{"preview_url", false}, {"body", msg.text}};
  } else {
    body["type"] = "interactive";
    body["interactive"] = WhatsAppInteractive(msg);
  }
  return {"messages", json_access::Dump(body)};
}

}  // namespace sportello::channels
