// `sportello users add | list | disable`: the console's staff accounts. The
// password comes on stdin (one line), never on the command line, where
// other users of the machine could read it in the process list.
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/core/clock.h"
#include "bot/core/numbers.h"
#include "bot/domain/password.h"
#include "storage/centres.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/staff.h"

namespace sportello {
namespace {

// The page for `users --help` (and each verb's), from the table of verbs.
std::string Usage();

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// "1,2" -> {1, 2}; nullopt for anything else (an empty item included).
std::optional<std::vector<int64_t>> ParseCentreIds(std::string_view text) {
  std::vector<int64_t> ids;
  while (true) {
    const size_t comma = text.find(',');
    const auto id = core::ParseInt(text.substr(0, comma), 1,
                                   std::numeric_limits<int64_t>::max());
    if (!id) return std::nullopt;
    ids.push_back(*id);
    if (comma == std::string_view::npos) return ids;
    text.remove_prefix(comma + 1);
  }
}

std::unique_ptr<storage::Database> OpenDatabase(const char* command) {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) {
    std::fprintf(stderr, "sportello users %s: %s\n", command,
                 config.status().message().c_str());
    return nullptr;
  }
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sportello users %s: %s\n", command,
                 db.status().ToString().c_str());
    return nullptr;
  }
  if (auto s = storage::Migrate(**db); !s.ok()) {
    std::fprintf(stderr, "sportello users %s: %s\n", command,
                 s.ToString().c_str());
    return nullptr;
  }
  return std::move(*db);
}

int RunAdd(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  std::optional<std::string> name, role, centre_list;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--role" && i + 1 < argc) {
      role = argv[++i];
    } else if (a == "--centre" && i + 1 < argc) {
      centre_list = argv[++i];
    } else if (!name && !a.starts_with("-")) {
      name = std::string(a);
    } else {
      std::fprintf(stderr, "sportello users add: unexpected argument '%s'\n%s",
                   argv[i], Usage().c_str());
      return 2;
    }
  }
  if (!name || !ValidName(*name)) {
    std::fprintf(stderr,
                 "sportello users add: NAME is 1-64 of A-Z a-z 0-9 . _ -\n");
    return 2;
  }
  const auto parsed_role = storage::ParseStaffRole(role.value_or(""));
  if (!parsed_role) {
    std::fprintf(stderr,
                 "sportello users add: --role counsellor, centre_admin or "
                 "admin\n");
    return 2;
  }
  std::vector<int64_t> centres;
  if (centre_list) {
    auto ids = ParseCentreIds(*centre_list);
    if (!ids) {
      std::fprintf(stderr,
                   "sportello users add: --centre is centre ids separated by "
                   "commas (1,2); see sportello centres list\n");
      return 2;
    }
    centres = std::move(*ids);
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < kMinPasswordLength) {
    std::fprintf(stderr,
                 "sportello users add: the password (stdin, one line) needs "
                 "at least %zu characters\n",
                 kMinPasswordLength);
    return 2;
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) {
    std::fprintf(stderr, "sportello users add: %s\n",
                 hash.status().ToString().c_str());
    return 1;
  }
  auto db = OpenDatabase("add");
  if (!db) return 1;
  if (centres.empty() && *parsed_role != storage::StaffRole::kAdmin) {
    // One centre: it is the one, as before there were several.
    auto open = storage::ListCentres(*db, /*with_disabled=*/false);
    if (!open.ok()) {
      std::fprintf(stderr, "sportello users add: %s\n",
                   open.status().message().c_str());
      return 1;
    }
    if (open->size() != 1) {
      std::fprintf(stderr,
                   "sportello users add: a %s works for at least one centre: "
                   "--centre ID[,ID...] (sportello centres list)\n",
                   std::string(storage::StaffRoleName(*parsed_role)).c_str());
      return 2;
    }
    centres.push_back(open->front().id);
  }
  core::SystemClock clock;
  storage::Transaction txn(*db);
  if (!txn.status().ok()) return 1;
  auto id =
      storage::AddStaff(*db, *name, *parsed_role, *hash, clock.NowMillis());
  if (!id.ok()) {
    std::fprintf(stderr, "sportello users add: %s\n",
                 id.status().message().c_str());
    return 1;
  }
  if (auto s = storage::SetStaffCentres(*db, *id, centres); !s.ok()) {
    std::fprintf(stderr, "sportello users add: --centre: %s\n",
                 s.message().c_str());
    return s.code() == core::Status::Code::kNotFound ? 2 : 1;
  }
  if (auto s = txn.Commit(); !s.ok()) {
    std::fprintf(stderr, "sportello users add: %s\n", s.message().c_str());
    return 1;
  }
  std::string where;
  for (int64_t c : centres)
    (where += where.empty() ? ", centre " : ",") += std::to_string(c);
  std::printf("added %s (%s%s)\n", name->c_str(),
              std::string(storage::StaffRoleName(*parsed_role)).c_str(),
              where.c_str());
  return 0;
}

// Extra arguments are ignored, as they always were.
int RunList(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  auto db = OpenDatabase("list");
  if (!db) return 1;
  auto staff = storage::ListStaff(*db);
  if (!staff.ok()) {
    std::fprintf(stderr, "sportello users list: %s\n",
                 staff.status().ToString().c_str());
    return 1;
  }
  for (const auto& s : *staff) {
    std::printf("%s  %s%s\n", s.username.c_str(),
                std::string(storage::StaffRoleName(s.role)).c_str(),
                s.disabled ? "  disabled" : "");
  }
  return 0;
}

int RunDisable(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  if (argc != 2) {
    std::fputs(Usage().c_str(), stderr);
    return 2;
  }
  auto db = OpenDatabase("disable");
  if (!db) return 1;
  storage::Transaction txn(*db);
  if (!txn.status().ok()) return 1;
  if (auto s = storage::DisableStaff(*db, argv[1]); !s.ok()) {
    std::fprintf(stderr, "sportello users disable: %s\n", s.message().c_str());
    return 1;
  }
  if (auto s = txn.Commit(); !s.ok()) {
    std::fprintf(stderr, "sportello users disable: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("disabled %s\n", argv[1]);
  return 0;
}

constexpr cli::Command kVerbs[] = {
    {"add", "NAME --role counsellor|centre_admin|admin [--centre ID[,ID...]]",
     "add an account; the password is read from stdin", RunAdd},
    {"list", "", "names, roles, whether disabled", RunList},
    {"disable", "NAME", "no more logins; open sessions end", RunDisable},
};

std::string Usage() {
  return "usage: sportello users " + cli::JoinNames(kVerbs) +
         "\n"
         "\n"
         "Staff accounts for the console, in the database SPORTELLO_DB.\n" +
         cli::ListCommands(kVerbs, /*with_args=*/true, /*gap=*/3) +
         "\n"
         "The password is one line on stdin, at least 10 characters.\n"
         "\n"
         "Roles: a counsellor and a centre admin work for the centres given "
         "with\n"
         "--centre (ids from sportello centres list; where there is only one "
         "centre,\n"
         "it may be left out); an admin is regional, every centre, and needs "
         "none.\n"
         "Until the console is scoped by centre, a centre admin has a "
         "counsellor's\n"
         "rights there. Prints: added NAME (ROLE[, centre ID,ID...])\n";
}

}  // namespace

std::span<const cli::Command> cli::UsersVerbs() { return kVerbs; }

int RunUsers(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello users", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
