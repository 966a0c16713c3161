// The service's parts wired as in production, in-process, on a temp SQLite
// file and a FakeClock, with no sockets: requests go straight to Routes.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/app/config.h"
#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/domain/catalog.h"
#include "bot/inbound/dispatcher.h"
#include "bot/inbound/ingest.h"
#include "bot/inbound/processor.h"
#include "bot/web/routes.h"
#include "intents/engine.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::testing {

inline constexpr const char* kSecret = "unit-secret";

struct TestBot {
  support::TempDir dir;
  core::FakeClock clock;
  Config config;
  std::unique_ptr<storage::Store> store;
  Catalog catalog;
  std::unique_ptr<intents::Engine> engine;
  ReferenceData data;
  Metrics metrics;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<Processor> processor;
  std::unique_ptr<Ingest> ingest;
  std::unique_ptr<http::Routes> routes;

  // `start_processing` false leaves stored updates pending, as after a crash.
  explicit TestBot(bool start_processing = true) {
    // A file of the test's own, or a schema of its own on the test cluster
    // for the files that run on both engines.
    config.db_path = support::TestDatabaseAt(dir.File("bot.db"));
    config.telegram.token = "123:abc";
    config.telegram.webhook_secret = kSecret;
    config.whatsapp.access_token = "wa-token";
    config.whatsapp.app_secret = "wa-secret";
    config.whatsapp.verify_token = "wa-verify";
    config.whatsapp.phone_number_id = "1000";
    catalog = Catalog::LoadEmbedded().value();
    engine =
        std::move(intents::Engine::Load(intents::DefaultDataDir()).value());
    data = ReferenceData::Load(intents::DefaultDataDir(), catalog).value();
    Wire(start_processing);
  }

  ~TestBot() {
    processor->Stop();
    ingest.reset();
  }

  // A process restart: everything but the database file (and the clock) is
  // dropped and built again, as `sportello serve` starting on the same file.
  void Restart(bool start_processing = true) {
    processor->Stop();
    routes.reset();
    ingest.reset();
    processor.reset();
    dispatcher.reset();
    store.reset();
    Wire(start_processing);
  }

  flows::FlowDeps FlowDeps() const {
    return {catalog, config.centre, config.handoff_timeout_minutes};
  }

  // Opens the store and builds what runs on it.
  void Wire(bool start_processing) {
    store = std::move(storage::Store::Open(config.db_path).value());
    dispatcher = std::make_unique<Dispatcher>(*engine, FlowDeps(), data);
    processor = std::make_unique<Processor>(*store, *dispatcher, clock,
                                            &metrics, [] {});
    ingest = std::make_unique<Ingest>(
        *store, clock, &metrics,
        [this](const auto& stored) { processor->Notify(stored); });
    routes = std::make_unique<http::Routes>(http::RouteDeps{config.Web(),
                                                            FlowDeps(),
                                                            clock,
                                                            *store,
                                                            *ingest,
                                                            *processor,
                                                            metrics,
                                                            catalog,
                                                            data,
                                                            {}});
    if (start_processing) processor->Start();
  }

  http::Response Request(const std::string& method, const std::string& path,
                         const std::string& body = "",
                         std::map<std::string, std::string> headers = {},
                         std::map<std::string, std::string> query = {}) {
    return routes->Handle(http::Request{method, path, std::move(headers),
                                        std::move(query), body});
  }

  // The web chat: sends `text` as `user`, returns the bot's replies.
  nlohmann::json Say(const std::string& user, const std::string& text) {
    auto r = Request("POST", "/api/chat",
                     nlohmann::json{{"user", user}, {"text", text}}.dump());
    return nlohmann::json::parse(r.body)["replies"];
  }

  nlohmann::json Press(const std::string& user, const std::string& button) {
    auto r = Request("POST", "/api/chat",
                     nlohmann::json{{"user", user}, {"button", button}}.dump());
    return nlohmann::json::parse(r.body)["replies"];
  }

  // Consents as `user` would (age 16-29, "Accetto"): flows that store
  // personal data (profile, booking, events) wait for it.
  void GiveConsent(const std::string& user) {
    (void)Press(user, "consent:age:16_29");
    (void)Press(user, "consent:yes");
  }

  int64_t Count(const std::string& sql) {
    auto reader = store->OpenReader().value();
    auto st = reader->Prepare(sql);
    return st.Step() ? st.Int(0) : -1;
  }
};

// The ids of the buttons offered in a list of replies.
inline std::vector<std::string> ButtonIds(const nlohmann::json& replies) {
  std::vector<std::string> ids;
  for (const auto& r : replies) {
    for (const auto& b : r["buttons"]) ids.push_back(b["id"]);
  }
  return ids;
}

}  // namespace sportello::testing
