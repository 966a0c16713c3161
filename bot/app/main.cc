// sportello: the job centre's chat-bot service.
//   sportello serve | chat | classify | migrate | vacancies | slots   (each
//   with --help)
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "bot/app/cli/cli.h"
#include "intents/engine.h"

namespace {

constexpr const char* kUsage =
    "usage: sportello <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve      run the service: webhooks, web chat, senders "
    "(SPORTELLO_LISTEN)\n"
    "  chat       talk to the bot in this terminal\n"
    "  classify   intents of stdin lines, as JSON lines\n"
    "  migrate    create or upgrade the database (SPORTELLO_DB)\n"
    "  vacancies  import, list and search job offers; load the demo offers\n"
    "  slots      counsellors' appointment slots: add, list, demo\n"
    "  events     recruiting days, workshops, seminars: add, list, demo\n"
    "  users      console staff accounts: add, list, disable\n"
    "  contacts   import front-desk contacts who agreed to notices\n"
    "\n"
    "  sportello <command> --help   options of a command\n"
    "  sportello --version\n"
    "\n"
    "Configuration comes from environment variables (see README.md), "
    "optionally\n"
    "completed by a KEY=VALUE file named by SPORTELLO_CONFIG.\n";

// glibc gives each thread that allocates an arena of its own (up to 8 per
// core), and each keeps what it freed: under a webhook burst the service's
// dozen busy threads grew the peak RSS by ~4 MiB with no gain in speed
// (bench/run: 37 -> 33 MiB at the same req/s). MALLOC_ARENA_MAX, when set,
// still decides.
void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

}  // namespace

int main(int argc, char** argv) {
  LimitMallocArenas();
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("sportello %s\n", SPORTELLO_VERSION);
    return 0;
  }
  // Subcommands see argv[0] = their own name.
  if (command == "serve") return sportello::RunServe(argc - 1, argv + 1);
  if (command == "chat") return sportello::RunChat(argc - 1, argv + 1);
  if (command == "migrate") return sportello::RunMigrate(argc - 1, argv + 1);
  if (command == "vacancies")
    return sportello::RunVacancies(argc - 1, argv + 1);
  if (command == "slots") return sportello::RunSlots(argc - 1, argv + 1);
  if (command == "events") return sportello::RunEvents(argc - 1, argv + 1);
  if (command == "users") return sportello::RunUsers(argc - 1, argv + 1);
  if (command == "contacts") return sportello::RunContacts(argc - 1, argv + 1);
  if (command == "classify")
    return sportello::intents::RunClassifyCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "sportello: unknown command '%s'\n\n%s", argv[1],
               kUsage);
  return 2;
}
