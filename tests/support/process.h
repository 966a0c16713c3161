// Running the real `sportello` binary from tests: a long-lived service
// (ServiceProcess) or a one-shot subcommand with stdin (RunSportello).
//
//   support::TempDir dir;
//   fakes::FakeTelegram tg;
//   const int port = support::FreePort();
//   support::ServiceProcess svc({"serve"}, {
//       {"SPORTELLO_DB", dir.File("bot.db")},
//       {"SPORTELLO_LISTEN", support::LoopbackAddress(port)},
//       {"TELEGRAM_BOT_TOKEN", tg.token()}, {"TELEGRAM_API_BASE",
//       tg.base_url()}});
//   REQUIRE_MESSAGE(svc.WaitHealthy(), svc.LogText());
//   ...
//   svc.Kill9();  // or CHECK(svc.Terminate() == 0);
//
// Children get a minimal environment (Env over PATH, HOME, TMPDIR and the
// sanitizers' *_OPTIONS from ours): no TELEGRAM_*, WHATSAPP_* or other
// secrets leak in from the developer's shell. They die with the test process
// (PR_SET_PDEATHSIG): spawn them from a thread that outlives them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/temp_dir.h"

namespace sportello::support {

using Env = std::map<std::string, std::string>;

// The built binary (CMake's SPORTELLO_BINARY), or $SPORTELLO_BINARY if set.
std::string SportelloBinary();
// The repository root (CMake's SPORTELLO_SOURCE_DIR).
std::string SourceDir();

// The environment a child gets, as "NAME=value" strings.
std::vector<std::string> ChildEnvironment(const Env& env);

// Exit statuses as a shell reports them: the exit code, or 128 + signal.
int ShellStatus(int wait_status);

class ServiceProcess {
 public:
  // Starts `binary` (default SportelloBinary()) with `args`; stdout and
  // stderr go (appended) to `log_path`, by default a file in a directory of
  // its own. Throws std::runtime_error when the process cannot be started (a
  // binary that cannot be executed exits 127 with a line in the log).
  ServiceProcess(std::vector<std::string> args, Env env,
                 std::string log_path = "", std::string binary = "");
  // Kills (SIGKILL) the process if it is still running.
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return pid_; }
  const Env& env() const { return env_; }
  // False once the process has exited (and been reaped).
  bool Running();

  // Polls GET /healthz on `listen` ("host:port"; default the env's
  // SPORTELLO_LISTEN) until it answers 200. False on timeout, or as soon as
  // the process exits.
  bool WaitHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(15),
                   std::string listen = "");
  // Polls the log until it contains `needle`. False on timeout.
  bool WaitForLog(std::string_view needle,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // SIGKILL, then reaps: nothing after this point ran.
  void Kill9();
  // SIGTERM, then waits: the shell status (0 for a clean shutdown). nullopt
  // when it did not exit in time; it is then killed.
  std::optional<int> Terminate(
      std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Waits for the process to exit by itself: its shell status, or nullopt on
  // timeout (the process keeps running).
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  std::string LogText() const;
  const std::string& log_path() const { return log_path_; }

 private:
  std::optional<TempDir> log_dir_;
  std::string log_path_;
  Env env_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;  // set once reaped
};

struct CommandResult {
  int exit_code = -1;  // shell status; -1 when it timed out and was killed
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `argv` (argv[0] is the program path) with the child environment and
// `stdin_text` on its standard input, collecting its output.
CommandResult RunCommand(
    const std::vector<std::string>& argv, const Env& env = {},
    std::string_view stdin_text = "",
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// RunCommand(SportelloBinary() + args), e.g. RunSportello({"classify"}, env,
// "cerco lavoro a Bari\n").
CommandResult RunSportello(
    const std::vector<std::string>& args, const Env& env = {},
    std::string_view stdin_text = "",
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace sportello::support
