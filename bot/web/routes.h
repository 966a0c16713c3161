// Every HTTP endpoint as a plain function of a request: no sockets here, so
// tests call it directly (bot/web/server.* is the thin libmicrohttpd glue).
//
//   POST /webhook/telegram   Telegram updates (secret header, then parse)
//   POST /webhook/telegram/<bot id>   a centre's own bot's (the same checks)
//   GET  /webhook/whatsapp   Meta's verification handshake
//   POST /webhook/whatsapp   WhatsApp updates (HMAC signature, then parse)
//   GET  /healthz, /metrics  liveness and Prometheus metrics
//   GET  /                   the local web chat page
//   GET  /console            the counsellors' console page
//   POST /api/chat           a web-chat message -> the bot's replies
//   GET  /api/chat?user=     replies waiting for a web-chat user
//   /api/...                 the counsellors' console (bot/web/console_api.h)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/domain/catalog.h"
#include "bot/domain/reference_data.h"
#include "bot/flows/flow.h"
#include "bot/inbound/ingest.h"
#include "bot/inbound/processor.h"
#include "bot/web/config.h"
#include "bot/web/handler.h"
#include "storage/store.h"

namespace sportello::http {

struct RouteDeps {
  WebConfig config;
  // What the console's bot messages (the menu on hand-back) need.
  flows::FlowDeps flows;
  const core::Clock& clock;
  storage::Store& store;
  Ingest& ingest;
  Processor& processor;
  Metrics& metrics;
  const Catalog& catalog;
  const ReferenceData& data;
  // Wakes the outbox sender after the console wrote rows; may be empty.
  std::function<void()> outbox_written;
};

class ConsoleApi;

// Body limits: WhatsApp batches up to 3 MB; Telegram sends one update.
inline constexpr size_t kMaxWhatsAppBody = kMaxRequestBody;
inline constexpr size_t kMaxTelegramBody = 2 * 1024 * 1024;
inline constexpr size_t kMaxChatBody = 64 * 1024;

class Routes : public Handler {
 public:
  explicit Routes(RouteDeps deps);
  ~Routes() override;

  // The webhook posts, answered without any thread waiting for the disk:
  // checked and parsed on the calling thread (it must not block, so the
  // server calls this on its event loop), then answered by the ingest
  // writer once committed, or at once when refused. Returns false, leaving
  // `reply` unused, for every other request: those go to Handle.
  // Thread-safe.
  bool TryHandleAsync(const Request& request, Reply& reply) override;

  // Any request, answered on the calling thread, which may wait (for the
  // database, for the bot's answer to a web-chat message), with the
  // browser headers (bot/web/browser_headers.h). Thread-safe.
  Response Handle(const Request& request) override;

 private:
  Response Dispatch(const Request& r);
  // `bot_id` empty: the configured bot; else a centre's own bot.
  void TelegramWebhook(const Request& r, std::string_view bot_id, Reply reply);
  Response WhatsAppVerify(const Request& r);
  void WhatsAppWebhook(const Request& r, Reply reply);
  Response Health();
  Response WebChatPost(const Request& r);
  Response WebChatPoll(const Request& r);
  Response Page(std::string_view name, std::string_view content_type);
  // GET /assets/NAME: an embedded .js or .css file; 404 for anything else.
  Response Asset(std::string_view name);
  void Store(std::vector<core::Update> updates, std::string_view channel,
             Reply reply);
  Response Reject(int status, std::string_view channel, std::string_view reason,
                  std::string_view detail);

  RouteDeps deps_;
  std::unique_ptr<ConsoleApi> console_;
};

}  // namespace sportello::http
