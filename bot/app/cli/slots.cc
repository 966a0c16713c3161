// `sportello slots add | list | demo`: counsellors' appointment slots, from
// the command line until the console has a page for them. Times typed and
// shown are Rome's wall clock.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/app/demo_data.h"
#include "bot/core/clock.h"
#include "bot/core/iso_date.h"
#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "storage/appointments.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace sportello {
namespace {

using std::chrono::year_month_day;

constexpr const char* kAddUsage =
    "usage: sportello slots add --service CODE --at \"YYYY-MM-DD HH:MM\" "
    "[--minutes N]\n"
    "                           (--place TEXT | --online URL) [--counsellor "
    "NAME]\n"
    "                           [--repeat-weekly N]\n"
    "\n"
    "  --service CODE      orientamento, bilancio_competenze, "
    "garanzia_giovani, curriculum,\n"
    "                      creazione_impresa, mobilita_europea, or any\n"
    "  --at TIME           the start, Europe/Rome wall clock: \"2026-12-03 "
    "10:30\"\n"
    "  --minutes N         length, 1-480 (default: the service's usual "
    "length)\n"
    "  --place TEXT        where: an address\n"
    "  --online URL        a video call instead of a place\n"
    "  --counsellor NAME   who; one counsellor's slots may not overlap\n"
    "  --repeat-weekly N   also the same wall-clock time on each of the next N "
    "weeks\n"
    "\n"
    "All slots are added, or none (a past time or an overlap adds none).\n";

constexpr const char* kListUsage =
    "usage: sportello slots list [--from YYYY-MM-DD]\n"
    "\n"
    "Lists slots from the given day (default today), by time, with their "
    "state.\n";

constexpr const char* kDemoUsage =
    "usage: sportello slots demo\n"
    "\n"
    "Adds demo slots for the next 3 weeks, weekdays 9:00-13:00 every 45 "
    "minutes:\n"
    "in person at the centre (SPORTELLO_CENTRE_NAME, _ADDRESS) for a different "
    "service\n"
    "each day, and online for any service on Tuesdays and Thursdays. Running "
    "it\n"
    "again adds only what is missing.\n";

// "2026-12-03 10:30 gio"
std::string IsoRome(int64_t at_ms) {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  const std::string day =
      booking::FormatDay("it", t.date, booking::DayStyle::kShort);
  return cli::FormatRomeMinute(at_ms) + " " + day.substr(0, day.find(' '));
}

std::string DescribeSlot(const storage::Slot& s) {
  std::string text = IsoRome(s.starts_at) + "  " + std::to_string(s.minutes) +
                     " min  " + s.service_code.value_or("any") + "  ";
  text += s.online() ? "online " + s.link.value_or("") : s.place;
  if (!s.counsellor.empty()) text += "  (" + s.counsellor + ")";
  return text;
}

struct Opened {
  Config config;
  std::unique_ptr<storage::Database> db;
};

std::optional<Opened> OpenDatabase(const char* command) {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) {
    std::fprintf(stderr, "sportello slots %s: %s\n", command,
                 config.status().message().c_str());
    return std::nullopt;
  }
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sportello slots %s: %s\n", command,
                 db.status().ToString().c_str());
    return std::nullopt;
  }
  if (auto s = storage::Migrate(**db); !s.ok()) {
    std::fprintf(stderr, "sportello slots %s: %s\n", command,
                 s.ToString().c_str());
    return std::nullopt;
  }
  return Opened{std::move(*config), std::move(*db)};
}

int RunAdd(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kAddUsage)) return 0;
  const auto flags =
      cli::ParseFlags(argc, argv,
                      {"--service", "--at", "--minutes", "--place", "--online",
                       "--counsellor", "--repeat-weekly"},
                      "slots add", kAddUsage);
  if (!flags) return 2;
  const auto get = [&](const char* name) -> std::optional<std::string> {
    auto it = flags->find(name);
    return it == flags->end() ? std::nullopt
                              : std::optional<std::string>(it->second);
  };
  const auto usage_error = [](const std::string& why) {
    std::fprintf(stderr, "sportello slots add: %s\n", why.c_str());
    return 2;
  };
  if (!get("--service"))
    return usage_error("--service is required (a service code, or any)");
  if (!get("--at"))
    return usage_error("--at is required (\"YYYY-MM-DD HH:MM\", Rome time)");
  if (get("--place") && get("--online"))
    return usage_error("give --place or --online, not both");
  if (!get("--place") && !get("--online"))
    return usage_error("--place or --online is required");
  if (get("--place") && get("--place")->empty())
    return usage_error("--place is empty");
  auto at = cli::ParseRomeMinute(*get("--at"));
  if (!at.ok()) return usage_error("--at " + at.status().message());
  int minutes = 0;
  if (get("--minutes") && !cli::ParseInt(*get("--minutes"), 1, 480, &minutes)) {
    return usage_error("--minutes must be 1-480, not '" + *get("--minutes") +
                       "'");
  }
  int repeat = 0;
  if (get("--repeat-weekly") &&
      !cli::ParseInt(*get("--repeat-weekly"), 0, 104, &repeat)) {
    return usage_error("--repeat-weekly must be 0-104, not '" +
                       *get("--repeat-weekly") + "'");
  }

  auto opened = OpenDatabase("add");
  if (!opened) return 1;
  storage::Database& db = *opened->db;
  storage::NewSlot slot;
  const auto failure = [](const core::Status& why) {
    std::fprintf(stderr, "sportello slots add: %s\n", why.ToString().c_str());
    return 1;
  };
  if (*get("--service") != "any") {
    auto service = storage::FindService(db, *get("--service"));
    if (!service.ok()) return failure(service.status());
    if (!service->has_value()) {
      auto services = storage::ListServices(db);
      if (!services.ok()) return failure(services.status());
      std::string codes;
      for (const auto& s : *services) codes += " " + s.code;
      return usage_error("unknown service '" + *get("--service") +
                         "'; services:" + codes + ", or any");
    }
    slot.service_code = (*service)->code;
    if (minutes == 0) minutes = (*service)->minutes;
  }
  slot.minutes = minutes == 0 ? 45 : minutes;
  slot.counsellor = get("--counsellor").value_or("");
  if (get("--online")) {
    slot.place = std::string(storage::kOnline);
    slot.link = *get("--online");
  } else {
    slot.place = *get("--place");
  }

  core::SystemClock clock;
  const int64_t now = clock.NowMillis();
  const core::RomeTime first = core::ToRome(core::FromMillis(*at));
  storage::Transaction txn(db);
  if (!txn.status().ok()) return failure(txn.status());
  std::vector<storage::Slot> added;
  for (int week = 0; week <= repeat; ++week) {
    // Weekly on the wall clock: 10:30 stays 10:30 across a change of time.
    const year_month_day day{std::chrono::sys_days{first.date} +
                             std::chrono::weeks{week}};
    slot.starts_at =
        core::ToMillis(core::FromRome(day, first.hour, first.minute));
    if (slot.starts_at <= now) {
      std::fprintf(stderr,
                   "sportello slots add: %s is in the past; nothing added\n",
                   IsoRome(slot.starts_at).c_str());
      return 1;
    }
    auto id = storage::AddSlot(db, slot, now);
    if (!id.ok()) {
      std::fprintf(stderr, "sportello slots add: %s: %s; nothing added\n",
                   IsoRome(slot.starts_at).c_str(),
                   id.status().message().c_str());
      return id.status().code() == core::Status::Code::kInvalidArgument ? 2 : 1;
    }
    auto stored = storage::FindSlot(db, *id);
    if (!stored.ok()) return failure(stored.status());
    if (!stored->has_value())
      return failure(core::Status::Internal("new slot not found"));
    added.push_back(std::move(**stored));
  }
  if (auto s = txn.Commit(); !s.ok()) return failure(s);
  for (const auto& s : added)
    std::printf("added slot %lld: %s\n", static_cast<long long>(s.id),
                DescribeSlot(s).c_str());
  return 0;
}

int RunList(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kListUsage)) return 0;
  const auto flags =
      cli::ParseFlags(argc, argv, {"--from"}, "slots list", kListUsage);
  if (!flags) return 2;
  core::SystemClock clock;
  year_month_day from = core::RomeDate(clock.Now());
  if (auto it = flags->find("--from"); it != flags->end()) {
    const auto date = core::ParseIsoDate(it->second);
    if (!date) {
      std::fprintf(stderr,
                   "sportello slots list: --from '%s': expected YYYY-MM-DD\n",
                   it->second.c_str());
      return 2;
    }
    from = *date;
  }
  auto opened = OpenDatabase("list");
  if (!opened) return 1;
  const int64_t from_ms = core::ToMillis(core::FromRome(from, 0, 0));
  auto slots = storage::ListSlots(*opened->db, from_ms,
                                  std::numeric_limits<int64_t>::max());
  if (!slots.ok()) {
    std::fprintf(stderr, "sportello slots list: %s\n",
                 slots.status().ToString().c_str());
    return 1;
  }
  int booked = 0;
  for (const auto& s : *slots) {
    const std::string state = s.booking_id
                                  ? "booked #" + std::to_string(*s.booking_id)
                                  : std::string("free");
    booked += s.booking_id.has_value();
    std::printf("%5lld  %-12s %s\n", static_cast<long long>(s.id),
                state.c_str(), DescribeSlot(s).c_str());
  }
  std::printf("total %zu, booked %d, free %zu\n", slots->size(), booked,
              slots->size() - static_cast<size_t>(booked));
  return 0;
}

int RunDemo(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kDemoUsage)) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "sportello slots demo: unexpected argument '%s'\n%s",
                 argv[1], kDemoUsage);
    return 2;
  }
  auto opened = OpenDatabase("demo");
  if (!opened) return 1;
  storage::Database& db = *opened->db;
  core::SystemClock clock;
  storage::Transaction txn(db);
  if (!txn.status().ok()) return 1;
  auto demo = AddDemoSlots(db, opened->config.centre, clock.NowMillis());
  if (!demo.ok()) {
    std::fprintf(stderr, "sportello slots demo: %s\n",
                 demo.status().ToString().c_str());
    return 1;
  }
  const auto [added, existing] = *demo;
  if (auto s = txn.Commit(); !s.ok()) {
    std::fprintf(stderr, "sportello slots demo: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("demo: added %d slots for the next 3 weeks (%d already there)\n",
              added, existing);
  return 0;
}

constexpr cli::Command kVerbs[] = {
    {"add", "--service CODE --at TIME (--place TEXT | --online URL)",
     "add a slot, or a weekly series", RunAdd},
    {"list", "[--from YYYY-MM-DD]", "list slots and whether they are booked",
     RunList},
    {"demo", "", "add demo slots for the next 3 weeks", RunDemo},
};

std::string Usage() {
  return "usage: sportello slots " + cli::JoinNames(kVerbs) +
         " [options]\n"
         "\n"
         "Counsellors' appointment slots in the database SPORTELLO_DB. Times "
         "are\n"
         "Europe/Rome wall clock.\n" +
         cli::ListCommands(kVerbs, /*with_args=*/false, /*gap=*/3) +
         "\n"
         "  sportello slots <subcommand> --help\n";
}

}  // namespace

std::span<const cli::Command> cli::SlotsVerbs() { return kVerbs; }

int RunSlots(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello slots", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
