#include "bot/channels/api_client.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

using sportello::channels::CheckApiBaseUrl;
using sportello::channels::MakeTelegramSender;
using sportello::channels::MakeWhatsAppSender;
using sportello::channels::SendOutcome;
using sportello::channels::TelegramApi;
using sportello::channels::TelegramApiConfig;
using sportello::channels::WhatsAppApiConfig;
namespace core = sportello::core;
using Json = nlohmann::json;
using Kind = SendOutcome::Kind;

namespace {

constexpr char kToken[] = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";

// An httplib server on 127.0.0.1 at a free port, serving the routes given
// before Start(), stopped and joined on destruction.
class LoopbackServer {
 public:
  httplib::Server server;

  void Start() {
    port_ = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it.
    while (!server.is_running()) std::this_thread::yield();
  }
  ~LoopbackServer() {
    if (thread_.joinable()) {
      server.stop();
      thread_.join();
    }
  }
  std::string Url(std::string_view path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  int port_ = 0;
  std::thread thread_;
};

struct Calls {
  std::vector<std::string> paths;
  std::vector<Json> bodies;
  std::vector<std::string> authorizations;
};

// What the fake APIs received. Handlers add on the server's threads; the
// test reads a copy taken under the lock (the reply reaching the client
// orders the two only through the socket, which ThreadSanitizer does not
// see).
class Received {
 public:
  void Add(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.paths.push_back(req.path);
    calls_.bodies.push_back(Json::parse(req.body));
    calls_.authorizations.push_back(req.get_header_value("Authorization"));
  }
  Calls Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  Calls calls_;
};

core::OutboundMessage Text(core::Channel channel, std::string chat_id,
                           std::string text) {
  core::OutboundMessage msg;
  msg.channel = channel;
  msg.chat_id = std::move(chat_id);
  msg.text = std::move(text);
  return msg;
}

}  // namespace

TEST_CASE(
    "the telegram sender posts json to the bot method and reads the message "
    "id") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(
      R"(/bot([^/]+)/sendMessage)",
      [&](const httplib::Request& req, httplib::Response& res) {
        received.Add(req);
        CHECK(req.get_header_value("Content-Type") == "application/json");
        res.set_content(R"({"ok":true,"result":{"message_id":321}})",
                        "application/json");
      });
  fake.Start();
  auto sender = MakeTelegramSender({fake.Url(), kToken});
  const SendOutcome out =
      sender->Send(Text(core::Channel::kTelegram, "77", "Ciao!"));
  CHECK(out.kind == Kind::kOk);
  CHECK(out.provider_message_id == "321");
  const Calls got = received.Get();
  REQUIRE(got.paths.size() == 1);
  CHECK(got.paths[0] == std::string("/bot") + kToken + "/sendMessage");
  CHECK(got.bodies[0] == Json{{"chat_id", 77}, {"text", "Ciao!"}});
}

TEST_CASE(
    "a message to someone who wrote to a centre's own bot goes with that "
    "bot's token, and one for a bot without a token is not sent") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(R"(/bot([^/]+)/sendMessage)",
                   [&](const httplib::Request& req, httplib::Response& res) {
                     received.Add(req);
                     res.set_content(R"({"ok":true,"result":{"message_id":1}})",
                                     "application/json");
                   });
  fake.Start();
  const std::string centre_token = "777001:centre-SECRET";
  auto sender =
      MakeTelegramSender({fake.Url(), kToken, {{"777001", centre_token}}});
  core::OutboundMessage to_centre_person =
      Text(core::Channel::kTelegram, "77", "Ciao!");
  to_centre_person.account = "777001";
  CHECK(sender->Send(to_centre_person).kind == Kind::kOk);
  CHECK(sender->Send(Text(core::Channel::kTelegram, "78", "Ciao!")).kind ==
        Kind::kOk);

  core::OutboundMessage orphan = to_centre_person;
  orphan.account = "888002";
  const SendOutcome refused = sender->Send(orphan);
  CHECK(refused.kind == Kind::kPermanent);
  CHECK(refused.error.find("888002") != std::string::npos);

  const Calls got = received.Get();
  REQUIRE(got.paths.size() == 2);
  CHECK(got.paths[0] == "/bot" + centre_token + "/sendMessage");
  CHECK(got.paths[1] == std::string("/bot") + kToken + "/sendMessage");
}

TEST_CASE("a base url with a path prefix is kept in front of every call") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(R"(/tg/api/bot([^/]+)/answerCallbackQuery)",
                   [&](const httplib::Request& req, httplib::Response& res) {
                     received.Add(req);
                     res.set_content(R"({"ok":true,"result":true})",
                                     "application/json");
                   });
  fake.Start();
  auto sender = MakeTelegramSender({fake.Url("/tg/api/"), kToken});
  core::OutboundMessage answer;
  answer.channel = core::Channel::kTelegram;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  answer.callback_query_id = "q1";
  CHECK(sender->Send(answer).kind == Kind::kOk);
  const Calls got = received.Get();
  CHECK(got.paths.size() == 1);
}

TEST_CASE("telegram refusals are interpreted and never show the token") {
  LoopbackServer fake;
  fake.server.Post(R"(/bot([^/]+)/sendMessage)", [&](const httplib::Request&,
                                                     httplib::Response& res) {
    res.status = 403;
    res.set_content(
        R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})",
        "application/json");
  });
  fake.Start();
  auto sender = MakeTelegramSender({fake.Url(), kToken});
  const SendOutcome out =
      sender->Send(Text(core::Channel::kTelegram, "77", "x"));
  CHECK(out.kind == Kind::kUnreachable);
  CHECK(out.error.find(kToken) == std::string::npos);
}

TEST_CASE("no server at all is a retry whose error does not show the token") {
  std::string url;
  {
    LoopbackServer gone;
    gone.Start();
    url = gone.Url();
  }  // stopped: connections are refused now
  auto sender = MakeTelegramSender({url, kToken});
  const SendOutcome out =
      sender->Send(Text(core::Channel::kTelegram, "77", "x"));
  CHECK(out.kind == Kind::kRetry);
  CHECK(out.error.rfind("telegram sendMessage: no response", 0) == 0);
  CHECK(out.error.find(kToken) == std::string::npos);
}

TEST_CASE("a bad base url is reported at start and sends are retried") {
  CHECK(CheckApiBaseUrl("https://api.telegram.org").ok());
  CHECK(CheckApiBaseUrl("https://graph.facebook.com/v21.0").ok());
  CHECK(CheckApiBaseUrl("http://127.0.0.1:8081").ok());
  CHECK_FALSE(CheckApiBaseUrl("ftp://x").ok());
  CHECK_FALSE(CheckApiBaseUrl("api.telegram.org").ok());
  CHECK_FALSE(CheckApiBaseUrl("https://").ok());
  CHECK_FALSE(CheckApiBaseUrl("https://x/?a=b").ok());
  auto sender = MakeTelegramSender({"ftp://x", kToken});
  CHECK(sender->Send(Text(core::Channel::kTelegram, "77", "x")).kind ==
        Kind::kRetry);
}

TEST_CASE("the whatsapp sender posts to the phone number with a bearer token") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(R"(/v21.0/([0-9]+)/messages)", [&](const httplib::Request&
                                                          req,
                                                      httplib::Response& res) {
    received.Add(req);
    res.set_content(
        R"({"messaging_product":"whatsapp","contacts":[{"input":"+393331234567",
      "wa_id":"393331234567"}],"messages":[{"id":"wamid.OUT1"}]})",
        "application/json");
  });
  fake.Start();
  auto sender =
      MakeWhatsAppSender({fake.Url("/v21.0"), "EAAG-token", "106540352242922"});
  const SendOutcome out =
      sender->Send(Text(core::Channel::kWhatsApp, "393331234567", "Ciao!"));
  CHECK(out.kind == Kind::kOk);
  CHECK(out.provider_message_id == "wamid.OUT1");
  const Calls got = received.Get();
  REQUIRE(got.paths.size() == 1);
  CHECK(got.paths[0] == "/v21.0/106540352242922/messages");
  CHECK(got.authorizations[0] == "Bearer EAAG-token");
  CHECK(got.bodies[0]["to"] == "+393331234567");
  CHECK(got.bodies[0]["text"]["body"] == "Ciao!");
}

TEST_CASE("a whatsapp error code decides the outcome") {
  LoopbackServer fake;
  fake.server.Post(R"(/([0-9]+)/messages)", [&](const httplib::Request&,
                                                httplib::Response& res) {
    res.status = 400;
    res.set_content(
        R"({"error":{"message":"(#131047) Re-engagement message","type":"OAuthException",
      "code":131047,"error_data":{"messaging_product":"whatsapp","details":"more than 24 hours"},
      "fbtrace_id":"x"}})",
        "application/json");
  });
  fake.Start();
  auto sender = MakeWhatsAppSender({fake.Url(), "EAAG-token", "1065"});
  const SendOutcome out =
      sender->Send(Text(core::Channel::kWhatsApp, "393331234567", "x"));
  CHECK(out.kind == Kind::kWindowClosed);
  CHECK(out.error_code == 131047);
}

TEST_CASE("a whatsapp callback answer makes no call") {
  auto sender = MakeWhatsAppSender({"http://127.0.0.1:9", "t", "1"});
  core::OutboundMessage answer;
  answer.channel = core::Channel::kWhatsApp;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  CHECK(sender->Send(answer).kind == Kind::kOk);
}

TEST_CASE("one sender serves several threads at once") {
  LoopbackServer fake;
  std::atomic<int> calls{0};
  fake.server.new_task_queue = [] { return new httplib::ThreadPool(8); };
  fake.server.Post(
      R"(/bot([^/]+)/sendMessage)",
      [&](const httplib::Request& req, httplib::Response& res) {
        const int n = ++calls;
        const Json body = Json::parse(req.body);
        res.set_content(
            Json{{"ok", true}, {"result", {{"message_id", n}}}}.dump(),
            "application/json");
        CHECK(body["text"].get<std::string>().rfind("msg ", 0) == 0);
      });
  fake.Start();
  auto sender = MakeTelegramSender({fake.Url(), kToken});
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto out = sender->Send(
            Text(core::Channel::kTelegram, "77",
                 "msg " + std::to_string(t) + "/" + std::to_string(i)));
        if (out.kind == Kind::kOk) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == kThreads * kEach);
  CHECK(calls == kThreads * kEach);
}

TEST_CASE("set webhook sends the secret and the allowed updates") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(
      R"(/bot([^/]+)/(setWebhook|deleteWebhook))",
      [&](const httplib::Request& req, httplib::Response& res) {
        received.Add(req);
        res.set_content(
            R"({"ok":true,"result":true,"description":"Webhook was set"})",
            "application/json");
      });
  fake.Start();
  TelegramApi api({fake.Url(), kToken});
  REQUIRE(api.SetWebhook("https://sportello.example.it/webhook/telegram",
                         "s3cr3t_Token-1", 40)
              .ok());
  REQUIRE(api.DeleteWebhook().ok());
  const Calls got = received.Get();
  REQUIRE(got.bodies.size() == 2);
  CHECK(got.bodies[0] ==
        Json::parse(R"({"url":"https://sportello.example.it/webhook/telegram",
    "secret_token":"s3cr3t_Token-1","max_connections":40,
    "allowed_updates":["message","edited_message","callback_query","my_chat_member"]})"));
  CHECK(got.paths[1] == std::string("/bot") + kToken + "/deleteWebhook");
  CHECK(got.bodies[1] == Json{{"drop_pending_updates", false}});
}

TEST_CASE("a refused api call says why without the token") {
  LoopbackServer fake;
  fake.server.Post(R"(/bot([^/]+)/setWebhook)", [&](const httplib::Request&,
                                                    httplib::Response& res) {
    res.status = 401;
    res.set_content(
        R"({"ok":false,"error_code":401,"description":"Unauthorized"})",
        "application/json");
  });
  fake.server.Post(R"(/bot([^/]+)/deleteWebhook)",
                   [&](const httplib::Request&, httplib::Response& res) {
                     res.status = 502;
                   });
  fake.Start();
  TelegramApi api({fake.Url(), kToken});
  const core::Status refused =
      api.SetWebhook("https://x/webhook/telegram", "", 40);
  CHECK(refused.code() == core::Status::Code::kInvalidArgument);
  CHECK(refused.message() == "telegram setWebhook: HTTP 401 Unauthorized");
  const core::Status down = api.DeleteWebhook();
  CHECK(down.code() == core::Status::Code::kUnavailable);
  CHECK(down.message().find(kToken) == std::string::npos);
}

TEST_CASE("get updates returns each update parsed with its id") {
  LoopbackServer fake;
  Received received;
  fake.server.Post(R"(/bot([^/]+)/getUpdates)",
                   [&](const httplib::Request& req, httplib::Response& res) {
                     received.Add(req);
                     res.set_content(R"({"ok":true,"result":[
      {"update_id":501,"message":{"message_id":1,"date":1795000000,"from":{"id":77,"first_name":"L"},
        "chat":{"id":77,"type":"private"},"text":"ciao"}},
      {"update_id":502,"inline_query":{"id":"x"}},
      {"message":{}}]})",
                                     "application/json");
                   });
  fake.Start();
  TelegramApi api({fake.Url(), kToken});
  auto polled = api.GetUpdates(501, 0);
  REQUIRE(polled.ok());
  REQUIRE(polled->size() == 3);
  CHECK((*polled)[0].update_id == 501);
  REQUIRE(std::holds_alternative<core::InboundMessage>((*polled)[0].update));
  CHECK(std::get<core::InboundMessage>((*polled)[0].update).text == "ciao");
  CHECK((*polled)[1].update_id == 502);
  CHECK(std::holds_alternative<core::Ignored>((*polled)[1].update));
  CHECK((*polled)[2].update_id == 0);
  CHECK(std::holds_alternative<core::DeadLetter>((*polled)[2].update));
  const Calls got = received.Get();
  REQUIRE(got.bodies.size() == 1);
  CHECK(got.bodies[0]["offset"] == 501);
  CHECK(got.bodies[0]["timeout"] == 0);
}

TEST_CASE("get updates fails cleanly on a conflict with a webhook") {
  LoopbackServer fake;
  fake.server.Post(R"(/bot([^/]+)/getUpdates)", [&](const httplib::Request&,
                                                    httplib::Response& res) {
    res.status = 409;
    res.set_content(
        R"({"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active"})",
        "application/json");
  });
  fake.Start();
  TelegramApi api({fake.Url(), kToken});
  const auto polled = api.GetUpdates(0, 0);
  REQUIRE_FALSE(polled.ok());
  CHECK(polled.status().message().find("Conflict") != std::string::npos);
}
