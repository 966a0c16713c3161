// `sportello users add | list | disable`: the console's staff accounts. The
// password comes on stdin (one line), never on the command line, where
// other users of the machine could read it in the process list.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/core/clock.h"
#include "bot/domain/password.h"
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
  std::optional<std::string> name, role;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--role" && i + 1 < argc) {
      role = argv[++i];
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
                 "sportello users add: --role counsellor or --role admin\n");
    return 2;
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
  core::SystemClock clock;
  auto id =
      storage::AddStaff(*db, *name, *parsed_role, *hash, clock.NowMillis());
  if (!id.ok()) {
    std::fprintf(stderr, "sportello users add: %s\n",
                 id.status().message().c_str());
    return 1;
  }
  std::printf("added %s (%s)\n", name->c_str(),
              std::string(storage::StaffRoleName(*parsed_role)).c_str());
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
    {"add", "NAME --role counsellor|admin",
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
         "The password is one line on stdin, at least 10 characters.\n";
}

}  // namespace

std::span<const cli::Command> cli::UsersVerbs() { return kVerbs; }

int RunUsers(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello users", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
