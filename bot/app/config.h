// Configuration: environment variables, optionally completed by a file
// (SPORTELLO_CONFIG=path, KEY=VALUE lines, # comments). The environment wins.
// The variable names are an interface: see README.md.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "bot/core/status.h"

namespace sportello {

struct TelegramConfig {
  std::string token;           // TELEGRAM_BOT_TOKEN; empty = channel off
  std::string webhook_secret;  // TELEGRAM_WEBHOOK_SECRET
  std::string api_base = "https://api.telegram.org";  // TELEGRAM_API_BASE
  std::string mode = "webhook";  // TELEGRAM_MODE: webhook | polling
  std::string webhook_url;       // TELEGRAM_WEBHOOK_URL
  double rate_per_sec = 25;      // TELEGRAM_RATE_PER_SEC
  bool enabled() const { return !token.empty(); }
};

struct WhatsAppConfig {
  std::string access_token;     // WHATSAPP_ACCESS_TOKEN
  std::string app_secret;       // WHATSAPP_APP_SECRET
  std::string verify_token;     // WHATSAPP_VERIFY_TOKEN
  std::string phone_number_id;  // WHATSAPP_PHONE_NUMBER_ID
  std::string api_base =
      "https://graph.facebook.com/v21.0";  // WHATSAPP_API_BASE
  double rate_per_sec = 70;                // WHATSAPP_RATE_PER_SEC
  // WHATSAPP_FALLBACK_TEMPLATE: see SenderOptions::whatsapp_fallback_template.
  std::string fallback_template;
  // Without the app secret we could not authenticate deliveries, without the
  // token and number we could not answer. The verify token is only needed
  // for Meta's verification handshake.
  bool enabled() const {
    return !access_token.empty() && !app_secret.empty() &&
           !phone_number_id.empty();
  }
};

// What the bot tells people about the centre (Info).
struct CentreConfig {
  std::string name = "Porta Futuro";  // SPORTELLO_CENTRE_NAME
  std::string address =
      "Via Giulio Petroni 15/F, 70124 Bari";  // SPORTELLO_CENTRE_ADDRESS
  std::string hours =
      "lun-ven 9:00-13:00, mar e gio 15:00-17:30";  // SPORTELLO_CENTRE_HOURS
  std::string contacts =
      "080 000 0000 · info@example.org";  // SPORTELLO_CENTRE_CONTACTS
  // SPORTELLO_OPENING_HOURS: when counsellors answer, as bot/domain/opening_hours.h
  // reads it; `hours` above is the same told to people.
  std::string opening_hours = "1-5 09:00-13:00; 2,4 15:00-17:30";
};

struct Config {
  std::string db_path = "./sportello.db";  // SPORTELLO_DB
  std::string listen = "127.0.0.1:8080";   // SPORTELLO_LISTEN (host:port)
  bool web_chat = true;  // SPORTELLO_WEB_CHAT=0 turns the public web chat off
  // SPORTELLO_DEMO=1: at start, demo offers, events and appointment slots
  // fill whatever is still empty. Off by default: real people must never be
  // shown invented vacancies.
  bool demo = false;
  int http_threads = 96;   // SPORTELLO_HTTP_THREADS: >= concurrent connections
  int sender_threads = 8;  // SPORTELLO_SENDER_THREADS
  std::string log_level = "info";  // SPORTELLO_LOG
  // SPORTELLO_SESSION_IDLE_MINUTES: a console session unused this long ends.
  int session_idle_minutes = 30;
  // SPORTELLO_HANDOFF_TIMEOUT_MINUTES: a person waiting this long (asked
  // while the centre is open) is told so and offered a booking; 0 = never.
  int handoff_timeout_minutes = 20;
  // SPORTELLO_QUIET_HOURS: when notices are held, as bot/domain/quiet_hours.h
  // reads it ("off" or empty: never).
  std::string quiet_hours = "21:00-08:00";
  // SPORTELLO_INBOX_RETENTION_DAYS: processed updates as received (raw
  // JSON, dedupe keys) are deleted this long after; 0 = kept for ever. At
  // least 8: WhatsApp redelivers for 7 days, and a pruned key would let a
  // late redelivery in twice. The conversation history is not affected.
  int inbox_retention_days = 30;
  TelegramConfig telegram;
  WhatsAppConfig whatsapp;
  CentreConfig centre;

  // "host" and port parsed from listen.
  std::string ListenHost() const;
  int ListenPort() const;
};

using Getenv = std::function<const char*(const char*)>;

// Reads the configuration. InvalidArgument for values that cannot work (a
// bad listen address, an unknown TELEGRAM_MODE, an unreadable config file).
core::Result<Config> LoadConfig(const Getenv& getenv);
core::Result<Config> LoadConfigFromEnvironment();

// One line per channel for the start-up log: which are on, and why one is
// off. Never contains a secret.
std::string DescribeChannels(const Config& config);

}  // namespace sportello
