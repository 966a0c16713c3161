#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "bot/channels/outbound.h"

using sportello::channels::RenderTelegram;
using sportello::channels::RenderWhatsApp;
namespace core = sportello::core;
using Json = nlohmann::json;

namespace {

core::OutboundMessage Message(core::Channel channel, std::string chat_id,
                              std::string text,
                              std::vector<core::Button> buttons = {}) {
  core::OutboundMessage msg;
  msg.channel = channel;
  msg.chat_id = std::move(chat_id);
  msg.text = std::move(text);
  msg.buttons = std::move(buttons);
  return msg;
}

}  // namespace

TEST_CASE(
    "a telegram text is a sendMessage with a numeric chat id and no parse "
    "mode") {
  const auto call = RenderTelegram(Message(
      core::Channel::kTelegram, "4503599627370495", "Ciao *Giulia* <b>_</b>"));
  CHECK(call.method == "sendMessage");
  const Json body = Json::parse(call.body);
  CHECK(body == Json{{"chat_id", 4503599627370495},
                     {"text", "Ciao *Giulia* <b>_</b>"}});
  CHECK(body["chat_id"].is_number_integer());
}

TEST_CASE("a telegram chat id that is not a number is sent as a string") {
  const Json body = Json::parse(
      RenderTelegram(Message(core::Channel::kTelegram, "@sportello", "x"))
          .body);
  CHECK(body["chat_id"] == "@sportello");
  const Json negative = Json::parse(
      RenderTelegram(Message(core::Channel::kTelegram, "-1001234", "x")).body);
  CHECK(negative["chat_id"] == -1001234);
}

TEST_CASE("telegram buttons become an inline keyboard pairing short titles") {
  const auto call =
      RenderTelegram(Message(core::Channel::kTelegram, "77", "Confermi?",
                             {{"yes", "Sì"},
                              {"no", "No"},
                              {"human", "Parla con un operatore"},
                              {"back", "Indietro"}}));
  const Json body = Json::parse(call.body);
  const Json expected = Json::parse(R"([
    [{"text":"Sì","callback_data":"yes"},{"text":"No","callback_data":"no"}],
    [{"text":"Parla con un operatore","callback_data":"human"}],
    [{"text":"Indietro","callback_data":"back"}]])");
  CHECK(body["reply_markup"]["inline_keyboard"] == expected);
  CHECK_FALSE(body.contains("parse_mode"));
}

TEST_CASE("a telegram callback answer is an answerCallbackQuery") {
  core::OutboundMessage answer;
  answer.channel = core::Channel::kTelegram;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  answer.callback_query_id = "4382bfdwdsb323b2d9";
  auto call = RenderTelegram(answer);
  CHECK(call.method == "answerCallbackQuery");
  CHECK(Json::parse(call.body) ==
        Json{{"callback_query_id", "4382bfdwdsb323b2d9"}});
  answer.text = "Fatto";
  call = RenderTelegram(answer);
  CHECK(Json::parse(call.body) ==
        Json{{"callback_query_id", "4382bfdwdsb323b2d9"}, {"text", "Fatto"}});
}

TEST_CASE(
    "a whatsapp text goes to the plus-prefixed wa_id without link previews") {
  const auto call = RenderWhatsApp(
      Message(core::Channel::kWhatsApp, "393331234567", "Ciao!"));
  CHECK(call.method == "messages");
  CHECK(Json::parse(call.body) ==
        Json::parse(R"({"messaging_product":"whatsapp",
    "recipient_type":"individual","to":"+393331234567","type":"text",
    "text":{"preview_url":false,"body":"Ciao!"}})"));
  const Json kept = Json::parse(
      RenderWhatsApp(Message(core::Channel::kWhatsApp, "+393331234567", "x"))
          .body);
  CHECK(kept["to"] == "+393331234567");
}

TEST_CASE("whatsapp up to three buttons render as reply buttons") {
  const auto call =
      RenderWhatsApp(Message(core::Channel::kWhatsApp, "393331234567",
                             "Confermi?", {{"yes", "Sì"}, {"no", "No"}}));
  CHECK(Json::parse(call.body) ==
        Json::parse(R"({"messaging_product":"whatsapp",
    "recipient_type":"individual","to":"+393331234567","type":"interactive",
    "interactive":{"type":"button","body":{"text":"Confermi?"},"action":{"buttons":[
      {"type":"reply","reply":{"id":"yes","title":"Sì"}},
      {"type":"reply","reply":{"id":"no","title":"No"}}]}}})"));
}

TEST_CASE("whatsapp four to ten buttons render as a list with one section") {
  std::vector<core::Button> rows;
  for (int i = 1; i <= 4; ++i)
    rows.push_back({"v" + std::to_string(i), "Offerta " + std::to_string(i)});
  const auto call = RenderWhatsApp(
      Message(core::Channel::kWhatsApp, "393331234567", "Offerte:", rows));
  CHECK(Json::parse(call.body) ==
        Json::parse(R"({"messaging_product":"whatsapp",
    "recipient_type":"individual","to":"+393331234567","type":"interactive",
    "interactive":{"type":"list","body":{"text":"Offerte:"},"action":{"button":"Scegli",
      "sections":[{"rows":[{"id":"v1","title":"Offerta 1"},{"id":"v2","title":"Offerta 2"},
                           {"id":"v3","title":"Offerta 3"},{"id":"v4","title":"Offerta 4"}]}]}}})"));
}

TEST_CASE("a whatsapp template carries name language and body parameters") {
  core::OutboundMessage tmpl;
  tmpl.channel = core::Channel::kWhatsApp;
  tmpl.kind = core::OutboundKind::kTemplate;
  tmpl.chat_id = "393331234567";
  tmpl.template_name = "promemoria_colloquio";
  tmpl.template_language = "it";
  tmpl.template_params = {"Giulia", "lunedì 10:30"};
  CHECK(Json::parse(RenderWhatsApp(tmpl).body) ==
        Json::parse(R"({"messaging_product":"whatsapp",
    "recipient_type":"individual","to":"+393331234567","type":"template",
    "template":{"name":"promemoria_colloquio","language":{"code":"it"},"components":[
      {"type":"body","parameters":[{"type":"text","text":"Giulia"},{"type":"text","text":"lunedì 10:30"}]}]}})"));
  tmpl.template_params.clear();
  const Json bare = Json::parse(RenderWhatsApp(tmpl).body);
  CHECK_FALSE(bare["template"].contains("components"));
}

TEST_CASE("a whatsapp callback answer renders to no call") {
  core::OutboundMessage answer;
  answer.channel = core::Channel::kWhatsApp;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  CHECK(RenderWhatsApp(answer).method.empty());
}

TEST_CASE("rendering never throws on invalid utf-8 from our own data") {
  const auto call =
      RenderTelegram(Message(core::Channel::kTelegram, "77", "bad \xff byte"));
  CHECK(Json::parse(call.body)["text"] == "bad \xEF\xBF\xBD byte");
}
