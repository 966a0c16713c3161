// A running `sportello serve` wired to fake Telegram and WhatsApp APIs, for
// end-to-end tests over real HTTP on loopback with a real database: a SQLite
// file, or a PostgreSQL schema when the suite runs on PostgreSQL
// (tests/support/test_database.h).
#pragma once

#include <memory>
#include <string>

#include "storage/database.h"
#include "tests/fakes/fake_telegram.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::e2e {

inline constexpr const char* kTelegramSecret = "e2e-secret_TOKEN-1";
inline constexpr const char* kAppSecret = "e2e-app-secret";
inline constexpr const char* kVerifyToken = "e2e-verify";
// Another number of the same WhatsApp business: the fake accepts sends
// from it, for a centre to have as its own.
inline constexpr const char* kCentreNumber = "109876543299";

// Owns the fakes, the database directory and the service process.
struct Bot {
  support::TempDir dir;
  fakes::FakeTelegram telegram;
  fakes::FakeWhatsApp whatsapp{
      fakes::FakeWhatsApp::Options{.other_numbers = {kCentreNumber}}};
  int port = support::FreePort();
  std::unique_ptr<support::ServiceProcess> service;
  // More variables for the service (e.g. SPORTELLO_DEMO); they win.
  support::Env extra;

  support::Env Environment() const {
    support::Env env = {
        {"SPORTELLO_DB", Database()},
        {"SPORTELLO_LISTEN", support::LoopbackAddress(port)},
        // Notices must not depend on the hour the suite runs at.
        {"SPORTELLO_QUIET_HOURS", "off"},
        {"TELEGRAM_BOT_TOKEN", telegram.token()},
        {"TELEGRAM_WEBHOOK_SECRET", kTelegramSecret},
        {"TELEGRAM_API_BASE", telegram.base_url()},
        {"WHATSAPP_ACCESS_TOKEN", whatsapp.access_token()},
        {"WHATSAPP_APP_SECRET", kAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", kVerifyToken},
        {"WHATSAPP_PHONE_NUMBER_ID", whatsapp.phone_number_id()},
        {"WHATSAPP_API_BASE", whatsapp.base_url()}};
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }

  // Starts (or restarts) the service on the same database and port.
  bool Start() {
    service = std::make_unique<support::ServiceProcess>(
        std::vector<std::string>{"serve"}, Environment(),
        dir.File("service.log"));
    return service->WaitHealthy();
  }

  support::HttpClient Http() const { return support::HttpClient(port); }
  std::string Log() const { return service ? service->LogText() : ""; }

  // The service's SPORTELLO_DB: the engine under test's, unless `extra`
  // names one.
  std::string Database() const {
    if (auto it = extra.find("SPORTELLO_DB"); it != extra.end())
      return it->second;
    return support::TestDatabaseAt(dir.File("sportello.db"));
  }

  // One integer from the database (opened read-only beside the service);
  // -1 if the query fails.
  int64_t Count(const std::string& sql) const {
    storage::OpenOptions options;
    options.read_only = true;
    auto db = storage::Database::Open(Database(), options);
    if (!db.ok()) return -1;
    storage::Statement st = (*db)->Prepare(sql);
    return st.Step() ? st.Int(0) : -1;
  }
};

}  // namespace sportello::e2e
