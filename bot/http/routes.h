// Every HTTP endpoint as a plain function of a request: no sockets here, so
// tests call it directly (bot/http/server.* is the thin httplib glue).
//
//   POST /webhook/telegram   Telegram updates (secret header, then parse)
//   GET  /webhook/whatsapp   Meta's verification handshake
//   POST /webhook/whatsapp   WhatsApp updates (HMAC signature, then parse)
//   GET  /healthz, /metrics  liveness and Prometheus metrics
//   GET  /                   the local web chat page
//   GET  /console            the counsellors' console page
//   POST /api/chat           a web-chat message -> the bot's replies
//   GET  /api/chat?user=     replies waiting for a web-chat user
//   /api/...                 the counsellors' console (bot/http/console_api.h)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bot/catalog.h"
#include "bot/config.h"
#include "bot/core/clock.h"
#include "bot/ingest.h"
#include "bot/metrics.h"
#include "bot/processor.h"
#include "storage/store.h"

namespace sportello::http {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
  std::map<std::string, std::string> query;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Writes one chunk to the client; false once it is gone or the server is
  // stopping. An empty chunk sends nothing and only asks.
  using Writer = std::function<bool(std::string_view chunk)>;
  // Set for a streamed answer (server-sent events) instead of `body`: runs
  // on the connection's thread, writing until `write` returns false.
  std::function<void(const Writer& write)> stream;
};

struct RouteDeps {
  const Config& config;
  const core::Clock& clock;
  storage::Store& store;
  Ingest& ingest;
  Processor& processor;
  Metrics& metrics;
  const Catalog& catalog;
  // Wakes the outbox sender after the console wrote rows; may be empty.
  std::function<void()> outbox_written;
};

class ConsoleApi;

// Body limits: WhatsApp batches up to 3 MB; Telegram sends one update.
inline constexpr size_t kMaxWhatsAppBody = 3 * 1024 * 1024 + 64 * 1024;
inline constexpr size_t kMaxTelegramBody = 2 * 1024 * 1024;
inline constexpr size_t kMaxChatBody = 64 * 1024;

class Routes {
 public:
  explicit Routes(RouteDeps deps);
  ~Routes();
  // Thread-safe.
  Response Handle(const Request& request);

 private:
  Response TelegramWebhook(const Request& r);
  Response WhatsAppVerify(const Request& r);
  Response WhatsAppWebhook(const Request& r);
  Response Health();
  Response WebChatPost(const Request& r);
  Response WebChatPoll(const Request& r);
  Response Page(std::string_view name, std::string_view content_type);
  Response Store(std::vector<core::Update> updates, std::string_view channel);
  Response Reject(int status, std::string_view channel, std::string_view reason,
                  std::string_view detail);

  RouteDeps deps_;
  std::unique_ptr<ConsoleApi> console_;
};

}  // namespace sportello::http
