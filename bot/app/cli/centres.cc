// `sportello centres add | list | edit | disable`: the centres of a
// network. `list` prints one centre a line for other tools to read; its
// format is an interface (README.md, `centres --help`).
#include "storage/centres.h"

#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/app/configured_centre.h"
#include "bot/core/clock.h"
#include "bot/core/numbers.h"
#include "bot/domain/centre_fields.h"
#include "bot/domain/comuni.h"
#include "intents/engine.h"
#include "storage/appointments.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace sportello {
namespace {

std::string Usage();

constexpr const char* kFlagsHelp =
    "Flags of add and edit (edit changes only those given; an empty value\n"
    "clears a text):\n"
    "  --name TEXT                  the centre's name, unique (required by "
    "add)\n"
    "  --address TEXT               as told to people\n"
    "  --hours TEXT                 opening hours as told to people\n"
    "  --opening-hours SPEC         when counsellors answer, as\n"
    "                               SPORTELLO_OPENING_HOURS: "
    "\"1-5 09:00-13:00; 2,4 15:00-17:30\"\n"
    "  --closures SPEC              its own closed days, as "
    "SPORTELLO_CLOSURES: \"12-06,2026-08-14\"\n"
    "  --contacts TEXT              phone, e-mail\n"
    "  --services CODE[,CODE...]    the services it offers (orientamento,\n"
    "                               curriculum, ...); empty: every service\n"
    "  --comuni C[,C...]            the comuni it serves, by ISTAT code "
    "(072029)\n"
    "                               or name (Molfetta); replaces the list\n"
    "  --telegram-bot-id ID         its own Telegram bot: the number before "
    "the\n"
    "                               ':' of the bot's token (the token goes "
    "in\n"
    "                               TELEGRAM_CENTRE_BOT_TOKENS, never here)\n"
    "  --whatsapp-phone-number-id ID  its own WhatsApp number: Meta's "
    "phone_number_id\n";

constexpr const char* kListHelp =
    "list prints one centre a line, its fields separated by a tab:\n"
    "  ID  STATE  NAME  COMUNI\n"
    "STATE is active or disabled; COMUNI the ISTAT codes it serves, sorted "
    "and\n"
    "comma-separated, or - for none. Fields may be added at the end of a "
    "line,\n"
    "never reordered. add and edit print the centre's line as list does.\n"
    "\n"
    "Centre 1 is every database's first centre: rows with no centre of "
    "their own\n"
    "go to it and it cannot be disabled. Until one of name, address, hours,\n"
    "opening hours, closures or contacts is edited here, it follows\n"
    "SPORTELLO_CENTRE_NAME, _ADDRESS, _HOURS, _CONTACTS, "
    "SPORTELLO_OPENING_HOURS\n"
    "and SPORTELLO_CLOSURES. A comune is served by one active centre at a "
    "time.\n"
    "\n"
    "Exit codes: 0 done, 1 refused by the database (a name, channel or "
    "comune\n"
    "taken, an unknown centre), 2 wrong arguments.\n";

// Opens SPORTELLO_DB, migrated, with centre 1 as configured; nullptr after
// saying why on stderr.
std::unique_ptr<storage::Database> OpenDatabase(const char* verb) {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) {
    std::fprintf(stderr, "sportello centres %s: %s\n", verb,
                 config.status().message().c_str());
    return nullptr;
  }
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sportello centres %s: %s\n", verb,
                 db.status().ToString().c_str());
    return nullptr;
  }
  if (auto s = storage::Migrate(**db); !s.ok()) {
    std::fprintf(stderr, "sportello centres %s: %s\n", verb,
                 s.ToString().c_str());
    return nullptr;
  }
  core::SystemClock clock;
  if (auto s = AdoptConfiguredCentre(**db, config->centre, clock.NowMillis());
      !s.ok()) {
    std::fprintf(stderr, "sportello centres %s: centre 1: %s\n", verb,
                 s.status().message().c_str());
  }
  return std::move(*db);
}

std::string Line(const storage::Centre& c) {
  std::string comuni;
  for (const std::string& istat : c.comuni) {
    if (!comuni.empty()) comuni += ',';
    comuni += istat;
  }
  return std::to_string(c.id) + "\t" + (c.disabled ? "disabled" : "active") +
         "\t" + c.name + "\t" + (comuni.empty() ? "-" : comuni) + "\n";
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

// "opening_hours" -> "--opening-hours".
std::string Flag(std::string_view field) {
  std::string flag = "--";
  for (char c : field) flag += c == '_' ? '-' : c;
  return flag;
}

// Flags -> changes, checked (bot/domain/centre_fields.h); nullopt after
// saying why (exit 2). The services offered are checked by the caller,
// which has the database.
std::optional<storage::CentreChanges> ReadChanges(
    const std::map<std::string, std::string>& flags, const char* verb) {
  storage::CentreChanges c;
  const auto text = [&](const char* flag, std::optional<std::string>& out) {
    if (auto it = flags.find(flag); it != flags.end()) out = it->second;
  };
  text("--name", c.name);
  text("--address", c.address);
  text("--hours", c.hours);
  text("--opening-hours", c.opening_hours);
  text("--closures", c.closures);
  text("--contacts", c.contacts);
  text("--telegram-bot-id", c.telegram_bot_id);
  text("--whatsapp-phone-number-id", c.whatsapp_phone_number_id);
  if (auto it = flags.find("--services"); it != flags.end())
    c.services = SplitCommas(it->second);
  if (auto it = flags.find("--comuni"); it != flags.end())
    c.comuni = SplitCommas(it->second);
  std::optional<Comuni> comuni;
  if (c.comuni) {
    auto loaded = Comuni::Load(intents::DefaultDataDir());
    if (!loaded.ok()) {
      std::fprintf(stderr, "sportello centres %s: %s\n", verb,
                   loaded.status().message().c_str());
      return std::nullopt;
    }
    comuni = std::move(*loaded);
  }
  const Comuni none{};  // no comuni given: none is looked up
  if (auto bad = CheckCentreChanges(c, comuni ? *comuni : none)) {
    std::fprintf(stderr, "sportello centres %s: %s: %s\n", verb,
                 Flag(bad->field).c_str(), bad->message.c_str());
    return std::nullopt;
  }
  return c;
}

// The services named exist; says which does not on stderr.
bool ServicesExist(storage::Database& db, const std::vector<std::string>& codes,
                   const char* verb) {
  auto bad = CheckCentreServices(db, codes);
  if (!bad.ok() || *bad) {
    std::fprintf(stderr, "sportello centres %s: %s\n", verb,
                 bad.ok()
                     ? (Flag((*bad)->field) + ": " + (*bad)->message).c_str()
                     : bad.status().message().c_str());
    return false;
  }
  return true;
}

const std::vector<std::string_view> kFlags = {"--name",
                                              "--address",
                                              "--hours",
                                              "--opening-hours",
                                              "--closures",
                                              "--contacts",
                                              "--services",
                                              "--comuni",
                                              "--telegram-bot-id",
                                              "--whatsapp-phone-number-id"};

// Prints centre `id`'s line; 1 if it cannot be read.
int PrintCentre(storage::Database& db, int64_t id, const char* verb) {
  auto c = storage::FindCentre(db, id);
  if (!c.ok() || !c->has_value()) {
    std::fprintf(stderr, "sportello centres %s: centre %lld not found\n", verb,
                 static_cast<long long>(id));
    return 1;
  }
  std::fputs(Line(**c).c_str(), stdout);
  return 0;
}

int RunAdd(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  const std::string usage = Usage();
  auto flags =
      cli::ParseFlags(argc, argv, kFlags, "centres add", usage.c_str());
  if (!flags) return 2;
  auto changes = ReadChanges(*flags, "add");
  if (!changes) return 2;
  if (!changes->name) {
    std::fprintf(stderr, "sportello centres add: --name is required\n");
    return 2;
  }
  auto db = OpenDatabase("add");
  if (!db) return 1;
  if (changes->services && !ServicesExist(*db, *changes->services, "add"))
    return 2;
  storage::Centre centre;
  centre.name = *changes->name;
  centre.address = changes->address.value_or("");
  centre.hours = changes->hours.value_or("");
  centre.opening_hours = changes->opening_hours.value_or("");
  centre.closures = changes->closures.value_or("");
  centre.contacts = changes->contacts.value_or("");
  centre.services = changes->services.value_or(std::vector<std::string>{});
  centre.telegram_bot_id = changes->telegram_bot_id;
  centre.whatsapp_phone_number_id = changes->whatsapp_phone_number_id;
  centre.comuni = changes->comuni.value_or(std::vector<std::string>{});
  core::SystemClock clock;
  storage::Transaction txn(*db);
  auto id = txn.status().ok()
                ? storage::AddCentre(*db, centre, clock.NowMillis())
                : core::Result<int64_t>(txn.status());
  if (id.ok()) {
    if (auto s = txn.Commit(); !s.ok()) id = s;
  }
  if (!id.ok()) {
    std::fprintf(stderr, "sportello centres add: %s\n",
                 id.status().message().c_str());
    return 1;
  }
  return PrintCentre(*db, *id, "add");
}

int RunList(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--all") {
      all = true;
    } else {
      std::fprintf(stderr,
                   "sportello centres list: unexpected argument '%s'\n%s",
                   argv[i], Usage().c_str());
      return 2;
    }
  }
  auto db = OpenDatabase("list");
  if (!db) return 1;
  auto centres = storage::ListCentres(*db, all);
  if (!centres.ok()) {
    std::fprintf(stderr, "sportello centres list: %s\n",
                 centres.status().message().c_str());
    return 1;
  }
  for (const auto& c : *centres) std::fputs(Line(c).c_str(), stdout);
  return 0;
}

std::optional<int64_t> CentreId(std::string_view text) {
  return core::ParseInt(text, 1, std::numeric_limits<int64_t>::max());
}

int RunEdit(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  const std::string usage = Usage();
  const auto id = argc >= 2 ? CentreId(argv[1]) : std::nullopt;
  if (!id) {
    std::fprintf(stderr, "sportello centres edit: ID first, then flags\n%s",
                 usage.c_str());
    return 2;
  }
  auto flags = cli::ParseFlags(argc - 1, argv + 1, kFlags, "centres edit",
                               usage.c_str());
  if (!flags) return 2;
  if (flags->empty()) {
    std::fprintf(stderr, "sportello centres edit: nothing to change\n%s",
                 usage.c_str());
    return 2;
  }
  auto changes = ReadChanges(*flags, "edit");
  if (!changes) return 2;
  auto db = OpenDatabase("edit");
  if (!db) return 1;
  if (changes->services && !ServicesExist(*db, *changes->services, "edit"))
    return 2;
  auto before = storage::FindCentre(*db, *id);
  core::SystemClock clock;
  storage::Transaction txn(*db);
  core::Status s = txn.status();
  if (s.ok()) s = storage::EditCentre(*db, *id, *changes, clock.NowMillis());
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) {
    std::fprintf(stderr, "sportello centres edit: %s\n", s.message().c_str());
    return 1;
  }
  auto after = storage::FindCentre(*db, *id);
  if (before.ok() && before->has_value() && (*before)->from_config &&
      after.ok() && after->has_value() && !(*after)->from_config) {
    std::fprintf(stderr,
                 "sportello centres edit: centre %lld no longer follows "
                 "SPORTELLO_CENTRE_* and the opening hours' variables\n",
                 static_cast<long long>(*id));
  }
  return PrintCentre(*db, *id, "edit");
}

int RunDisable(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  const auto id = argc == 2 ? CentreId(argv[1]) : std::nullopt;
  if (!id) {
    std::fputs(Usage().c_str(), stderr);
    return 2;
  }
  auto db = OpenDatabase("disable");
  if (!db) return 1;
  core::SystemClock clock;
  if (auto s = storage::DisableCentre(*db, *id, clock.NowMillis()); !s.ok()) {
    std::fprintf(stderr, "sportello centres disable: %s\n",
                 s.message().c_str());
    return 1;
  }
  return PrintCentre(*db, *id, "disable");
}

constexpr cli::Command kVerbs[] = {
    {"add", "--name TEXT [flags]", "add a centre; prints its line", RunAdd},
    {"list", "[--all]",
     "active centres, one a line: id, state, name, comuni; --all: disabled "
     "too",
     RunList},
    {"edit", "ID [flags]", "change what the flags say; prints its line",
     RunEdit},
    {"disable", "ID", "keeps its rows; it serves no comune any more",
     RunDisable},
};

std::string Usage() {
  return "usage: sportello centres " + cli::JoinNames(kVerbs) +
         "\n"
         "\n"
         "The centres of the network, in the database SPORTELLO_DB.\n" +
         cli::ListCommands(kVerbs, /*with_args=*/true, /*gap=*/3) + "\n" +
         kFlagsHelp + "\n" + kListHelp;
}

}  // namespace

std::span<const cli::Command> cli::CentresVerbs() { return kVerbs; }

int RunCentres(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello centres", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
