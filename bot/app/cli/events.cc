// `sportello events add | list | demo`: the centre's events, from the
// command line until the console has a page for them. Times typed and shown
// are Rome's wall clock.
#include "bot/domain/events.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/app/demo_data.h"
#include "bot/core/clock.h"
#include "bot/core/rome_time.h"
#include "storage/database.h"
#include "storage/events.h"
#include "storage/migrations.h"

namespace sportello {
namespace {

constexpr const char* kAddUsage =
    "usage: sportello events add --title TEXT --at \"YYYY-MM-DD HH:MM\"\n"
    "                            (--minutes N | --end \"YYYY-MM-DD HH:MM\")\n"
    "                            (--place TEXT | --online URL) --capacity N\n"
    "                            [--description TEXT] [--tags a,b] [--id "
    "EXTERNAL_ID]\n"
    "\n"
    "  --at TIME          the start, Europe/Rome wall clock: \"2026-12-03 "
    "09:30\"\n"
    "  --minutes N        length in minutes (or --end)\n"
    "  --place TEXT       where: an address\n"
    "  --online URL       a video call instead of a place\n"
    "  --capacity N       places; once taken, people join a waiting list\n"
    "  --tags a,b         words to group events by (recruiting, workshop, "
    "...)\n"
    "  --id EXTERNAL_ID   your own id, to refer to the event later; unique\n";

constexpr const char* kListUsage =
    "usage: sportello events list\n"
    "\n"
    "Upcoming events by start time: id, when, title, places taken, waiting "
    "list.\n";

constexpr const char* kDemoUsage =
    "usage: sportello events demo\n"
    "\n"
    "Adds the demo events (recruiting days, a CV workshop, a seminar on "
    "starting a\n"
    "business, an Erasmus+ info session...) in Bari over the next four weeks.\n"
    "Running it again adds only what is missing.\n";

std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> tags;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string tag = text.substr(start, comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.erase(tag.begin());
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (!tag.empty()) tags.push_back(tag);
    start = comma + 1;
  }
  return tags;
}

std::unique_ptr<storage::Database> OpenDatabase(const char* command) {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) {
    std::fprintf(stderr, "sportello events %s: %s\n", command,
                 config.status().message().c_str());
    return nullptr;
  }
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sportello events %s: %s\n", command,
                 db.status().ToString().c_str());
    return nullptr;
  }
  if (auto s = storage::Migrate(**db); !s.ok()) {
    std::fprintf(stderr, "sportello events %s: %s\n", command,
                 s.ToString().c_str());
    return nullptr;
  }
  return std::move(*db);
}

int RunAdd(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kAddUsage)) return 0;
  const auto flags = cli::ParseFlags(
      argc, argv,
      {"--title", "--at", "--minutes", "--end", "--place", "--online",
       "--capacity", "--description", "--tags", "--id"},
      "events add", kAddUsage);
  if (!flags) return 2;
  const auto get = [&](const char* name) -> std::optional<std::string> {
    auto it = flags->find(name);
    return it == flags->end() ? std::nullopt
                              : std::optional<std::string>(it->second);
  };
  const auto usage_error = [](const std::string& why) {
    std::fprintf(stderr, "sportello events add: %s\n", why.c_str());
    return 2;
  };
  if (!get("--title")) return usage_error("--title is required");
  if (!get("--at"))
    return usage_error("--at is required (\"YYYY-MM-DD HH:MM\", Rome time)");
  if (get("--minutes").has_value() == get("--end").has_value()) {
    return usage_error("give --minutes or --end");
  }
  if (get("--place").has_value() == get("--online").has_value()) {
    return usage_error("give --place or --online");
  }
  if (!get("--capacity")) return usage_error("--capacity is required");

  storage::NewEvent event;
  event.title = *get("--title");
  const auto at = cli::ParseRomeMinute(*get("--at"));
  if (!at.ok()) return usage_error("--at " + at.status().message());
  event.starts_at = *at;
  if (get("--end")) {
    const auto end = cli::ParseRomeMinute(*get("--end"));
    if (!end.ok()) return usage_error("--end " + end.status().message());
    event.ends_at = *end;
  } else {
    int minutes = 0;
    if (!cli::ParseInt(*get("--minutes"), 1, 7 * 24 * 60, &minutes)) {
      return usage_error("--minutes must be 1-10080, not '" +
                         *get("--minutes") + "'");
    }
    event.ends_at = event.starts_at + int64_t{minutes} * 60'000;
  }
  if (get("--online")) {
    event.place = std::string(storage::kEventOnline);
    event.link = *get("--online");
  } else {
    event.place = *get("--place");
  }
  if (!cli::ParseInt(*get("--capacity"), 1, 100'000, &event.capacity)) {
    return usage_error("--capacity must be 1-100000, not '" +
                       *get("--capacity") + "'");
  }
  event.description = get("--description").value_or("");
  event.tags = SplitTags(get("--tags").value_or(""));
  if (get("--id")) event.external_id = *get("--id");

  core::SystemClock clock;
  const int64_t now = clock.NowMillis();
  if (event.starts_at <= now)
    return usage_error(cli::FormatRomeMinute(event.starts_at) +
                       " is in the past");
  auto db = OpenDatabase("add");
  if (!db) return 1;
  auto id = storage::AddEvent(*db, event, now);
  if (!id.ok()) {
    std::fprintf(stderr, "sportello events add: %s\n",
                 id.status().message().c_str());
    return id.status().code() == core::Status::Code::kInvalidArgument ? 2 : 1;
  }
  std::printf("added event %lld: %s  %s\n", static_cast<long long>(*id),
              cli::FormatRomeMinute(event.starts_at).c_str(),
              event.title.c_str());
  return 0;
}

int RunList(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kListUsage)) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "sportello events list: unexpected argument '%s'\n%s",
                 argv[1], kListUsage);
    return 2;
  }
  auto db = OpenDatabase("list");
  if (!db) return 1;
  core::SystemClock clock;
  auto events = storage::UpcomingEvents(*db, clock.NowMillis(), 0, 1'000'000);
  if (!events.ok()) {
    std::fprintf(stderr, "sportello events list: %s\n",
                 events.status().ToString().c_str());
    return 1;
  }
  for (const auto& e : *events) {
    const std::string where =
        e.online() ? "online " + e.link.value_or("") : e.place;
    std::printf("%5lld  %s  %-28s %3d/%-3d taken  %d waiting  %s\n",
                static_cast<long long>(e.id),
                cli::FormatRomeMinute(e.starts_at).c_str(), e.title.c_str(),
                e.signed_up, e.capacity, e.waiting, where.c_str());
  }
  std::printf("%zu upcoming events\n", events->size());
  return 0;
}

int RunDemo(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kDemoUsage)) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "sportello events demo: unexpected argument '%s'\n%s",
                 argv[1], kDemoUsage);
    return 2;
  }
  auto db = OpenDatabase("demo");
  if (!db) return 1;
  core::SystemClock clock;
  storage::Transaction txn(*db);
  if (!txn.status().ok()) {
    std::fprintf(stderr, "sportello events demo: %s\n",
                 txn.status().ToString().c_str());
    return 1;
  }
  auto summary = AddDemoEvents(*db, clock.NowMillis());
  if (!summary.ok()) {
    std::fprintf(stderr, "sportello events demo: %s\n",
                 summary.status().ToString().c_str());
    return 1;
  }
  if (auto s = txn.Commit(); !s.ok()) {
    std::fprintf(stderr, "sportello events demo: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("demo: added %d events (%d already there)\n", summary->added,
              summary->existing);
  return 0;
}

constexpr cli::Command kVerbs[] = {
    {"add", "--title TEXT --at TIME --capacity N ...", "add an event", RunAdd},
    {"list", "", "upcoming events with places taken and waiting lists",
     RunList},
    {"demo", "", "add the demo events over the coming weeks", RunDemo},
};

std::string Usage() {
  return "usage: sportello events " + cli::JoinNames(kVerbs) +
         " [options]\n"
         "\n"
         "The centre's events (recruiting days, workshops, seminars) in the "
         "database\n"
         "SPORTELLO_DB. Times are Europe/Rome wall clock.\n" +
         cli::ListCommands(kVerbs, /*with_args=*/false, /*gap=*/3) +
         "\n"
         "  sportello events <subcommand> --help\n";
}

}  // namespace

std::span<const cli::Command> cli::EventsVerbs() { return kVerbs; }

int RunEvents(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello events", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
