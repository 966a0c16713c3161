// The fake Telegram and WhatsApp servers answer like the real APIs: if they
// let a wrong call through, every test built on them proves nothing.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/fakes/fake_telegram.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/fakes/telegram_updates.h"
#include "tests/fakes/whatsapp_webhooks.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sportello::fakes {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A call as our sender would make it: JSON POST to /bot<token>/<method>.
support::HttpResponse CallTelegram(const FakeTelegram& tg,
                                   const std::string& method,
                                   const json& params,
                                   const std::string& token = "") {
  support::HttpClient http(tg.port());
  return http.Post("/bot" + (token.empty() ? tg.token() : token) + "/" + method,
                   params.dump());
}

json Keyboard(const json& button) {
  return {{"inline_keyboard", json::array({json::array({button})})}};
}

TEST_CASE("the fake telegram answers sendMessage with the message it created") {
  FakeTelegram tg;
  const auto first = CallTelegram(tg, "sendMessage",
                                  {{"chat_id", 555000111}, {"text", "Ciao!"}});
  const auto second = CallTelegram(
      tg, "sendMessage", {{"chat_id", "555000111"}, {"text", "Di nuovo"}});
  REQUIRE(first.status == 200);
  const json body = first.Json();
  CHECK(body["ok"] == true);
  CHECK(body["result"]["chat"]["id"] == 555000111);
  CHECK(body["result"]["text"] == "Ciao!");
  CHECK(second.Json()["result"]["message_id"].get<int>() >
        body["result"]["message_id"].get<int>());
  CHECK(tg.SentTexts(555000111) ==
        std::vector<std::string>{"Ciao!", "Di nuovo"});
}

TEST_CASE("the fake telegram refuses a wrong token with 401") {
  FakeTelegram tg;
  const auto r = CallTelegram(tg, "sendMessage",
                              {{"chat_id", 1}, {"text", "x"}}, "999:WRONG");
  CHECK(r.status == 401);
  CHECK(r.Json() == json{{"ok", false},
                         {"error_code", 401},
                         {"description", "Unauthorized"}});
}

TEST_CASE("the fake telegram rejects sendMessage calls that telegram rejects") {
  FakeTelegram tg;
  struct Row {
    const char* what;
    json params;
    const char* description;
  };
  const std::string long_text(4097, 'a');
  std::string emoji_text;
  for (int i = 0; i < 2049; ++i)
    emoji_text += "\xF0\x9F\x98\x80";  // 4098 UTF-16 units
  const Row rows[] = {
      {"no chat_id", {{"text", "ciao"}}, "Bad Request: chat_id is empty"},
      {"no text", {{"chat_id", 1}}, "Bad Request: message text is empty"},
      {"blank text",
       {{"chat_id", 1}, {"text", "  \n"}},
       "Bad Request: message text is empty"},
      {"4097 characters",
       {{"chat_id", 1}, {"text", long_text}},
       "Bad Request: message is too long"},
      {"2049 emoji",
       {{"chat_id", 1}, {"text", emoji_text}},
       "Bad Request: message is too long"},
      {"callback_data of 65 bytes",
       {{"chat_id", 1},
        {"text", "x"},
        {"reply_markup",
         Keyboard({{"text", "A"}, {"callback_data", std::string(65, 'd')}})}},
       "Bad Request: BUTTON_DATA_INVALID"},
      {"button with neither callback_data nor url",
       {{"chat_id", 1},
        {"text", "x"},
        {"reply_markup", Keyboard({{"text", "A"}})}},
       "Bad Request: can't parse inline keyboard button: Text buttons are "
       "unallowed in the inline keyboard"},
      {"button with both callback_data and url",
       {{"chat_id", 1},
        {"text", "x"},
        {"reply_markup", Keyboard({{"text", "A"},
                                   {"callback_data", "a"},
                                   {"url", "https://x.it"}})}},
       "Bad Request: can't parse inline keyboard button: exactly one of the "
       "optional fields must be used"},
      {"markup that is no keyboard",
       {{"chat_id", 1},
        {"text", "x"},
        {"reply_markup", {{"buttons", json::array()}}}},
       "Bad Request: can't parse reply keyboard markup JSON object"},
      {"markup string that is not JSON",
       {{"chat_id", 1}, {"text", "x"}, {"reply_markup", "{inline_keyboard"}},
       "Bad Request: can't parse reply keyboard markup JSON object"},
      {"unescaped dot in MarkdownV2",
       {{"chat_id", 1},
        {"text", "Ciao. Come stai?"},
        {"parse_mode", "MarkdownV2"}},
       "Bad Request: can't parse entities: Character '.' is reserved and must "
       "be escaped with the preceding '\\'"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    const auto r = CallTelegram(tg, "sendMessage", row.params);
    CHECK(r.status == 400);
    CHECK(r.Json()["description"] == row.description);
    CHECK(r.Json()["error_code"] == 400);
  }
  CHECK(tg.SentTexts().empty());
  CHECK(tg.CallCount("sendMessage") ==
        std::size(rows));  // rejected calls are recorded too
}

TEST_CASE("the fake telegram accepts the keyboards telegram accepts") {
  FakeTelegram tg;
  const json ok_markups[] = {
      Keyboard(
          {{"text", "Cerco lavoro"}, {"callback_data", std::string(64, 'd')}}),
      Keyboard({{"text", "Sito"}, {"url", "https://www.cliclavoro.gov.it"}}),
      json{{"keyboard",
            {{{{"text", "Invia posizione"}, {"request_location", true}}}}},
           {"resize_keyboard", true}},
      json{{"remove_keyboard", true}},
      Keyboard({{"text", "A"}, {"callback_data", "a"}})
          .dump(),  // a JSON string, as form posts send it
  };
  for (const json& markup : ok_markups) {
    CAPTURE(markup.dump());
    CHECK(
        CallTelegram(tg, "sendMessage",
                     {{"chat_id", 1}, {"text", "x"}, {"reply_markup", markup}})
            .status == 200);
  }
  CHECK(CallTelegram(tg, "sendMessage",
                     {{"chat_id", 1},
                      {"text", "Ciao\\. <b>no</b>"},
                      {"parse_mode", "MarkdownV2"}})
            .status == 200);
}

TEST_CASE("the fake telegram refuses a body that is not JSON") {
  FakeTelegram tg;
  support::HttpClient http(tg.port());
  const auto r =
      http.Post("/bot" + tg.token() + "/sendMessage", "chat_id=1&text=x");
  CHECK(r.status == 400);
  CHECK(r.Json()["description"].get<std::string>().rfind("Bad Request:", 0) ==
        0);
}

TEST_CASE(
    "a scripted 429 answers the next calls with retry_after and then lets them "
    "through") {
  FakeTelegram tg;
  tg.FailWithRetryAfter("sendMessage", 7, 2);
  const json params = {{"chat_id", 10}, {"text", "ciao"}};
  const auto first = CallTelegram(tg, "sendMessage", params);
  const auto second = CallTelegram(tg, "sendMessage", params);
  const auto third = CallTelegram(tg, "sendMessage", params);
  CHECK(first.status == 429);
  CHECK(first.Json()["parameters"]["retry_after"] == 7);
  CHECK(first.Json()["description"] == "Too Many Requests: retry after 7");
  CHECK(second.status == 429);
  CHECK(third.status == 200);
  CHECK(tg.SentTexts().size() == 1);
}

TEST_CASE("a scripted failure is not spent on a malformed call") {
  FakeTelegram tg;
  tg.FailWithServerError("sendMessage");
  CHECK(CallTelegram(tg, "sendMessage", {{"chat_id", 10}}).status == 400);
  CHECK(CallTelegram(tg, "sendMessage", {{"chat_id", 10}, {"text", "x"}})
            .status == 500);
  CHECK(CallTelegram(tg, "sendMessage", {{"chat_id", 10}, {"text", "x"}})
            .status == 200);
}

TEST_CASE("a chat that blocked the bot answers 403 until unblocked") {
  FakeTelegram tg;
  tg.BlockChat(777);
  const auto blocked =
      CallTelegram(tg, "sendMessage", {{"chat_id", 777}, {"text", "x"}});
  CHECK(blocked.status == 403);
  CHECK(blocked.Json()["description"] ==
        "Forbidden: bot was blocked by the user");
  CHECK(CallTelegram(tg, "sendMessage", {{"chat_id", 778}, {"text", "x"}})
            .status == 200);
  tg.UnblockChat(777);
  CHECK(CallTelegram(tg, "sendMessage", {{"chat_id", 777}, {"text", "x"}})
            .status == 200);
}

TEST_CASE("a callback query can be answered only once") {
  FakeTelegram tg;
  CHECK(CallTelegram(tg, "answerCallbackQuery", {{"callback_query_id", "q1"}})
            .status == 200);
  CHECK(CallTelegram(tg, "answerCallbackQuery", {{"callback_query_id", "q1"}})
            .status == 400);
  CHECK(CallTelegram(tg, "answerCallbackQuery", {{"text", "x"}}).status == 400);
}

TEST_CASE("setWebhook records the url and secret and allowed updates") {
  FakeTelegram tg;
  const auto r = CallTelegram(
      tg, "setWebhook",
      {{"url", "https://bot.example.it/webhook/telegram"},
       {"secret_token", "s3cr3t_-X"},
       {"allowed_updates", {"message", "callback_query", "my_chat_member"}},
       {"max_connections", 40}});
  REQUIRE(r.status == 200);
  const auto hook = tg.webhook();
  CHECK(hook.url == "https://bot.example.it/webhook/telegram");
  CHECK(hook.secret_token == "s3cr3t_-X");
  CHECK(hook.allowed_updates ==
        json{"message", "callback_query", "my_chat_member"});
  CHECK(hook.max_connections == 40);
  CHECK(CallTelegram(tg, "setWebhook", {{"url", "http://plain.example.it/"}})
            .status == 400);
  CHECK(CallTelegram(tg, "setWebhook",
                     {{"url", "https://x.it/"}, {"secret_token", "no spaces"}})
            .status == 400);
  CHECK(CallTelegram(tg, "deleteWebhook", json::object()).status == 200);
  CHECK(tg.webhook().url.empty());
}

TEST_CASE(
    "getUpdates long polling returns queued updates and drops confirmed ones") {
  FakeTelegram tg;
  tg.QueueUpdate(tg::TextMessage(100, 42, "ciao"));
  tg.QueueUpdate(tg::TextMessage(101, 42, "cerco lavoro"));
  const auto first =
      CallTelegram(tg, "getUpdates", {{"offset", 0}, {"timeout", 1}});
  REQUIRE(first.status == 200);
  REQUIRE(first.Json()["result"].size() == 2);
  CHECK(first.Json()["result"][0]["update_id"] == 100);
  CHECK(first.Json()["result"][1]["message"]["text"] == "cerco lavoro");
  // offset 101 confirms 100 only.
  const auto second =
      CallTelegram(tg, "getUpdates", {{"offset", 101}, {"timeout", 0}});
  REQUIRE(second.Json()["result"].size() == 1);
  CHECK(second.Json()["result"][0]["update_id"] == 101);
  CHECK(tg.PendingUpdates() == 1);
}

TEST_CASE("getUpdates waits for an update queued while it polls") {
  FakeTelegram tg;
  bool poller_seen = false;
  std::thread producer([&] {
    // Queue only once the poll waits: it must be woken, not find it there.
    poller_seen = tg.WaitForPoller(10s);
    tg.QueueUpdate(tg::TextMessage(7, 42, "eccomi"));
  });
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      CallTelegram(tg, "getUpdates", {{"offset", 0}, {"timeout", 10}});
  const auto waited = std::chrono::steady_clock::now() - start;
  producer.join();
  CHECK(poller_seen);
  REQUIRE(r.status == 200);
  REQUIRE(r.Json()["result"].size() == 1);
  CHECK(r.Json()["result"][0]["update_id"] == 7);
  CHECK(waited < 5s);
}

TEST_CASE(
    "getUpdates with nothing queued returns an empty list after its timeout") {
  FakeTelegram tg;
  tg.SetMaxPollWait(200ms);
  const auto r =
      CallTelegram(tg, "getUpdates", {{"offset", 5}, {"timeout", 30}});
  REQUIRE(r.status == 200);
  CHECK(r.Json()["result"] == json::array());
}

TEST_CASE("getUpdates conflicts with an active webhook") {
  FakeTelegram tg;
  REQUIRE(
      CallTelegram(tg, "setWebhook", {{"url", "https://bot.example.it/hook"}})
          .status == 200);
  const auto r = CallTelegram(tg, "getUpdates", {{"timeout", 0}});
  CHECK(r.status == 409);
}

TEST_CASE("the fake telegram lets a test wait for calls without sleeping") {
  FakeTelegram tg;
  CHECK_FALSE(tg.WaitForCalls(1, 50ms, "sendMessage"));
  std::thread sender([&tg] {
    CallTelegram(tg, "sendMessage", {{"chat_id", 1}, {"text", "x"}});
  });
  CHECK(tg.WaitForCalls(1, 10s, "sendMessage"));
  sender.join();
}

// --- WhatsApp

support::HttpResponse CallWhatsApp(const FakeWhatsApp& wa, const json& body,
                                   const std::string& token = "") {
  support::HttpClient http(wa.port());
  return http.Post("/v21.0/" + wa.phone_number_id() + "/messages", body.dump(),
                   {{"Authorization",
                     "Bearer " + (token.empty() ? wa.access_token() : token)}});
}

json WaText(const std::string& body) {
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", "393331234567"},
          {"type", "text"},
          {"text", {{"body", body}}}};
}

json WaButtons(const std::vector<std::string>& titles,
               const std::string& body = "Cosa cerchi?") {
  json buttons = json::array();
  for (size_t i = 0; i < titles.size(); ++i) {
    buttons.push_back(
        {{"type", "reply"},
         {"reply", {{"id", "b" + std::to_string(i)}, {"title", titles[i]}}}});
  }
  return {{"messaging_product", "whatsapp"},
          {"to", "+393331234567"},
          {"type", "interactive"},
          {"interactive",
           {{"type", "button"},
            {"body", {{"text", body}}},
            {"action", {{"buttons", buttons}}}}}};
}

json WaList(size_t rows, const std::string& row_title = "Cameriere") {
  json list_rows = json::array();
  for (size_t i = 0; i < rows; ++i) {
    list_rows.push_back({{"id", "r" + std::to_string(i)},
                         {"title", row_title},
                         {"description", "Bari"}});
  }
  return {{"messaging_product", "whatsapp"},
          {"to", "393331234567"},
          {"type", "interactive"},
          {"interactive",
           {{"type", "list"},
            {"body", {{"text", "Scegli"}}},
            {"action",
             {{"button", "Offerte"},
              {"sections", {{{"title", "Lavoro"}, {"rows", list_rows}}}}}}}}};
}

TEST_CASE("the fake whatsapp accepts a text and answers with a fresh wamid") {
  FakeWhatsApp wa;
  const auto first = CallWhatsApp(wa, WaText("Ciao!"));
  const auto second = CallWhatsApp(wa, WaText("Di nuovo"));
  REQUIRE(first.status == 200);
  const json body = first.Json();
  CHECK(body["messaging_product"] == "whatsapp");
  CHECK(body["contacts"][0]["input"] == "393331234567");
  const std::string id1 = body["messages"][0]["id"];
  const std::string id2 = second.Json()["messages"][0]["id"];
  CHECK(id1.rfind("wamid.", 0) == 0);
  CHECK(id1 != id2);
  CHECK(wa.Accepted("+393331234567").size() == 2);
}

TEST_CASE("the fake whatsapp wants the bearer token") {
  FakeWhatsApp wa;
  const auto r = CallWhatsApp(wa, WaText("x"), "stolen");
  CHECK(r.status == 401);
  CHECK(r.Json()["error"]["code"] == 190);
}

TEST_CASE("the fake whatsapp rejects the messages meta rejects") {
  FakeWhatsApp wa;
  json no_product = WaText("x");
  no_product.erase("messaging_product");
  json numeric_to = WaText("x");
  numeric_to["to"] = 393331234567;
  const std::pair<const char*, json> rows[] = {
      {"no messaging_product", no_product},
      {"numeric to", numeric_to},
      {"empty text", WaText("")},
      {"4097 characters", WaText(std::string(4097, 'a'))},
      {"four buttons", WaButtons({"A", "B", "C", "D"})},
      {"button title of 21 characters", WaButtons({"Cerco lavoro in Italia"})},
      {"duplicate button titles", WaButtons({"Sì", "Sì"})},
      {"button body over 1024", WaButtons({"A"}, std::string(1025, 'b'))},
      {"eleven list rows", WaList(11)},
      {"row title of 25 characters", WaList(2, std::string(25, 'r'))},
      {"image messages", json{{"messaging_product", "whatsapp"},
                              {"to", "39333"},
                              {"type", "image"}}},
  };
  for (const auto& row : rows) {
    const char* what =
        row.first;  // clang 14 cannot capture structured bindings
    CAPTURE(what);
    const auto r = CallWhatsApp(wa, row.second);
    CHECK(r.status == 400);
    CHECK(r.Json()["error"]["code"] == 100);
    CHECK(r.Json()["error"]["type"] == "OAuthException");
    CHECK_FALSE(
        r.Json()["error"]["error_data"]["details"].get<std::string>().empty());
  }
  CHECK(wa.Accepted().empty());
}

TEST_CASE("the fake whatsapp counts characters not bytes") {
  FakeWhatsApp wa;
  // 20 accented characters are 40 bytes: still a valid title.
  std::string title;
  for (int i = 0; i < 20; ++i) title += "\xC3\xA8";  // è
  CHECK(CallWhatsApp(wa, WaButtons({title, "No"})).status == 200);
  CHECK(CallWhatsApp(wa, WaList(10)).status == 200);
  const json tmpl = {
      {"messaging_product", "whatsapp"},
      {"to", "393331234567"},
      {"type", "template"},
      {"template",
       {{"name", "promemoria_colloquio"}, {"language", {{"code", "it"}}}}}};
  CHECK(CallWhatsApp(wa, tmpl).status == 200);
}

TEST_CASE(
    "scripted whatsapp errors carry meta's codes and can target one "
    "recipient") {
  FakeWhatsApp wa;
  wa.FailNext(131026, FakeWhatsApp::kForever, "393330000000");
  wa.FailNext(130429);
  json to_blocked = WaText("x");
  to_blocked["to"] = "+393330000000";
  const auto undeliverable = CallWhatsApp(wa, to_blocked);
  CHECK(undeliverable.status == 400);
  CHECK(undeliverable.Json()["error"]["code"] == 131026);
  const auto limited = CallWhatsApp(wa, WaText("x"));
  CHECK(limited.Json()["error"]["code"] == 130429);
  CHECK(CallWhatsApp(wa, WaText("x")).status == 200);
  CHECK(CallWhatsApp(wa, to_blocked).Json()["error"]["code"] == 131026);
  wa.FailNext(500);
  CHECK(CallWhatsApp(wa, WaText("x")).status == 500);
}

TEST_CASE("whatsapp webhook payloads are shaped like meta's") {
  wa::Business biz;
  const json payload =
      wa::Payload(biz,
                  {wa::Text("393331234567", "wamid.A", "ciao"),
                   wa::ButtonReply("393331234567", "wamid.B", "menu.lavoro",
                                   "Lavoro", "wamid.OUR")},
                  {wa::Status("wamid.OUR", "393331234567", "read")});
  const json& value = payload["entry"][0]["changes"][0]["value"];
  CHECK(payload["object"] == "whatsapp_business_account");
  CHECK(payload["entry"][0]["changes"][0]["field"] == "messages");
  CHECK(value["metadata"]["phone_number_id"] == biz.phone_number_id);
  CHECK(value["contacts"].size() == 1);  // one per distinct sender
  CHECK(value["messages"][0]["timestamp"].is_string());
  CHECK(value["messages"][1]["interactive"]["button_reply"]["id"] ==
        "menu.lavoro");
  CHECK(value["messages"][1]["context"]["id"] == "wamid.OUR");
  CHECK(value["statuses"][0]["status"] == "read");
  const json failed = wa::Status("wamid.X", "39333", "failed", 0, 131047);
  CHECK(failed["errors"][0]["code"] == 131047);
}

TEST_CASE("a whatsapp signature is the hex hmac-sha256 of the body") {
  // RFC 4231 test case 2.
  CHECK(wa::Sign("what do ya want for nothing?", "Jefe") ==
        "sha256="
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("telegram updates are shaped like the bot api's") {
  tg::Person giulia;
  giulia.id = 4'503'599'627'370'495;  // 52 bits
  const json text = tg::TextMessage(1, giulia, "ciao");
  CHECK(text["message"]["chat"]["id"] == giulia.id);
  CHECK(text["message"]["from"]["id"] == giulia.id);
  CHECK(text["message"]["chat"]["type"] == "private");
  const json cb = tg::CallbackQuery(2, giulia, "menu:lavoro");
  CHECK(cb["callback_query"]["id"] == "cbq-2");
  CHECK(cb["callback_query"]["data"] == "menu:lavoro");
  CHECK(
      tg::MyChatMember(
          3, giulia, "kicked")["my_chat_member"]["new_chat_member"]["status"] ==
      "kicked");
  const json post = tg::ChannelPost(4, -1001234567890, "avviso");
  CHECK_FALSE(post["channel_post"].contains("from"));
  CHECK(tg::EditedMessage(5, giulia, "ciao!", 1)["edited_message"].contains(
      "edit_date"));
}

// --- The harness that runs the real binary.
namespace harness {

TEST_CASE("a command gets its stdin and gives back its output and exit code") {
  const auto r = support::RunCommand(
      {"/bin/sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"}, {},
      "cerco lavoro\n");
  CHECK(r.exit_code == 3);
  CHECK(r.out == "CERCO LAVORO\n");
  CHECK(r.err == "oops\n");
}

TEST_CASE("a command that outlives its timeout is killed") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = support::RunCommand({"/bin/sleep", "30"}, {}, "", 200ms);
  CHECK(r.exit_code == -1);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a child sees only the environment it is given") {
  ::setenv("TELEGRAM_BOT_TOKEN", "leaked-secret", 1);
  const auto r =
      support::RunCommand({"/usr/bin/env"}, {{"SPORTELLO_DB", "/tmp/x.db"}});
  ::unsetenv("TELEGRAM_BOT_TOKEN");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("SPORTELLO_DB=/tmp/x.db") != std::string::npos);
  CHECK(r.out.find("PATH=") != std::string::npos);
  CHECK(r.out.find("leaked-secret") == std::string::npos);
}

TEST_CASE("a service process is logged and stopped by SIGTERM or SIGKILL") {
  support::TempDir dir;
  support::ServiceProcess svc({"-c", "echo started $GREETING; exec sleep 30"},
                              {{"GREETING", "ciao"}}, "", "/bin/sh");
  CHECK(svc.WaitForLog("started ciao"));
  CHECK(svc.Running());
  CHECK(svc.Terminate() == 128 + SIGTERM);
  CHECK_FALSE(svc.Running());

  support::ServiceProcess killed({"-c", "exec sleep 30"}, {}, dir.File("k.log"),
                                 "/bin/sh");
  killed.Kill9();
  CHECK_FALSE(killed.Running());
  CHECK(killed.Wait(1s) == 128 + SIGKILL);
}

TEST_CASE("waiting for health gives up as soon as the service exits") {
  support::ServiceProcess svc({"-c", "echo bad config; exit 2"}, {}, "",
                              "/bin/sh");
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(
      svc.WaitHealthy(10s, support::LoopbackAddress(support::FreePort())));
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(svc.Wait(1s) == 2);
  CHECK(svc.LogText() == "bad config\n");
}

TEST_CASE("a temp dir disappears with its files") {
  std::string path;
  {
    support::TempDir dir;
    path = dir.path();
    std::FILE* f = std::fopen(dir.File("a.txt").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fclose(f);
    CHECK(std::filesystem::exists(dir.File("a.txt")));
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a free port can be bound") {
  const int port = support::FreePort();
  REQUIRE(port > 0);
  httplib::Server server;
  CHECK(server.bind_to_port("127.0.0.1", port));
}

}  // namespace harness
}  // namespace
}  // namespace sportello::fakes
