#include "bot/app/service.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bot/app/configured_centre.h"
#include "bot/app/demo_data.h"
#include "bot/channels/api_client.h"
#include "bot/channels/telegram.h"
#include "bot/core/log.h"
#include "bot/core/mutex.h"
#include "bot/domain/broadcasts.h"
#include "bot/inbound/dispatcher.h"
#include "bot/inbound/housekeeping.h"
#include "bot/inbound/telegram_poller.h"
#include "bot/outbound/broadcast_scheduler.h"
#include "bot/outbound/outbox_sender.h"
#include "bot/web/routes.h"
#include "bot/web/server.h"
#include "intents/engine.h"
#include "storage/change_listener.h"
#include "storage/inbox.h"
#include "storage/outbox.h"
#include "storage/pg_connection.h"
#include "storage/serve_lock.h"

namespace sportello {

// Declared in dependency order: members are destroyed in reverse, so
// the HTTP server stops first and the database closes last.
struct Service::Parts {
  // First member, so released last: after the database has closed.
  std::optional<storage::ServeLock> serve_lock;
  Config config;
  const core::Clock* clock = nullptr;
  std::unique_ptr<storage::Store> store;
  // PostgreSQL: tells this process's console streams of every process's
  // commits (SQLite's store tells them itself).
  std::unique_ptr<storage::ChangeListener> console_news;
  Catalog catalog;
  ReferenceData data;
  std::unique_ptr<intents::Engine> engine;
  Metrics metrics;

  // What the flows read: the catalogue and the centre, never the tokens.
  flows::FlowDeps FlowDeps() const {
    return {catalog, config.centre, config.handoff_timeout_minutes};
  }
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<channels::ChannelSender> telegram_sender;
  std::unique_ptr<channels::ChannelSender> whatsapp_sender;
  std::unique_ptr<channels::TelegramApi> telegram_api;
  // The centres' own bots (TELEGRAM_CENTRE_BOT_TOKENS), with their ids.
  std::vector<std::pair<std::string, std::unique_ptr<channels::TelegramApi>>>
      centre_bot_apis;
  std::unique_ptr<OutboxSender> sender;
  std::unique_ptr<BroadcastScheduler> broadcasts;
  std::unique_ptr<Housekeeper> housekeeper;
  std::unique_ptr<Processor> processor;
  std::unique_ptr<Ingest> ingest;
  std::vector<std::unique_ptr<TelegramPoller>> pollers;
  std::unique_ptr<http::Routes> routes;
  std::unique_ptr<http::Server> server;
  core::Mutex gauge_mu;  // the gauges' reads share one connection
  std::unique_ptr<storage::Database> gauge_db PT_GUARDED_BY(gauge_mu);

  void Stop() {
    if (server) server->Stop();
    for (auto& poller : pollers) poller->RequestStop();
    for (auto& poller : pollers) poller->Stop();
    ingest.reset();  // drains submitted updates
    if (processor) processor->Stop();
    if (broadcasts) broadcasts->Stop();
    if (housekeeper) housekeeper->Stop();
    if (sender) sender->Stop();
  }
};

core::Result<std::unique_ptr<Service>> Service::Start(const Config& config,
                                                      const core::Clock& clock,
                                                      ServiceOptions options) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->clock = &clock;
  // One SQLite file has one server; PostgreSQL serves several processes.
  if (!storage::pg::IsPostgresUri(config.db_path)) {
    auto serve_lock = storage::ServeLock::Acquire(config.db_path);
    if (!serve_lock.ok()) return serve_lock.status();
    p->serve_lock = std::move(*serve_lock);
  }
  auto store = storage::Store::Open(config.db_path);
  if (!store.ok()) return store.status();
  p->store = std::move(*store);
  if (p->store->is_postgres()) {
    p->console_news = storage::ChangeListener::Start(
        config.db_path, p->store->console_changes());
  }
  // A name clash with another centre must not stop the service: centre 1
  // keeps what it had, and the log says why.
  if (auto s = p->store->Write([&](storage::Database& db) -> core::Status {
        auto wrote =
            AdoptConfiguredCentre(db, config.centre, clock.NowMillis());
        if (wrote.ok() && *wrote)
          core::LogInfo("serve", "centre 1 follows the configuration: " +
                                     config.centre.name);
        return wrote.status();
      });
      !s.ok()) {
    core::LogWarn("serve", "centre 1 keeps its stored details: " + s.message());
  }
  if (config.demo) {
    std::string said;
    auto s = p->store->Write([&](storage::Database& db) -> core::Status {
      auto loaded = LoadDemoData(db, config.centre, clock.NowMillis());
      if (!loaded.ok()) return loaded.status();
      said = std::move(*loaded);
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    core::LogInfo("serve", said);
  }
  auto catalog = Catalog::LoadEmbedded();
  if (!catalog.ok()) return catalog.status();
  p->catalog = std::move(*catalog);
  const std::string intents_dir = intents::DefaultDataDir();
  auto engine = intents::Engine::Load(intents_dir);
  if (!engine.ok()) {
    return core::Status::NotFound(
        engine.status().message() +
        " (the intent engine's data: SPORTELLO_INTENTS_DIR names its folder)");
  }
  core::LogInfo("serve", "intent data " + intents_dir);
  p->engine = std::move(*engine);
  auto data = ReferenceData::Load(intents_dir, p->catalog);
  if (!data.ok()) return data.status();
  p->data = std::move(*data);
  p->dispatcher =
      std::make_unique<Dispatcher>(*p->engine, p->FlowDeps(), p->data);

  for (const auto& [on, name, base] :
       {std::tuple{config.telegram.enabled(), "TELEGRAM_API_BASE",
                   config.telegram.api_base},
        std::tuple{config.whatsapp.enabled(), "WHATSAPP_API_BASE",
                   config.whatsapp.api_base}}) {
    if (!on) continue;
    if (auto s = channels::CheckApiBaseUrl(base); !s.ok()) {
      return core::Status::InvalidArgument(std::string("config: ") + name +
                                           ": " + s.message());
    }
  }
  std::map<core::Channel, channels::ChannelSender*> senders;
  SenderOptions sender_options;
  sender_options.threads = config.sender_threads;
  sender_options.whatsapp_fallback_template = config.whatsapp.fallback_template;
  auto quiet = ParseQuietHours(config.quiet_hours);
  if (!quiet.ok()) {
    return core::Status::InvalidArgument("config: SPORTELLO_QUIET_HOURS: " +
                                         quiet.status().message());
  }
  sender_options.quiet_hours = *quiet;
  if (options.channels && config.telegram.enabled()) {
    channels::TelegramApiConfig tg{
        config.telegram.api_base, config.telegram.token, {}};
    p->telegram_api = std::make_unique<channels::TelegramApi>(tg);
    for (const std::string& token : config.telegram.centre_bot_tokens) {
      const std::string id = channels::TelegramBotId(token);
      tg.centre_bots[id] = token;
      p->centre_bot_apis.emplace_back(
          id,
          std::make_unique<channels::TelegramApi>(channels::TelegramApiConfig{
              config.telegram.api_base, token, {}}));
    }
    p->telegram_sender = channels::MakeTelegramSender(tg, &p->metrics);
    senders[core::Channel::kTelegram] = p->telegram_sender.get();
    sender_options.rate_per_sec[core::Channel::kTelegram] =
        config.telegram.rate_per_sec;
  }
  if (options.channels && config.whatsapp.enabled()) {
    p->whatsapp_sender = channels::MakeWhatsAppSender(
        channels::WhatsAppApiConfig{config.whatsapp.api_base,
                                    config.whatsapp.access_token,
                                    config.whatsapp.phone_number_id},
        &p->metrics);
    senders[core::Channel::kWhatsApp] = p->whatsapp_sender.get();
    sender_options.rate_per_sec[core::Channel::kWhatsApp] =
        config.whatsapp.rate_per_sec;
  }
  p->sender = std::make_unique<OutboxSender>(*p->store, clock, &p->metrics,
                                             senders, sender_options);
  OutboxSender* sender = p->sender.get();
  p->processor =
      std::make_unique<Processor>(*p->store, *p->dispatcher, clock, &p->metrics,
                                  [sender] { sender->Wake(); });
  Processor* processor = p->processor.get();
  p->ingest = std::make_unique<Ingest>(
      *p->store, clock, &p->metrics,
      [processor](const std::vector<StoredUpdate>& stored) {
        processor->Notify(stored);
      });

  auto gauge_db = p->store->OpenReader();
  if (!gauge_db.ok()) return gauge_db.status();
  p->gauge_db = std::move(*gauge_db);
  Parts* raw = p.get();
  p->metrics.SetGauge("sportello_outbox_depth",
                      "Outbound messages waiting to be sent.", [raw] {
                        core::MutexLock lock(&raw->gauge_mu);
                        auto n = storage::OutboxDepth(*raw->gauge_db);
                        return n.ok() ? static_cast<double>(*n) : -1.0;
                      });
  p->metrics.SetGauge("sportello_inbox_pending",
                      "Stored updates not processed yet.", [raw] {
                        core::MutexLock lock(&raw->gauge_mu);
                        auto n = storage::CountPendingInbox(*raw->gauge_db);
                        return n.ok() ? static_cast<double>(*n) : -1.0;
                      });

  if (auto s = p->sender->Start(); !s.ok()) return s;
  p->processor->Start();
  p->broadcasts = std::make_unique<BroadcastScheduler>(
      *p->store, clock, [sender] { sender->Wake(); });
  if (auto s = p->broadcasts->Start(); !s.ok()) return s;
  p->housekeeper = std::make_unique<Housekeeper>(*p->store, clock, &p->metrics,
                                                 config.inbox_retention_days);
  p->housekeeper->Start();

  if (p->telegram_api) {
    // The configured bot first, then each centre's own, alike but for the
    // webhook's path and where polled updates say they came from.
    std::vector<std::pair<std::string, channels::TelegramApi*>> bots{
        {"", p->telegram_api.get()}};
    for (auto& [id, api] : p->centre_bot_apis) bots.emplace_back(id, api.get());
    for (auto& [id, api] : bots) {
      const std::string who = id.empty() ? "" : "bot " + id + ": ";
      if (config.telegram.mode == "polling") {
        if (auto s = api->DeleteWebhook(); !s.ok()) {
          core::LogWarn("telegram",
                        who + "deleteWebhook failed: " + s.message());
        }
        p->pollers.push_back(
            std::make_unique<TelegramPoller>(*api, *p->ingest, *p->store, id));
        p->pollers.back()->Start();
      } else if (!config.telegram.webhook_url.empty()) {
        const std::string url =
            id.empty()
                ? config.telegram.webhook_url
                : config.telegram.webhook_url +
                      (config.telegram.webhook_url.ends_with("/") ? "" : "/") +
                      id;
        auto s = api->SetWebhook(url, config.telegram.webhook_secret, 40);
        if (!s.ok())
          return core::Status::Unavailable("telegram: " + who +
                                           "setWebhook failed: " + s.message());
        core::LogInfo("telegram", who + "webhook set");
      }
    }
  }

  if (options.http) {
    p->routes = std::make_unique<http::Routes>(
        http::RouteDeps{p->config.Web(), p->FlowDeps(), clock, *p->store,
                        *p->ingest, *p->processor, p->metrics, p->catalog,
                        p->data, [sender] { sender->Wake(); }});
    auto server = http::Server::Start(config.ListenHost(), config.ListenPort(),
                                      config.http_threads, *p->routes);
    if (!server.ok()) return server.status();
    p->server = std::move(*server);
  }
  return std::unique_ptr<Service>(new Service(std::move(p)));
}

Service::Service(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Service::~Service() { Stop(); }

void Service::Stop() {
  if (parts_) parts_->Stop();
}

int Service::http_port() const {
  return parts_->server ? parts_->server->port() : 0;
}
storage::Store& Service::store() { return *parts_->store; }
Ingest& Service::ingest() { return *parts_->ingest; }
Processor& Service::processor() { return *parts_->processor; }
Metrics& Service::metrics() { return parts_->metrics; }

}  // namespace sportello
