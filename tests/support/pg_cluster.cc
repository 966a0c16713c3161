#include "tests/support/pg_cluster.h"

#include "tests/support/process.h"

namespace sportello::support {
namespace {

CommandResult Script(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/bash",
                                   SourceDir() + "/scripts/pg-cluster"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {}, "", std::chrono::seconds(60));
}

}  // namespace

PgCluster::PgCluster() {
  const CommandResult started = Script({"start"});
  std::string out = started.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  const size_t space = out.find(' ');
  if (started.exit_code != 0 || space == std::string::npos) {
    error_ = "pg-cluster start failed: " + started.err;
    return;
  }
  uri_ = out.substr(0, space);
  dir_ = out.substr(space + 1);
}

PgCluster::~PgCluster() {
  if (!dir_.empty()) (void)Script({"stop", dir_});
}

bool PgCluster::Down() { return Script({"down", dir_}).exit_code == 0; }
bool PgCluster::Up() { return Script({"up", dir_}).exit_code == 0; }

}  // namespace sportello::support
