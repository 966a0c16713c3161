#include "tests/support/http_client.h"

#include "tests/fakes/telegram_updates.h"
#include "tests/fakes/whatsapp_webhooks.h"

namespace sportello::support {
namespace {

HttpResponse FromResult(const httplib::Result& result) {
  HttpResponse response;
  if (!result) {
    response.error = httplib::to_string(result.error());
    return response;
  }
  response.status = result->status;
  response.body = result->body;
  response.headers = result->headers;
  return response;
}

std::string HostOf(const std::string& address) {
  return address.substr(0, address.rfind(':'));
}

int PortOf(const std::string& address) {
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? 80 : std::stoi(address.substr(colon + 1));
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(int port, std::chrono::milliseconds timeout)
    : HttpClient("127.0.0.1:" + std::to_string(port), timeout) {}

HttpClient::HttpClient(const std::string& address,
                       std::chrono::milliseconds timeout)
    : client_(HostOf(address), PortOf(address)) {
  client_.set_connection_timeout(std::chrono::seconds(2));
  client_.set_read_timeout(timeout);
  client_.set_write_timeout(timeout);
  client_.set_keep_alive(true);
  client_.set_tcp_nodelay(true);
}

HttpResponse HttpClient::Get(const std::string& path,
                             const httplib::Headers& headers) {
  return FromResult(client_.Get(path, headers));
}

HttpResponse HttpClient::Post(const std::string& path, std::string_view body,
                              const httplib::Headers& headers,
                              const std::string& content_type) {
  return FromResult(
      client_.Post(path, headers, body.data(), body.size(), content_type));
}

HttpResponse HttpClient::PostTelegramUpdate(const nlohmann::json& update,
                                            std::string_view secret) {
  return PostTelegramBody(update.dump(), secret);
}

HttpResponse HttpClient::PostTelegramBody(std::string_view body,
                                          std::string_view secret) {
  httplib::Headers headers;
  if (!secret.empty())
    headers.emplace(fakes::tg::kSecretHeader, std::string(secret));
  return Post("/webhook/telegram", body, headers);
}

HttpResponse HttpClient::PostWhatsApp(std::string_view body,
                                      std::string_view app_secret) {
  const httplib::Headers headers = {
      {fakes::wa::kSignatureHeader, fakes::wa::Sign(body, app_secret)}};
  return Post("/webhook/whatsapp", body, headers);
}

HttpResponse HttpClient::PostChat(std::string_view user,
                                  std::string_view text) {
  const nlohmann::json body = {{"user", user}, {"text", text}};
  return Post("/api/chat", body.dump());
}

}  // namespace sportello::support
