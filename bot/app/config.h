// Configuration: environment variables, optionally completed by a file
// (SPORTELLO_CONFIG=path, KEY=VALUE lines, # comments). The environment wins.
// The variable names are an interface: see README.md.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "bot/channels/config.h"
#include "bot/core/status.h"
#include "bot/domain/centre.h"
#include "bot/web/config.h"

namespace sportello {

struct Config {
  // SPORTELLO_DB: a SQLite file, or a PostgreSQL URI
  // (postgresql://user:password@host:port/dbname), which may carry a
  // password: print DbForLogs() instead.
  std::string db_path = "./sportello.db";
  std::string listen = "127.0.0.1:8080";  // SPORTELLO_LISTEN (host:port)
  bool web_chat = true;  // SPORTELLO_WEB_CHAT=0 turns the public web chat off
  // SPORTELLO_DEMO=1: at start, demo offers, events and appointment slots
  // fill whatever is still empty. Off by default: real people must never be
  // shown invented vacancies.
  bool demo = false;
  int http_threads = 96;  // SPORTELLO_HTTP_THREADS: >= concurrent connections
  // SPORTELLO_SENDER_THREADS: API calls in flight at most. Unset (0 here),
  // LoadConfig derives it from the channels' rates with
  // SenderThreadsFor (bot/outbound/sender_threads.h).
  int sender_threads = 0;
  std::string log_level = "info";  // SPORTELLO_LOG
  // SPORTELLO_SESSION_IDLE_MINUTES: a console session unused this long ends.
  int session_idle_minutes = 30;
  // SPORTELLO_STREAM_POLL_SECONDS: the console's live stream, told of news
  // at each commit, also looks at the database this often regardless.
  int stream_poll_seconds = 5;
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
  // SPORTELLO_PUBLIC_URL: the address browsers use for the console
  // ("https://sportello.example.it"), kept as its origin; "" = the Host of
  // each request. Its scheme decides HSTS and the Secure cookie.
  std::string public_origin;
  channels::TelegramConfig telegram;
  channels::WhatsAppConfig whatsapp;
  CentreConfig centre;

  // "host" and port parsed from listen.
  std::string ListenHost() const;
  // SPORTELLO_DB as logs and messages may show it: without a password.
  std::string DbForLogs() const;
  int ListenPort() const;
  // What the web layer reads: the web chat switch, console sessions, the
  // channels' webhook credentials.
  http::WebConfig Web() const;
};

using Getenv = std::function<const char*(const char*)>;

// Reads the configuration. InvalidArgument for values that cannot work (a
// bad listen address, an unknown TELEGRAM_MODE, an unreadable config file).
core::Result<Config> LoadConfig(const Getenv& getenv);
core::Result<Config> LoadConfigFromEnvironment();

// SPORTELLO_DB alone (from the environment, else SPORTELLO_CONFIG's file,
// else the default), for the commands that only touch the database
// (migrate, db copy): a SQLite path or a PostgreSQL URI, whichever engine
// `serve` accepts. InvalidArgument for an unreadable config file.
core::Result<std::string> DatabaseFromEnvironment();

// One line per channel for the start-up log: which are on, and why one is
// off. Never contains a secret.
std::string DescribeChannels(const Config& config);

}  // namespace sportello
