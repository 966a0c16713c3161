// The subcommands of the sportello binary. Each takes its own argv (argv[0]
// is the command name) and returns the process exit code.
#pragma once

namespace sportello {

int RunServe(int argc, char** argv);
int RunChat(int argc, char** argv);
int RunMigrate(int argc, char** argv);

}  // namespace sportello
