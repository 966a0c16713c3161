// A small HTTP client for tests talking to the service on loopback: short
// timeouts, answers as plain values, and the webhook deliveries of each
// platform (Telegram's secret header, WhatsApp's signature) ready-made.
//
//   support::HttpClient http(port);
//   auto r = http.PostTelegramUpdate(fakes::tg::TextMessage(1, 42, "ciao"),
//   secret); CHECK(r.status == 200);
//
// One request at a time per client (httplib serialises them); use a client
// per thread for concurrent requests.
#pragma once

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sportello::support {

struct HttpResponse {
  int status = 0;  // 0: no response (refused, timed out); see error
  std::string body;
  httplib::Headers headers;
  std::string error;  // httplib's error name when status is 0
  // The body as JSON; discarded (is_discarded()) when it is not JSON.
  nlohmann::json Json() const {
    return nlohmann::json::parse(body, nullptr, false);
  }
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  explicit HttpClient(
      int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // "host:port"
  explicit HttpClient(
      const std::string& address,
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  HttpResponse Get(const std::string& path,
                   const httplib::Headers& headers = {});
  HttpResponse Post(const std::string& path, std::string_view body,
                    const httplib::Headers& headers = {},
                    const std::string& content_type = "application/json");

  // POST /webhook/telegram as Telegram sends it; no secret header when
  // `secret` is empty.
  HttpResponse PostTelegramUpdate(const nlohmann::json& update,
                                  std::string_view secret);
  HttpResponse PostTelegramBody(std::string_view body, std::string_view secret);
  // POST /webhook/whatsapp with X-Hub-Signature-256 over exactly `body`.
  HttpResponse PostWhatsApp(std::string_view body, std::string_view app_secret);
  // POST /api/chat {"user","text"} (the web chat).
  HttpResponse PostChat(std::string_view user, std::string_view text);

 private:
  httplib::Client client_;
};

}  // namespace sportello::support
