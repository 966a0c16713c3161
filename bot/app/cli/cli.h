// The sportello binary's commands, in one table (ninja's kTools): a name, a
// one-line help and the function that runs it. A command with verbs
// (`slots add | list | demo`) has a table of the same shape for them. The
// `--help` pages and README's Commands list are written from these tables.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace sportello::cli {

struct Command {
  std::string_view name;  // "serve", or a verb: "add"
  std::string_view args;  // what follows the name in a synopsis: "FILE"
  std::string_view help;  // one line, lower case, no full stop
  // Gets its own argv (argv[0] is `name`); returns the exit code.
  int (*run)(int argc, char** argv);
  // The command's verbs, or nullptr for a command without any.
  std::span<const Command> (*verbs)() = nullptr;
};

// Every command of the binary, in the order `sportello --help` lists them.
std::span<const Command> Commands();

// `sportello --help`.
std::string Usage();

// What main() does after --version: runs the command named by argv[1].
int RunCommand(int argc, char** argv);

// Runs the entry of `table` named by argv[1] with argv shifted by one, so
// that it sees argv[0] = its name. With no name: `usage` on stderr, exit
// code 2; with --help, -h or help: `usage` on stdout, 0; with an unknown
// name: "<who>: unknown <noun> 'NAME'", a blank line and `usage` on
// stderr, 2. `who` is "sportello" or "sportello slots"; `noun` is
// "command" or "subcommand".
int Dispatch(std::span<const Command> table, std::string_view who,
             std::string_view noun, std::string_view usage, int argc,
             char** argv);

// One line per entry, "  name  help", the helps in one column that starts
// `gap` columns after the longest name (and its args, when `with_args`).
std::string ListCommands(std::span<const Command> table, bool with_args,
                         size_t gap);

// The names joined by '|': "add|list|demo".
std::string JoinNames(std::span<const Command> table);

// The verbs of each command that has some (vacancies.cc, slots.cc, ...).
std::span<const Command> VacanciesVerbs();
std::span<const Command> SlotsVerbs();
std::span<const Command> EventsVerbs();
std::span<const Command> CentresVerbs();
std::span<const Command> UsersVerbs();
std::span<const Command> ContactsVerbs();
std::span<const Command> DbVerbs();

}  // namespace sportello::cli

namespace sportello {

// The commands' entry points: each takes its own argv (argv[0] is the
// command name) and returns the process exit code.
int RunServe(int argc, char** argv);
int RunChat(int argc, char** argv);
int RunMigrate(int argc, char** argv);
int RunVacancies(int argc, char** argv);
int RunSlots(int argc, char** argv);
int RunEvents(int argc, char** argv);
int RunCentres(int argc, char** argv);
int RunUsers(int argc, char** argv);
int RunContacts(int argc, char** argv);
int RunDb(int argc, char** argv);

}  // namespace sportello
