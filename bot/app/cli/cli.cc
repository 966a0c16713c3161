#include "bot/app/cli/cli.h"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/app/service.h"
#include "bot/core/log.h"
#include "intents/engine.h"
#include "storage/codec.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/outbox.h"
#include "storage/pg_connection.h"

namespace sportello {
namespace {

core::Result<Config> ConfigOrExplain() {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) {
    std::fprintf(stderr, "sportello: %s\n", config.status().message().c_str());
    return config;
  }
  core::LogLevel level;
  if (core::ParseLogLevel(config->log_level, &level)) core::SetLogLevel(level);
  return config;
}

// SIGINT/SIGTERM are blocked in every thread and awaited here, so shutdown
// runs as ordinary code, not in a signal handler.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

constexpr const char* kServeUsage =
    "usage: sportello serve\n"
    "\n"
    "Runs the service on SPORTELLO_LISTEN (default 127.0.0.1:8080) with the "
    "database\n"
    "SPORTELLO_DB (default ./sportello.db): Telegram and WhatsApp webhooks, "
    "the web chat\n"
    "at /, /healthz and /metrics. Channels with credentials in the environment "
    "are on.\n"
    "Stops cleanly on SIGINT or SIGTERM.\n";

constexpr const char* kChatUsage =
    "usage: sportello chat [--user NAME]\n"
    "\n"
    "Talk to the bot in this terminal, through the same engine as Telegram and "
    "WhatsApp\n"
    "(database SPORTELLO_DB). Answer a choice with its number. Ctrl-D to "
    "leave.\n";

constexpr const char* kMigrateUsage =
    "usage: sportello migrate\n"
    "\n"
    "Creates the database SPORTELLO_DB (a SQLite file, or a PostgreSQL "
    "URI:\n"
    "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB) or upgrades it to this "
    "version's\n"
    "schema, and prints the schema version before and after. A database "
    "newer than\n"
    "this sportello is refused (exit 1). On PostgreSQL several migrate runs "
    "at once\n"
    "are safe: they take turns. serve and chat migrate by themselves too.\n";

}  // namespace

int RunServe(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kServeUsage)) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "sportello serve: unexpected argument '%s'\n%s",
                 argv[1], kServeUsage);
    return 2;
  }
  auto config = ConfigOrExplain();
  if (!config.ok()) return 2;
  const sigset_t stop_signals = BlockStopSignals();
  core::SystemClock clock;
  auto service = Service::Start(*config, clock);
  if (!service.ok()) {
    core::LogError("serve", service.status().ToString());
    return 1;
  }
  core::LogInfo("serve", "database " + config->DbForLogs());
  core::LogInfo("serve", "channels: " + DescribeChannels(*config));
  core::LogInfo("serve", "listening on http://" + config->ListenHost() + ":" +
                             std::to_string((*service)->http_port()) +
                             (config->web_chat ? " (web chat at /)" : ""));
  int signal = 0;
  sigwait(&stop_signals, &signal);
  core::LogInfo("serve", std::string("stopping on ") +
                             (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  (*service)->Stop();
  core::LogInfo("serve", "stopped");
  return 0;
}

int RunMigrate(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kMigrateUsage)) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "sportello migrate: unexpected argument '%s'\n%s",
                 argv[1], kMigrateUsage);
    return 2;
  }
  auto target = DatabaseFromEnvironment();
  if (!target.ok()) {
    std::fprintf(stderr, "sportello migrate: %s\n",
                 target.status().message().c_str());
    return 2;
  }
  // What is printed never holds the password of a PostgreSQL URI.
  const std::string shown = storage::pg::IsPostgresUri(*target)
                                ? storage::pg::RedactUri(*target)
                                : *target;
  auto db = storage::Database::Open(*target);
  if (!db.ok()) {
    std::fprintf(stderr, "sportello migrate: %s: %s\n", shown.c_str(),
                 db.status().message().c_str());
    return 1;
  }
  auto before = storage::SchemaVersion(**db);
  if (!before.ok()) {
    std::fprintf(stderr, "sportello migrate: %s: %s\n", shown.c_str(),
                 before.status().message().c_str());
    return 1;
  }
  if (auto s = storage::Migrate(**db); !s.ok()) {
    std::fprintf(stderr, "sportello migrate: %s: %s\n", shown.c_str(),
                 s.message().c_str());
    return 1;
  }
  auto after = storage::SchemaVersion(**db);
  if (!after.ok()) {
    std::fprintf(stderr, "sportello migrate: %s: %s\n", shown.c_str(),
                 after.status().message().c_str());
    return 1;
  }
  std::printf("%s: schema version %d -> %d%s\n", shown.c_str(), *before, *after,
              *before == *after ? " (up to date)" : "");
  return 0;
}

int RunChat(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kChatUsage)) return 0;
  std::string user = "terminal";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--user" && i + 1 < argc) {
      user = argv[++i];
    } else {
      std::fprintf(stderr, "sportello chat: unexpected argument '%s'\n%s",
                   argv[i], kChatUsage);
      return 2;
    }
  }
  auto config = ConfigOrExplain();
  if (!config.ok()) return 2;
  if (config->log_level == "info")
    core::SetLogLevel(core::LogLevel::kWarn);  // keep the chat clean
  core::SystemClock clock;
  auto service = Service::Start(*config, clock, ServiceOptions{false, false});
  if (!service.ok()) {
    std::fprintf(stderr, "sportello chat: %s\n",
                 service.status().ToString().c_str());
    return 1;
  }
  Service& s = **service;
  int counter = 0;
  const std::string session = std::to_string(clock.NowMillis());
  std::string line;
  std::cout << "> " << std::flush;
  while (std::getline(std::cin, line)) {
    core::InboundMessage m;
    m.channel = core::Channel::kTerminal;
    m.user_id = m.chat_id = user;
    m.dedupe_key = "terminal:" + session + ":" + std::to_string(++counter);
    m.kind = core::InboundKind::kText;
    m.text = line;
    m.sent_at = clock.NowMillis() / 1000;
    std::vector<core::Update> updates;
    updates.push_back(std::move(m));
    auto outcome = s.ingest().Submit(std::move(updates));
    if (!outcome.ok()) {
      std::cerr << "sportello chat: " << outcome.status().ToString() << "\n";
      return 1;
    }
    for (const auto& st : outcome->stored) {
      s.processor().WaitProcessed(st.shard, st.inbox_id,
                                  std::chrono::seconds(10));
    }
    std::vector<storage::OutboxRow> rows;
    auto taken = s.store().Write([&](storage::Database& db) -> core::Status {
      auto r = storage::TakeDueOutboxForChat(db, "terminal", user,
                                             clock.NowMillis());
      if (!r.ok()) return r.status();
      rows = std::move(*r);
      return core::Status::Ok();
    });
    if (!taken.ok()) {
      std::cerr << "sportello chat: " << taken.ToString() << "\n";
      return 1;
    }
    for (const auto& row : rows) {
      auto msg = DecodeOutbound(row.payload);
      if (!msg.ok() || msg->kind != core::OutboundKind::kText) continue;
      std::cout << "\n" << msg->text << "\n";
      for (size_t i = 0; i < msg->buttons.size(); ++i) {
        std::cout << "  " << (i + 1) << ") " << msg->buttons[i].title << "\n";
      }
    }
    std::cout << "\n> " << std::flush;
  }
  std::cout << "\n";
  return 0;
}

namespace cli {
namespace {

constexpr Command kCommands[] = {
    {"serve", "",
     "run the service: webhooks, web chat, senders (SPORTELLO_LISTEN)",
     RunServe},
    {"chat", "[--user NAME]", "talk to the bot in this terminal", RunChat},
    {"classify", "[--now YYYY-MM-DD] [--top K] [--data DIR]",
     "intents of stdin lines, as JSON lines", intents::RunClassifyCommand},
    {"migrate", "",
     "create or upgrade the database (SPORTELLO_DB: SQLite or PostgreSQL)",
     RunMigrate},
    {"db", "", "the database as a whole: copy SQLite into PostgreSQL", RunDb,
     DbVerbs},
    {"vacancies", "",
     "import, list and search job offers; load the demo offers", RunVacancies,
     VacanciesVerbs},
    {"slots", "", "counsellors' appointment slots: add, list, demo", RunSlots,
     SlotsVerbs},
    {"events", "", "recruiting days, workshops, seminars: add, list, demo",
     RunEvents, EventsVerbs},
    {"centres", "", "the network's centres: add, list, edit, disable",
     RunCentres, CentresVerbs},
    {"users", "", "console staff accounts: add, list, disable", RunUsers,
     UsersVerbs},
    {"contacts", "", "import front-desk contacts who agreed to notices",
     RunContacts, ContactsVerbs},
};

bool IsHelp(std::string_view a) {
  return a == "--help" || a == "-h" || a == "help";
}

}  // namespace

std::span<const Command> Commands() { return kCommands; }

std::string Usage() {
  return "usage: sportello <command> [options]\n"
         "\n"
         "commands:\n" +
         ListCommands(kCommands, /*with_args=*/false, /*gap=*/2) +
         "\n"
         "  sportello <command> --help   options of a command\n"
         "  sportello --version\n"
         "\n"
         "Configuration comes from environment variables (see README.md), "
         "optionally\n"
         "completed by a KEY=VALUE file named by SPORTELLO_CONFIG.\n";
}

int RunCommand(int argc, char** argv) {
  return Dispatch(kCommands, "sportello", "command", Usage(), argc, argv);
}

int Dispatch(std::span<const Command> table, std::string_view who,
             std::string_view noun, std::string_view usage, int argc,
             char** argv) {
  if (argc < 2) {
    std::fwrite(usage.data(), 1, usage.size(), stderr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (IsHelp(name)) {
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return 0;
  }
  for (const Command& c : table) {
    if (c.name == name) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "%.*s: unknown %.*s '%s'\n\n%.*s",
               static_cast<int>(who.size()), who.data(),
               static_cast<int>(noun.size()), noun.data(), argv[1],
               static_cast<int>(usage.size()), usage.data());
  return 2;
}

std::string ListCommands(std::span<const Command> table, bool with_args,
                         size_t gap) {
  const auto head = [with_args](const Command& c) {
    std::string text(c.name);
    if (with_args && !c.args.empty()) (text += ' ') += c.args;
    return text;
  };
  size_t width = 0;
  for (const Command& c : table) width = std::max(width, head(c).size());
  std::string out;
  for (const Command& c : table) {
    std::string line = "  " + head(c);
    line.resize(2 + width + gap, ' ');
    (out += line) += c.help;
    out += '\n';
  }
  return out;
}

std::string JoinNames(std::span<const Command> table) {
  std::string out;
  for (const Command& c : table) {
    if (!out.empty()) out += '|';
    out += c.name;
  }
  return out;
}

}  // namespace cli
}  // namespace sportello
