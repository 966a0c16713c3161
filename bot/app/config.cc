#include "bot/app/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

#include "bot/channels/telegram.h"
#include "bot/core/numbers.h"
#include "bot/domain/holidays.h"
#include "bot/domain/opening_hours.h"
#include "bot/domain/quiet_hours.h"
#include "bot/outbound/sender_threads.h"
#include "bot/web/origin.h"
#include "storage/pg_connection.h"

namespace sportello {
namespace {

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

core::Result<std::map<std::string, std::string>> ReadConfigFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::Status::InvalidArgument("config: cannot read " + path);
  std::map<std::string, std::string> values;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      return core::Status::InvalidArgument("config: " + path + ":" +
                                           std::to_string(number) +
                                           ": expected KEY=VALUE");
    }
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values[Trim(line.substr(0, eq))] = value;
  }
  return values;
}

constexpr int64_t kIntMin = std::numeric_limits<int>::min();
constexpr int64_t kIntMax = std::numeric_limits<int>::max();

// A whole-number variable: empty keeps the default, anything else must be in
// [min, max], or 0 where `zero` says what 0 means.
struct IntSetting {
  const char* name;
  const std::string& text;
  int* out;
  int min;
  int max;
  const char* zero = nullptr;
};

core::Status ReadInt(const IntSetting& s) {
  if (s.text.empty()) return core::Status::Ok();
  const auto v = core::ParseInt(s.text, kIntMin, kIntMax);
  if (v && ((*v >= s.min && *v <= s.max) || (*v == 0 && s.zero != nullptr))) {
    *s.out = static_cast<int>(*v);
    return core::Status::Ok();
  }
  std::string message = std::string("config: ") + s.name + " must be ";
  if (s.zero) message += std::string("0 (") + s.zero + ") or ";
  return core::Status::InvalidArgument(message + "a number from " +
                                       std::to_string(s.min) + " to " +
                                       std::to_string(s.max));
}

// TELEGRAM_CENTRE_BOT_TOKENS into `tg`. Errors name a token by its place
// in the list and its bot id, never by the token itself.
core::Status ReadCentreBots(std::string_view list,
                            channels::TelegramConfig* tg) {
  std::set<std::string> ids;
  if (tg->enabled()) ids.insert(channels::TelegramBotId(tg->token));
  int place = 0;
  size_t at = 0;
  while (at <= list.size() && !list.empty()) {
    const size_t comma = std::min(list.find(',', at), list.size());
    std::string token(list.substr(at, comma - at));
    at = comma + 1;
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    if (token.empty()) continue;
    ++place;
    if (!tg->enabled()) {
      return core::Status::InvalidArgument(
          "config: TELEGRAM_CENTRE_BOT_TOKENS needs TELEGRAM_BOT_TOKEN, the "
          "region's own bot");
    }
    const std::string id = channels::TelegramBotId(token);
    if (id.empty()) {
      return core::Status::InvalidArgument(
          "config: TELEGRAM_CENTRE_BOT_TOKENS: token " + std::to_string(place) +
          " is not a bot token (<bot id>:<secret>)");
    }
    if (!ids.insert(id).second) {
      return core::Status::InvalidArgument(
          "config: TELEGRAM_CENTRE_BOT_TOKENS: bot " + id +
          " is there twice, or is TELEGRAM_BOT_TOKEN's");
    }
    tg->centre_bot_tokens.push_back(std::move(token));
  }
  return core::Status::Ok();
}

}  // namespace

http::WebConfig Config::Web() const {
  http::WebConfig web{web_chat, session_idle_minutes, telegram, whatsapp,
                      public_origin};
  web.stream_poll_seconds = stream_poll_seconds;
  return web;
}

std::string Config::DbForLogs() const {
  return storage::pg::IsPostgresUri(db_path) ? storage::pg::RedactUri(db_path)
                                             : db_path;
}

std::string Config::ListenHost() const {
  const auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

int Config::ListenPort() const {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return -1;
  const auto port = core::ParseInt(listen.substr(colon + 1), kIntMin, kIntMax);
  return port ? static_cast<int>(*port) : -1;
}

core::Result<Config> LoadConfig(const Getenv& getenv) {
  std::map<std::string, std::string> file;
  if (const char* path = getenv("SPORTELLO_CONFIG"); path && *path) {
    auto read = ReadConfigFile(path);
    if (!read.ok()) return read.status();
    file = std::move(*read);
  }
  auto get = [&](const char* key, std::string* out) {
    if (const char* v = getenv(key)) {
      *out = v;
    } else if (auto it = file.find(key); it != file.end()) {
      *out = it->second;
    }
  };
  Config c;
  get("SPORTELLO_DB", &c.db_path);
  get("SPORTELLO_LISTEN", &c.listen);
  get("SPORTELLO_LOG", &c.log_level);
  std::string web_chat = "1", http_threads, sender_threads, tg_rate, wa_rate;
  get("SPORTELLO_WEB_CHAT", &web_chat);
  c.web_chat = !(web_chat == "0" || web_chat == "false" || web_chat == "off");
  std::string demo = "0";
  get("SPORTELLO_DEMO", &demo);
  c.demo = demo == "1" || demo == "true" || demo == "on";
  get("SPORTELLO_HTTP_THREADS", &http_threads);
  get("SPORTELLO_SENDER_THREADS", &sender_threads);
  std::string idle_minutes, handoff_timeout, retention_days, stream_poll;
  get("SPORTELLO_SESSION_IDLE_MINUTES", &idle_minutes);
  get("SPORTELLO_STREAM_POLL_SECONDS", &stream_poll);
  get("SPORTELLO_INBOX_RETENTION_DAYS", &retention_days);
  get("SPORTELLO_HANDOFF_TIMEOUT_MINUTES", &handoff_timeout);
  get("SPORTELLO_OPENING_HOURS", &c.centre.opening_hours);
  get("SPORTELLO_CLOSURES", &c.centre.closures);
  get("SPORTELLO_QUIET_HOURS", &c.quiet_hours);
  get("TELEGRAM_BOT_TOKEN", &c.telegram.token);
  get("TELEGRAM_WEBHOOK_SECRET", &c.telegram.webhook_secret);
  get("TELEGRAM_API_BASE", &c.telegram.api_base);
  get("TELEGRAM_MODE", &c.telegram.mode);
  get("TELEGRAM_WEBHOOK_URL", &c.telegram.webhook_url);
  get("TELEGRAM_RATE_PER_SEC", &tg_rate);
  std::string centre_bots;
  get("TELEGRAM_CENTRE_BOT_TOKENS", &centre_bots);
  get("WHATSAPP_ACCESS_TOKEN", &c.whatsapp.access_token);
  get("WHATSAPP_APP_SECRET", &c.whatsapp.app_secret);
  get("WHATSAPP_VERIFY_TOKEN", &c.whatsapp.verify_token);
  get("WHATSAPP_PHONE_NUMBER_ID", &c.whatsapp.phone_number_id);
  get("WHATSAPP_API_BASE", &c.whatsapp.api_base);
  get("WHATSAPP_RATE_PER_SEC", &wa_rate);
  get("WHATSAPP_FALLBACK_TEMPLATE", &c.whatsapp.fallback_template);
  get("SPORTELLO_CENTRE_NAME", &c.centre.name);
  get("SPORTELLO_CENTRE_ADDRESS", &c.centre.address);
  get("SPORTELLO_CENTRE_HOURS", &c.centre.hours);
  get("SPORTELLO_CENTRE_CONTACTS", &c.centre.contacts);
  std::string public_url;
  get("SPORTELLO_PUBLIC_URL", &public_url);
  if (!public_url.empty()) {
    auto origin = http::NormalizeOrigin(public_url);
    if (!origin) {
      return core::Status::InvalidArgument(
          "config: SPORTELLO_PUBLIC_URL must be http(s)://host[:port], got '" +
          public_url + "'");
    }
    c.public_origin = *origin;
  }

  const int port = c.ListenPort();
  if (port < 0 || port > 65535 || c.ListenHost().empty()) {
    return core::Status::InvalidArgument(
        "config: SPORTELLO_LISTEN must be host:port, got '" + c.listen + "'");
  }
  if (c.telegram.mode != "webhook" && c.telegram.mode != "polling") {
    return core::Status::InvalidArgument(
        "config: TELEGRAM_MODE must be webhook or polling, got '" +
        c.telegram.mode + "'");
  }
  const IntSetting ints[] = {
      {"SPORTELLO_HTTP_THREADS", http_threads, &c.http_threads, 1, 1024},
      {"SPORTELLO_SENDER_THREADS", sender_threads, &c.sender_threads, 1, 1024},
      {"SPORTELLO_SESSION_IDLE_MINUTES", idle_minutes, &c.session_idle_minutes,
       1, 24 * 60},
      {"SPORTELLO_STREAM_POLL_SECONDS", stream_poll, &c.stream_poll_seconds, 1,
       24 * 3600},
      {"SPORTELLO_HANDOFF_TIMEOUT_MINUTES", handoff_timeout,
       &c.handoff_timeout_minutes, 0, 24 * 60},
      {"SPORTELLO_INBOX_RETENTION_DAYS", retention_days,
       &c.inbox_retention_days, 8, 3650, "keep"},
  };
  for (const IntSetting& setting : ints) {
    if (auto s = ReadInt(setting); !s.ok()) return s;
  }
  if (auto hours = ParseOpeningHours(c.centre.opening_hours); !hours.ok()) {
    return core::Status::InvalidArgument("config: SPORTELLO_OPENING_HOURS: " +
                                         hours.status().message());
  }
  if (auto closed = ClosedDays::Parse(c.centre.closures); !closed.ok()) {
    return core::Status::InvalidArgument("config: SPORTELLO_CLOSURES: " +
                                         closed.status().message());
  }
  if (auto quiet = ParseQuietHours(c.quiet_hours); !quiet.ok()) {
    return core::Status::InvalidArgument("config: SPORTELLO_QUIET_HOURS: " +
                                         quiet.status().message());
  }
  for (auto [name, text, out] :
       {std::tuple{"TELEGRAM_RATE_PER_SEC", &tg_rate, &c.telegram.rate_per_sec},
        std::tuple{"WHATSAPP_RATE_PER_SEC", &wa_rate,
                   &c.whatsapp.rate_per_sec}}) {
    if (text->empty()) continue;
    const std::optional<double> v = core::ParseDouble(*text);
    if (!v || !(*v > 0) || *v > 1000) {
      return core::Status::InvalidArgument(
          std::string("config: ") + name +
          " must be a number above 0 and at most 1000");
    }
    *out = *v;
  }
  if (c.sender_threads == 0) {
    c.sender_threads =
        SenderThreadsFor(c.telegram.rate_per_sec + c.whatsapp.rate_per_sec);
  }
  if (auto s = ReadCentreBots(centre_bots, &c.telegram); !s.ok()) return s;
  // Telegram accepts 1-256 characters of A-Za-z0-9_- as secret_token.
  if (!c.telegram.webhook_secret.empty()) {
    bool ok = c.telegram.webhook_secret.size() <= 256;
    for (char ch : c.telegram.webhook_secret) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                  ch == '-');
    }
    if (!ok) {
      return core::Status::InvalidArgument(
          "config: TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z "
          "0-9 _ -");
    }
  }
  return c;
}

core::Result<Config> LoadConfigFromEnvironment() {
  return LoadConfig([](const char* k) { return std::getenv(k); });
}

core::Result<std::string> DatabaseFromEnvironment() {
  if (const char* db = std::getenv("SPORTELLO_DB")) return std::string(db);
  if (const char* path = std::getenv("SPORTELLO_CONFIG"); path && *path) {
    auto file = ReadConfigFile(path);
    if (!file.ok()) return file.status();
    if (auto it = file->find("SPORTELLO_DB"); it != file->end())
      return it->second;
  }
  return Config().db_path;
}

std::string DescribeChannels(const Config& c) {
  std::ostringstream out;
  out << "web chat " << (c.web_chat ? "on" : "off");
  out << "; telegram ";
  if (c.telegram.enabled()) {
    out << "on (" << c.telegram.mode;
    if (c.telegram.mode == "webhook") {
      out << (c.telegram.webhook_secret.empty()
                  ? ", no webhook secret: set TELEGRAM_WEBHOOK_SECRET"
                  : ", secret set");
      if (!c.telegram.webhook_url.empty()) out << ", setWebhook at start";
    }
    out << ")";
    if (!c.telegram.centre_bot_tokens.empty()) {
      out << ", centres' own bots";
      for (const auto& token : c.telegram.centre_bot_tokens)
        out << " " << channels::TelegramBotId(token);
    }
  } else {
    out << "off (no TELEGRAM_BOT_TOKEN)";
  }
  out << "; whatsapp ";
  if (c.whatsapp.enabled()) {
    out << "on";
    if (c.whatsapp.verify_token.empty())
      out << " (no WHATSAPP_VERIFY_TOKEN: verification GET refused)";
  } else {
    out << "off (needs";
    if (c.whatsapp.access_token.empty()) out << " WHATSAPP_ACCESS_TOKEN";
    if (c.whatsapp.app_secret.empty()) out << " WHATSAPP_APP_SECRET";
    if (c.whatsapp.phone_number_id.empty()) out << " WHATSAPP_PHONE_NUMBER_ID";
    out << ")";
  }
  return out.str();
}

}  // namespace sportello
