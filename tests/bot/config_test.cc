// Configuration: the variable names and defaults are the interface the README
// promises; values that cannot work are refused at start-up; secrets are
// never echoed.
#include "bot/app/config.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bot/outbound/sender_threads.h"
#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

using core::Status;
using Env = std::map<std::string, std::string>;

core::Result<Config> Load(const Env& env) {
  return LoadConfig([&env](const char* key) -> const char* {
    auto it = env.find(key);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

Config LoadOk(const Env& env) {
  auto c = Load(env);
  REQUIRE(c.ok());
  return std::move(*c);
}

Status::Code LoadCode(const Env& env) { return Load(env).status().code(); }

std::string WriteFile(const support::TempDir& dir, const std::string& text) {
  const std::string path = dir.File("sportello.conf");
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("with no variables the service runs on its defaults") {
  const Config c = LoadOk({});
  CHECK(c.db_path == "./sportello.db");
  CHECK(c.listen == "127.0.0.1:8080");
  CHECK(c.ListenHost() == "127.0.0.1");
  CHECK(c.ListenPort() == 8080);
  CHECK(c.web_chat);
  CHECK(c.telegram.api_base == "https://api.telegram.org");
  CHECK(c.telegram.mode == "webhook");
  CHECK(c.whatsapp.api_base == "https://graph.facebook.com/v21.0");
  CHECK_FALSE(c.telegram.enabled());
  CHECK_FALSE(c.whatsapp.enabled());
  CHECK(c.telegram.rate_per_sec > 0);
  CHECK(c.whatsapp.rate_per_sec > 0);
  CHECK(c.http_threads >= 64);  // the benchmark's 64 keep-alive connections
}

TEST_CASE("every documented variable is read from the environment") {
  const Config c = LoadOk({
      {"SPORTELLO_DB", "/var/lib/sportello/s.db"},
      {"SPORTELLO_LISTEN", "0.0.0.0:9090"},
      {"SPORTELLO_LOG", "debug"},
      {"SPORTELLO_HTTP_THREADS", "16"},
      {"SPORTELLO_SENDER_THREADS", "2"},
      {"TELEGRAM_BOT_TOKEN", "123456:ABC-DEF"},
      {"TELEGRAM_WEBHOOK_SECRET", "s3cr3t_-X"},
      {"TELEGRAM_API_BASE", "http://127.0.0.1:5001"},
      {"TELEGRAM_MODE", "polling"},
      {"TELEGRAM_WEBHOOK_URL", "https://bot.example.org/webhook/telegram"},
      {"TELEGRAM_RATE_PER_SEC", "12.5"},
      {"WHATSAPP_ACCESS_TOKEN", "EAAG-token"},
      {"WHATSAPP_APP_SECRET", "app-secret"},
      {"WHATSAPP_VERIFY_TOKEN", "verify-me"},
      {"WHATSAPP_PHONE_NUMBER_ID", "106540352242922"},
      {"WHATSAPP_API_BASE", "http://127.0.0.1:5002/v21.0"},
      {"WHATSAPP_RATE_PER_SEC", "40"},
      {"SPORTELLO_CENTRE_NAME", "Informagiovani Lecce"},
  });
  CHECK(c.db_path == "/var/lib/sportello/s.db");
  CHECK(c.ListenHost() == "0.0.0.0");
  CHECK(c.ListenPort() == 9090);
  CHECK(c.log_level == "debug");
  CHECK(c.http_threads == 16);
  CHECK(c.sender_threads == 2);
  CHECK(c.telegram.token == "123456:ABC-DEF");
  CHECK(c.telegram.webhook_secret == "s3cr3t_-X");
  CHECK(c.telegram.api_base == "http://127.0.0.1:5001");
  CHECK(c.telegram.mode == "polling");
  CHECK(c.telegram.webhook_url == "https://bot.example.org/webhook/telegram");
  CHECK(c.telegram.rate_per_sec == 12.5);
  CHECK(c.whatsapp.access_token == "EAAG-token");
  CHECK(c.whatsapp.app_secret == "app-secret");
  CHECK(c.whatsapp.verify_token == "verify-me");
  CHECK(c.whatsapp.phone_number_id == "106540352242922");
  CHECK(c.whatsapp.api_base == "http://127.0.0.1:5002/v21.0");
  CHECK(c.whatsapp.rate_per_sec == 40);
  CHECK(c.centre.name == "Informagiovani Lecce");
  CHECK(c.telegram.enabled());
  CHECK(c.whatsapp.enabled());
}

TEST_CASE("the console's session idle time is read and checked") {
  CHECK(LoadOk({}).session_idle_minutes == 30);
  CHECK(
      LoadOk({{"SPORTELLO_SESSION_IDLE_MINUTES", "5"}}).session_idle_minutes ==
      5);
  for (const char* bad : {"0", "abc", "1441"}) {
    CAPTURE(bad);
    CHECK(Load({{"SPORTELLO_SESSION_IDLE_MINUTES", bad}}).status().code() ==
          core::Status::Code::kInvalidArgument);
  }
}

TEST_CASE("the console stream's safety-net poll is read and checked") {
  CHECK(LoadOk({}).stream_poll_seconds == 5);
  const auto c = LoadOk({{"SPORTELLO_STREAM_POLL_SECONDS", "86400"}});
  CHECK(c.stream_poll_seconds == 86400);
  CHECK(c.Web().stream_poll_seconds == 86400);
  for (const char* bad : {"0", "-1", "86401", "often"}) {
    CAPTURE(bad);
    CHECK(Load({{"SPORTELLO_STREAM_POLL_SECONDS", bad}}).status().code() ==
          core::Status::Code::kInvalidArgument);
  }
}

TEST_CASE("the inbox retention is read and keeps WhatsApp's redelivery week") {
  CHECK(LoadOk({}).inbox_retention_days == 30);
  CHECK(
      LoadOk({{"SPORTELLO_INBOX_RETENTION_DAYS", "8"}}).inbox_retention_days ==
      8);
  CHECK(
      LoadOk({{"SPORTELLO_INBOX_RETENTION_DAYS", "0"}}).inbox_retention_days ==
      0);  // kept for ever
  for (const char* bad : {"7", "1", "-1", "3651", "a month"}) {
    CAPTURE(bad);
    auto c = Load({{"SPORTELLO_INBOX_RETENTION_DAYS", bad}});
    CHECK(c.status().code() == core::Status::Code::kInvalidArgument);
    CHECK(c.status().message().find("SPORTELLO_INBOX_RETENTION_DAYS") !=
          std::string::npos);
  }
}

TEST_CASE("opening hours and the handoff timeout are read and checked") {
  const Config d = LoadOk({});
  CHECK(d.handoff_timeout_minutes == 20);
  CHECK(d.centre.opening_hours == "1-5 09:00-13:00; 2,4 15:00-17:30");
  const Config c = LoadOk({{"SPORTELLO_HANDOFF_TIMEOUT_MINUTES", "0"},
                           {"SPORTELLO_OPENING_HOURS", "1-6 08:30-14:00"}});
  CHECK(c.handoff_timeout_minutes == 0);
  CHECK(c.centre.opening_hours == "1-6 08:30-14:00");
  CHECK(Load({{"SPORTELLO_HANDOFF_TIMEOUT_MINUTES", "-1"}}).status().code() ==
        core::Status::Code::kInvalidArgument);
  auto bad = Load({{"SPORTELLO_OPENING_HOURS", "lun-ven 9-13"}});
  CHECK(bad.status().code() == core::Status::Code::kInvalidArgument);
  CHECK(bad.status().message().find("SPORTELLO_OPENING_HOURS") !=
        std::string::npos);
}

TEST_CASE(
    "quiet hours default to 21:00-08:00 and a malformed value stops "
    "the start") {
  CHECK(LoadOk({}).quiet_hours == "21:00-08:00");
  CHECK(LoadOk({{"SPORTELLO_QUIET_HOURS", "off"}}).quiet_hours == "off");
  CHECK(LoadOk({{"SPORTELLO_QUIET_HOURS", ""}}).quiet_hours.empty());
  CHECK(LoadOk({{"SPORTELLO_QUIET_HOURS", "22:30-07:15"}}).quiet_hours ==
        "22:30-07:15");
  for (const char* bad :
       {"21-8", "21:00", "21:00-24:00", "08:00-08:00", "9:00-17:00", "never"}) {
    CAPTURE(bad);
    auto c = Load({{"SPORTELLO_QUIET_HOURS", bad}});
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == core::Status::Code::kInvalidArgument);
    CHECK(c.status().message().find("SPORTELLO_QUIET_HOURS") !=
          std::string::npos);
    CHECK(c.status().message().find(bad) != std::string::npos);
  }
}

TEST_CASE("the public web chat can be turned off") {
  for (const char* off : {"0", "false", "off"}) {
    CAPTURE(off);
    CHECK_FALSE(LoadOk({{"SPORTELLO_WEB_CHAT", off}}).web_chat);
  }
  CHECK(LoadOk({{"SPORTELLO_WEB_CHAT", "1"}}).web_chat);
}

TEST_CASE("a config file completes the environment and the environment wins") {
  support::TempDir dir;
  const std::string path = WriteFile(dir,
                                     "SPORTELLO_DB=/from/file.db\n"
                                     "SPORTELLO_LISTEN=127.0.0.1:7000\n"
                                     "TELEGRAM_BOT_TOKEN=file-token\n");
  const Config c = LoadOk(
      {{"SPORTELLO_CONFIG", path}, {"SPORTELLO_LISTEN", "127.0.0.1:7001"}});
  CHECK(c.db_path == "/from/file.db");
  CHECK(c.ListenPort() == 7001);
  CHECK(c.telegram.token == "file-token");
}

TEST_CASE("a config file has comments blank lines and optional quotes") {
  support::TempDir dir;
  const std::string path =
      WriteFile(dir,
                "# Sportello, centro di Bari\n"
                "\n"
                "   # indented comment\n"
                "SPORTELLO_DB = \"/srv/sportello db/s.db\"\n"
                "SPORTELLO_CENTRE_NAME='Porta Futuro # Bari'\r\n"
                "TELEGRAM_WEBHOOK_URL=https://x.example/hook?a=b\n"
                "SPORTELLO_LOG=\n"
                "SPORTELLO_CENTRE_HOURS=\"9-13\n");
  const Config c = LoadOk({{"SPORTELLO_CONFIG", path}});
  CHECK(c.db_path == "/srv/sportello db/s.db");
  CHECK(c.centre.name == "Porta Futuro # Bari");
  CHECK(c.telegram.webhook_url == "https://x.example/hook?a=b");
  CHECK(c.log_level.empty());
  CHECK(c.centre.hours == "\"9-13");  // an unmatched quote is kept
}

TEST_CASE("a bad config file line is refused with its line number") {
  support::TempDir dir;
  const std::string path =
      WriteFile(dir, "# ok\nSPORTELLO_DB=a.db\nthis is not a setting\n");
  auto c = Load({{"SPORTELLO_CONFIG", path}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalidArgument);
  CHECK(c.status().message().find(path + ":3") != std::string::npos);
}

TEST_CASE("a config file that cannot be read is refused") {
  auto c = Load({{"SPORTELLO_CONFIG", "/nonexistent/sportello.conf"}});
  CHECK(c.status().code() == Status::Code::kInvalidArgument);
  CHECK(c.status().message().find("/nonexistent/sportello.conf") !=
        std::string::npos);
}

TEST_CASE("a listen address must be host and port") {
  for (const char* bad :
       {"localhost", "127.0.0.1:", ":8080", "127.0.0.1:99999", "127.0.0.1:-1",
        "127.0.0.1:80x", "127.0.0.1: 80", ""}) {
    CAPTURE(bad);
    auto c = Load({{"SPORTELLO_LISTEN", bad}});
    CHECK(c.status().code() == Status::Code::kInvalidArgument);
    if (!c.ok())
      CHECK(c.status().message().find("SPORTELLO_LISTEN") != std::string::npos);
  }
  for (const char* good : {"0.0.0.0:80", "127.0.0.1:0", "localhost:65535"}) {
    CAPTURE(good);
    CHECK(Load({{"SPORTELLO_LISTEN", good}}).ok());
  }
}

TEST_CASE("the Telegram mode is webhook or polling") {
  for (const char* bad : {"Webhook", "push", "", "polling "}) {
    CAPTURE(bad);
    CHECK(LoadCode({{"TELEGRAM_MODE", bad}}) == Status::Code::kInvalidArgument);
  }
  CHECK(LoadOk({{"TELEGRAM_MODE", "polling"}}).telegram.mode == "polling");
  CHECK(LoadOk({{"TELEGRAM_MODE", "webhook"}}).telegram.mode == "webhook");
}

TEST_CASE(
    "a Telegram webhook secret uses only the characters Telegram accepts") {
  for (const std::string& bad :
       {std::string("with space"), std::string("slash/ed"),
        std::string("caffè"), std::string("semi;colon"),
        std::string(257, 'a')}) {
    CAPTURE(bad);
    const auto c = Load({{"TELEGRAM_WEBHOOK_SECRET", bad}});
    CHECK(c.status().code() == Status::Code::kInvalidArgument);
    if (!c.ok())
      CHECK(c.status().message().find(bad) == std::string::npos);  // not echoed
  }
  for (const std::string& good :
       {std::string("Az09_-"), std::string(256, 'z'), std::string()}) {
    CAPTURE(good.size());
    CHECK(Load({{"TELEGRAM_WEBHOOK_SECRET", good}}).ok());
  }
}

TEST_CASE("send rates must be positive numbers up to 1000") {
  for (const char* var : {"TELEGRAM_RATE_PER_SEC", "WHATSAPP_RATE_PER_SEC"}) {
    for (const char* bad :
         {"0", "-1", "abc", "1001", "nan", "inf", "5x", "1e9"}) {
      CAPTURE(var);
      CAPTURE(bad);
      CHECK(LoadCode({{var, bad}}) == Status::Code::kInvalidArgument);
    }
  }
  CHECK(LoadOk({{"TELEGRAM_RATE_PER_SEC", "0.5"}}).telegram.rate_per_sec ==
        0.5);
  CHECK(LoadOk({{"WHATSAPP_RATE_PER_SEC", "1000"}}).whatsapp.rate_per_sec ==
        1000);
}

TEST_CASE("thread counts must be whole numbers from 1 to 1024") {
  for (const char* var :
       {"SPORTELLO_HTTP_THREADS", "SPORTELLO_SENDER_THREADS"}) {
    for (const char* bad : {"0", "1025", "-4", "x", "2.5", "8 "}) {
      CAPTURE(var);
      CAPTURE(bad);
      CHECK(LoadCode({{var, bad}}) == Status::Code::kInvalidArgument);
    }
  }
  CHECK(LoadOk({{"SPORTELLO_SENDER_THREADS", "1"}}).sender_threads == 1);
  CHECK(LoadOk({{"SPORTELLO_HTTP_THREADS", "1024"}}).http_threads == 1024);
}

TEST_CASE("Telegram is on only with a bot token") {
  CHECK_FALSE(LoadOk({{"TELEGRAM_WEBHOOK_SECRET", "abc"}}).telegram.enabled());
  CHECK(LoadOk({{"TELEGRAM_BOT_TOKEN", "1:x"}}).telegram.enabled());
}

TEST_CASE("the centres' own Telegram bots are read, each by its bot id") {
  const Config c = LoadOk(
      {{"TELEGRAM_BOT_TOKEN", "100:region"},
       {"TELEGRAM_CENTRE_BOT_TOKENS", " 200:molfetta-SECRET , 300:altamura,"}});
  CHECK(c.telegram.centre_bot_tokens ==
        std::vector<std::string>{"200:molfetta-SECRET", "300:altamura"});
  const std::string said = DescribeChannels(c);
  CHECK(said.find("centres' own bots 200 300") != std::string::npos);
  CHECK(said.find("molfetta-SECRET") == std::string::npos);
  CHECK(LoadOk({{"TELEGRAM_BOT_TOKEN", "100:region"},
                {"TELEGRAM_CENTRE_BOT_TOKENS", ""}})
            .telegram.centre_bot_tokens.empty());
}

TEST_CASE(
    "a centre bot token that cannot work is refused without being echoed") {
  const std::string region = "100:region";
  struct Bad {
    std::string region_token, list, says;
  };
  for (const Bad& bad : {
           Bad{"", "200:molfetta-SECRET", "needs TELEGRAM_BOT_TOKEN"},
           Bad{region, "molfetta-SECRET", "token 1 is not a bot token"},
           Bad{region, "200:a,x2:molfetta-SECRET", "token 2 is not"},
           Bad{region, "200:a,200:molfetta-SECRET", "bot 200 is there twice"},
           Bad{region, "100:molfetta-SECRET", "bot 100 is there twice"},
       }) {
    CAPTURE(bad.list);
    Env env = {{"TELEGRAM_CENTRE_BOT_TOKENS", bad.list}};
    if (!bad.region_token.empty()) env["TELEGRAM_BOT_TOKEN"] = bad.region_token;
    auto c = Load(env);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Status::Code::kInvalidArgument);
    CHECK(c.status().message().find(bad.says) != std::string::npos);
    CHECK(c.status().message().find("SECRET") == std::string::npos);
  }
}

TEST_CASE("WhatsApp is on only with its token app secret and phone number id") {
  const Env full = {{"WHATSAPP_ACCESS_TOKEN", "t"},
                    {"WHATSAPP_APP_SECRET", "s"},
                    {"WHATSAPP_PHONE_NUMBER_ID", "1"}};
  CHECK(LoadOk(full).whatsapp.enabled());
  for (const auto& entry : full) {
    const std::string& missing = entry.first;
    CAPTURE(missing);
    Env env = full;
    env.erase(missing);
    CHECK_FALSE(LoadOk(env).whatsapp.enabled());
  }
}

TEST_CASE("the channel summary says what is on and never shows a secret") {
  const Env secrets = {
      {"TELEGRAM_BOT_TOKEN", "123456:TOKENtokenTOKEN"},
      {"TELEGRAM_WEBHOOK_SECRET", "WebhookSecret42"},
      {"TELEGRAM_WEBHOOK_URL", "https://bot.example.org/hook"},
      {"WHATSAPP_ACCESS_TOKEN", "EAAGaccessTOKEN"},
      {"WHATSAPP_APP_SECRET", "appSECRETvalue"},
      {"WHATSAPP_VERIFY_TOKEN", "verifyTOKENvalue"},
      {"WHATSAPP_PHONE_NUMBER_ID", "106540352242922"},
  };
  SUBCASE("all on") {
    const std::string text = DescribeChannels(LoadOk(secrets));
    CAPTURE(text);
    CHECK(text.find("telegram on") != std::string::npos);
    CHECK(text.find("whatsapp on") != std::string::npos);
    CHECK(text.find("web chat on") != std::string::npos);
    for (const char* secret :
         {"TOKENtokenTOKEN", "WebhookSecret42", "EAAGaccessTOKEN",
          "appSECRETvalue", "verifyTOKENvalue"}) {
      CAPTURE(secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  SUBCASE("each off says what is missing and shows no secret") {
    Env partial = secrets;
    partial.erase("TELEGRAM_BOT_TOKEN");
    partial.erase("WHATSAPP_APP_SECRET");
    const std::string text = DescribeChannels(LoadOk(partial));
    CAPTURE(text);
    CHECK(text.find("telegram off") != std::string::npos);
    CHECK(text.find("TELEGRAM_BOT_TOKEN") != std::string::npos);
    CHECK(text.find("whatsapp off") != std::string::npos);
    CHECK(text.find("WHATSAPP_APP_SECRET") != std::string::npos);
    CHECK(text.find("WHATSAPP_ACCESS_TOKEN") ==
          std::string::npos);  // it is set
    for (const char* secret :
         {"WebhookSecret42", "EAAGaccessTOKEN", "verifyTOKENvalue"}) {
      CAPTURE(secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  SUBCASE("a webhook without a secret is pointed out") {
    Env no_secret = secrets;
    no_secret.erase("TELEGRAM_WEBHOOK_SECRET");
    const std::string text = DescribeChannels(LoadOk(no_secret));
    CHECK(text.find("TELEGRAM_WEBHOOK_SECRET") != std::string::npos);
  }
}

}  // namespace
}  // namespace sportello

namespace sportello {
namespace {

TEST_CASE("a PostgreSQL URI is accepted and shown without its password") {
  auto c = Load({{"SPORTELLO_DB", "postgresql://anna:s3cret@db.example/x"}});
  REQUIRE(c.ok());
  CHECK(c->db_path == "postgresql://anna:s3cret@db.example/x");
  CHECK(c->DbForLogs() == "postgresql://anna:***@db.example/x");
  auto file = Load({{"SPORTELLO_DB", "/var/lib/sportello/s.db"}});
  REQUIRE(file.ok());
  CHECK(file->DbForLogs() == "/var/lib/sportello/s.db");
}

}  // namespace
}  // namespace sportello

namespace sportello {
namespace {

TEST_CASE("sender threads follow the channels' rates unless set") {
  CHECK(SenderThreadsFor(25 + 70) == 32);
  CHECK(SenderThreadsFor(25 + 1000) == 312);
  CHECK(SenderThreadsFor(1) == 8);
  CHECK(SenderThreadsFor(1000 + 1000) == 600);
  CHECK(LoadOk({}).sender_threads == 32);
  CHECK(LoadOk({{"WHATSAPP_RATE_PER_SEC", "1000"}}).sender_threads == 312);
  CHECK(LoadOk({{"WHATSAPP_RATE_PER_SEC", "1000"},
                {"SPORTELLO_SENDER_THREADS", "64"}})
            .sender_threads == 64);
}

}  // namespace
}  // namespace sportello
