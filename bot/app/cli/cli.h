// The subcommands of the sportello binary. Each takes its own argv (argv[0]
// is the command name) and returns the process exit code.
#pragma once

namespace sportello {

int RunServe(int argc, char** argv);
int RunChat(int argc, char** argv);
int RunMigrate(int argc, char** argv);
int RunVacancies(int argc, char** argv);
// `slots add | list | demo`: counsellors' appointment slots
// (bot/app/cli/slots.cc).
int RunSlots(int argc, char** argv);
// `events add | list | demo`: the centre's events (bot/app/cli/events.cc).
int RunEvents(int argc, char** argv);
// `users add | list | disable`: console staff accounts (bot/app/cli/users.cc).
int RunUsers(int argc, char** argv);
// `contacts import FILE`: front-desk contacts for notices
// (bot/app/cli/contacts.cc).
int RunContacts(int argc, char** argv);

}  // namespace sportello
