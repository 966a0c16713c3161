// A running `sportello serve` wired to fake Telegram and WhatsApp APIs, for
// end-to-end tests over real HTTP on loopback with a real SQLite file.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "tests/fakes/fake_telegram.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sportello::e2e {

inline constexpr const char* kTelegramSecret = "e2e-secret_TOKEN-1";
inline constexpr const char* kAppSecret = "e2e-app-secret";
inline constexpr const char* kVerifyToken = "e2e-verify";

// Owns the fakes, the database directory and the service process.
struct Bot {
  support::TempDir dir;
  fakes::FakeTelegram telegram;
  fakes::FakeWhatsApp whatsapp;
  int port = support::FreePort();
  std::unique_ptr<support::ServiceProcess> service;
  // More variables for the service (e.g. SPORTELLO_DEMO); they win.
  support::Env extra;

  support::Env Environment() const {
    support::Env env = {
        {"SPORTELLO_DB", dir.File("sportello.db")},
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

  // One integer from the database (opened read-only beside the service).
  int64_t Count(const std::string& sql) const {
    sqlite3* db = nullptr;
    int64_t value = -1;
    if (sqlite3_open_v2(dir.File("sportello.db").c_str(), &db,
                        SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        value = sqlite3_column_int64(st, 0);
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return value;
  }
};

}  // namespace sportello::e2e
