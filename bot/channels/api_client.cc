#include "bot/channels/api_client.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <utility>

#include "bot/channels/json_access.h"
#include "bot/channels/json_guard.h"
#include "bot/channels/telegram.h"
#include "bot/core/log.h"
#include "bot/core/mutex.h"

namespace sportello::channels {
namespace {

using Json = nlohmann::json;
using Kind = SendOutcome::Kind;

constexpr time_t kConnectTimeoutS = 5;
constexpr time_t kReadTimeoutS = 30;
// Idle clients kept per origin: as many as calls may run at once, so every
// keep-alive connection is reused rather than closed and opened again.
constexpr size_t kMaxIdleClients = 4096;
// getUpdates may return 100 updates of up to 16 KiB of text each and more.
constexpr size_t kMaxPolledBytes = size_t{64} << 20;
constexpr std::string_view kAllowedUpdates[] = {
    "message", "edited_message", "callback_query", "my_chat_member"};

// "https://graph.facebook.com/v21.0" -> origin "https://graph.facebook.com",
// prefix "/v21.0" (no trailing slash).
struct Endpoint {
  std::string origin;
  std::string prefix;
};

core::Result<Endpoint> ParseBaseUrl(std::string_view url) {
  size_t host_start = 0;
  if (url.starts_with("https://")) {
    host_start = 8;
  } else if (url.starts_with("http://")) {
    host_start = 7;
  } else {
    return core::Status::InvalidArgument(
        "api base URL must start with http:// or https://");
  }
  const size_t slash = url.find('/', host_start);
  Endpoint endpoint{std::string(url.substr(0, slash)), ""};
  if (slash != std::string_view::npos) endpoint.prefix = url.substr(slash);
  while (!endpoint.prefix.empty() && endpoint.prefix.back() == '/')
    endpoint.prefix.pop_back();
  if (endpoint.origin.size() == host_start) {
    return core::Status::InvalidArgument("api base URL has no host");
  }
  if (endpoint.origin.find_first_of("?# ") != std::string::npos ||
      endpoint.prefix.find_first_of("?# ") != std::string::npos) {
    return core::Status::InvalidArgument(
        "api base URL may not hold a query, fragment or space");
  }
  return endpoint;
}

struct HttpReply {
  int status = 0;  // 0: no response
  std::string body;
  std::string error;  // why there was no response; never holds the URL
};

// Idle HTTP clients to one origin. httplib::Client is not safe to share
// between threads, so each request borrows one for itself; giving it back
// keeps its keep-alive connection for the next request. Every connection
// has TCP_NODELAY: httplib writes a request's headers and its body with two
// send() calls, and with Nagle's algorithm the body would wait for the
// server's delayed ACK (~40 ms a call).
class ClientPool {
 public:
  // `channel` labels the connections counted in `metrics` (may be null).
  ClientPool(std::string origin, std::string channel = "",
             Metrics* metrics = nullptr)
      : origin_(std::move(origin)),
        channel_(std::move(channel)),
        metrics_(metrics) {}

  // TCP connections opened so far.
  int64_t connections_opened() const {
    return connections_.load(std::memory_order_relaxed);
  }

  HttpReply Post(const std::string& path, const httplib::Headers& headers,
                 const std::string& body, time_t read_timeout_s) {
    std::unique_ptr<httplib::Client> client = Acquire();
    if (client == nullptr) return {0, "", "cannot create an HTTP client"};
    client->set_read_timeout(read_timeout_s, 0);
    httplib::Result res = client->Post(path, headers, body, "application/json");
    if (!res)
      return {0, "", httplib::to_string(res.error())};  // drop a broken client
    HttpReply reply{res->status, std::move(res->body), ""};
    Release(std::move(client));
    return reply;
  }

 private:
  std::unique_ptr<httplib::Client> Acquire() {
    {
      core::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        std::unique_ptr<httplib::Client> client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    try {  // httplib throws on a scheme it doesn't know; ParseBaseUrl vets it
      auto client = std::make_unique<httplib::Client>(origin_);
      if (!client->is_valid()) return nullptr;
      client->set_connection_timeout(kConnectTimeoutS, 0);
      client->set_keep_alive(true);
      client->set_tcp_nodelay(true);
      // Called for each new socket: counts the connections, so reuse shows.
      client->set_socket_options([this](socket_t sock) {
        const int on = 1;
        ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        connections_.fetch_add(1, std::memory_order_relaxed);
        if (metrics_ != nullptr) {
          metrics_->Inc("sportello_api_connections_opened_total",
                        {{"channel", channel_}});
        }
      });
      return client;
    } catch (const std::exception&) {
      return nullptr;
    }
  }

  void Release(std::unique_ptr<httplib::Client> client) {
    core::MutexLock lock(&mu_);
    if (idle_.size() < kMaxIdleClients) idle_.push_back(std::move(client));
  }

  const std::string origin_;
  const std::string channel_;
  Metrics* const metrics_;
  std::atomic<int64_t> connections_{0};
  core::Mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_ GUARDED_BY(mu_);
};

SendOutcome NoCall(std::string error) {
  SendOutcome out;
  out.kind = Kind::kRetry;
  out.error = std::move(error);
  return out;
}

class TelegramSender final : public ChannelSender {
 public:
  TelegramSender(const TelegramApiConfig& config, Metrics* metrics)
      : endpoint_(ParseBaseUrl(config.base_url)),
        token_(config.token),
        centre_bots_(config.centre_bots) {
    if (!endpoint_.ok())
      core::LogError("telegram", "sender: " + endpoint_.status().message());
    if (endpoint_.ok()) {
      pool_ =
          std::make_unique<ClientPool>(endpoint_->origin, "telegram", metrics);
    }
  }

  int64_t ConnectionsOpened() const override {
    return pool_ ? pool_->connections_opened() : 0;
  }

  SendOutcome Send(const core::OutboundMessage& msg) override {
    if (!endpoint_.ok())
      return NoCall("telegram: " + endpoint_.status().message());
    // A centre's own bot answers the people who wrote to it.
    const std::string* token = &token_;
    if (!msg.account.empty()) {
      auto bot = centre_bots_.find(msg.account);
      if (bot == centre_bots_.end()) {
        SendOutcome out;
        out.kind = Kind::kPermanent;
        out.error = "telegram: no token for bot " + msg.account +
                    " (TELEGRAM_CENTRE_BOT_TOKENS)";
        return out;
      }
      token = &bot->second;
    }
    const ApiCall call = RenderTelegram(msg);
    const HttpReply reply =
        pool_->Post(endpoint_->prefix + "/bot" + *token + "/" + call.method, {},
                    call.body, kReadTimeoutS);
    SendOutcome out = InterpretTelegram(reply.status, reply.body);
    if (reply.status == 0)
      out.error =
          "telegram " + call.method + ": no response (" + reply.error + ")";
    return out;
  }

 private:
  const core::Result<Endpoint> endpoint_;
  const std::string token_;
  const std::map<std::string, std::string> centre_bots_;
  std::unique_ptr<ClientPool> pool_;
};

class WhatsAppSender final : public ChannelSender {
 public:
  WhatsAppSender(const WhatsAppApiConfig& config, Metrics* metrics)
      : endpoint_(ParseBaseUrl(config.base_url)),
        headers_{{"Authorization", "Bearer " + config.access_token}},
        phone_number_id_(config.phone_number_id) {
    if (!endpoint_.ok())
      core::LogError("whatsapp", "sender: " + endpoint_.status().message());
    if (endpoint_.ok()) {
      pool_ =
          std::make_unique<ClientPool>(endpoint_->origin, "whatsapp", metrics);
    }
  }

  int64_t ConnectionsOpened() const override {
    return pool_ ? pool_->connections_opened() : 0;
  }

  SendOutcome Send(const core::OutboundMessage& msg) override {
    const ApiCall call = RenderWhatsApp(msg);
    if (call.method.empty()) {
      SendOutcome out;
      out.kind = Kind::kOk;
      return out;
    }
    if (!endpoint_.ok())
      return NoCall("whatsapp: " + endpoint_.status().message());
    // A centre's own number of the same app, or the configured one.
    const std::string& from =
        msg.account.empty() ? phone_number_id_ : msg.account;
    const HttpReply reply =
        pool_->Post(endpoint_->prefix + "/" + from + "/messages", headers_,
                    call.body, kReadTimeoutS);
    SendOutcome out = InterpretWhatsApp(reply.status, reply.body);
    if (reply.status == 0)
      out.error = "whatsapp messages: no response (" + reply.error + ")";
    return out;
  }

 private:
  const core::Result<Endpoint> endpoint_;
  const httplib::Headers headers_;
  const std::string phone_number_id_;
  std::unique_ptr<ClientPool> pool_;
};

}  // namespace

core::Status CheckApiBaseUrl(std::string_view base_url) {
  return ParseBaseUrl(base_url).status();
}

std::unique_ptr<ChannelSender> MakeTelegramSender(
    const TelegramApiConfig& config, Metrics* metrics) {
  return std::make_unique<TelegramSender>(config, metrics);
}

std::unique_ptr<ChannelSender> MakeWhatsAppSender(
    const WhatsAppApiConfig& config, Metrics* metrics) {
  return std::make_unique<WhatsAppSender>(config, metrics);
}

struct TelegramApi::Impl {
  explicit Impl(TelegramApiConfig c)
      : config(std::move(c)), endpoint(ParseBaseUrl(config.base_url)) {
    if (endpoint.ok()) pool = std::make_unique<ClientPool>(endpoint->origin);
  }

  // One Bot API call; its "result" on success.
  core::Result<Json> Call(const std::string& method, const Json& params,
                          time_t read_timeout_s,
                          size_t max_reply_bytes = kMaxJsonBytes) {
    if (!endpoint.ok())
      return core::Status::InvalidArgument("telegram: " +
                                           endpoint.status().message());
    const HttpReply reply =
        pool->Post(endpoint->prefix + "/bot" + config.token + "/" + method, {},
                   json_access::Dump(params), read_timeout_s);
    const std::string what = "telegram " + method + ": ";
    if (reply.status == 0)
      return core::Status::Unavailable(what + "no response (" + reply.error +
                                       ")");
    auto doc = ParseJsonObject(reply.body, kMaxJsonDepth, max_reply_bytes);
    const Json* ok = doc.ok() ? json_access::Find(*doc, "ok") : nullptr;
    if (ok != nullptr && ok->is_boolean() && ok->get<bool>() &&
        reply.status / 100 == 2) {
      const Json* result = json_access::Find(*doc, "result");
      return result ? *result : Json();
    }
    std::string description =
        doc.ok() ? json_access::OptionalString(*doc, "description") : "";
    if (description.empty())
      description = doc.ok() ? "refused" : "unreadable answer";
    const std::string message =
        what + "HTTP " + std::to_string(reply.status) + " " + description;
    if (reply.status == 429 || reply.status >= 500)
      return core::Status::Unavailable(message);
    return core::Status::InvalidArgument(message);
  }

  const TelegramApiConfig config;
  const core::Result<Endpoint> endpoint;
  std::unique_ptr<ClientPool> pool;  // null when the base URL is bad
};

TelegramApi::TelegramApi(TelegramApiConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

TelegramApi::~TelegramApi() = default;

core::Status TelegramApi::SetWebhook(const std::string& url,
                                     const std::string& secret,
                                     int max_connections) {
  Json params = {{"url", url},
                 {"allowed_updates", Json::array()},
                 {"max_connections", max_connections}};
  for (const std::string_view kind : kAllowedUpdates)
    params["allowed_updates"].push_back(kind);
  if (!secret.empty()) params["secret_token"] = secret;
  return impl_->Call("setWebhook", params, kReadTimeoutS).status();
}

core::Status TelegramApi::DeleteWebhook() {
  return impl_
      ->Call("deleteWebhook", {{"drop_pending_updates", false}}, kReadTimeoutS)
      .status();
}

core::Result<std::vector<TelegramApi::Polled>> TelegramApi::GetUpdates(
    int64_t offset, int timeout_s) {
  Json params = {{"offset", offset},
                 {"timeout", timeout_s},
                 {"allowed_updates", Json::array()}};
  for (const std::string_view kind : kAllowedUpdates)
    params["allowed_updates"].push_back(kind);
  auto result =
      impl_->Call("getUpdates", params, static_cast<time_t>(timeout_s) + 10,
                  kMaxPolledBytes);
  if (!result.ok()) return result.status();
  if (!result->is_array()) {
    return core::Status::InvalidArgument(
        "telegram getUpdates: result is not an array");
  }
  std::vector<Polled> polled;
  polled.reserve(result->size());
  for (const Json& element : *result) {
    const Json* id = json_access::Find(element, "update_id");
    const auto update_id = id ? json_access::AsInt64(*id) : std::nullopt;
    polled.push_back({update_id.value_or(0), ParseTelegramUpdateJson(element)});
  }
  return polled;
}

}  // namespace sportello::channels
