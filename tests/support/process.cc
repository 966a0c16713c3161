#include "tests/support/process.h"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sportello::support {
namespace {

using Clock = std::chrono::steady_clock;

// Variables a child may inherit: nothing that could hold a secret.
constexpr std::array<const char*, 8> kInherited = {
    "PATH",          "HOME",         "TMPDIR",       "ASAN_OPTIONS",
    "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "LLVM_PROFILE_FILE"};

// argv/envp as execve wants them; the strings live in `storage`.
struct CStrings {
  explicit CStrings(std::vector<std::string> strings)
      : storage(std::move(strings)) {
    for (auto& s : storage) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
  std::vector<std::string> storage;
  std::vector<char*> pointers;
};

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const CStrings& argv, const CStrings& envp,
                            int stdin_fd, int stdout_fd, int stderr_fd,
                            pid_t parent) {
  // Die with the test: a crashed test must not leave a service on a port.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  dup2(stdin_fd, STDIN_FILENO);
  dup2(stdout_fd, STDOUT_FILENO);
  dup2(stderr_fd, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD})
    sigaction(sig, &dfl, nullptr);
  execve(argv.pointers[0], argv.pointers.data(), envp.pointers.data());
  constexpr char kMsg[] = "exec failed: ";
  (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  (void)!write(STDERR_FILENO, argv.pointers[0], strlen(argv.pointers[0]));
  (void)!write(STDERR_FILENO, "\n", 1);
  _exit(127);
}

pid_t Spawn(const std::vector<std::string>& argv, const Env& env, int stdin_fd,
            int stdout_fd, int stderr_fd) {
  const CStrings c_argv(argv);
  const CStrings c_envp(ChildEnvironment(env));
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0)
    ExecChild(c_argv, c_envp, stdin_fd, stdout_fd, stderr_fd, parent);
  return pid;
}

// Waits up to `timeout` for `pid` to exit; the raw wait status, or nullopt.
std::optional<int> WaitPid(pid_t pid, std::chrono::milliseconds timeout) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (pidfd >= 0) close(pidfd);
      return status;
    }
    if (r < 0 && errno != EINTR) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) break;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1,
           static_cast<int>(left.count()));  // readable once the child exits
    } else {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(5));  // kernels without pidfd
    }
  }
  if (pidfd >= 0) close(pidfd);
  return std::nullopt;
}

std::pair<std::string, int> SplitHostPort(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return {listen, 80};
  return {listen.substr(0, colon), std::atoi(listen.c_str() + colon + 1)};
}

}  // namespace

std::string SportelloBinary() {
  if (const char* path = std::getenv("SPORTELLO_BINARY");
      path != nullptr && *path != '\0')
    return path;
  return SPORTELLO_BINARY;
}

std::string SourceDir() { return SPORTELLO_SOURCE_DIR; }

std::vector<std::string> ChildEnvironment(const Env& env) {
  Env merged;
  merged["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  merged["HOME"] = "/tmp";
  for (const char* name : kInherited) {
    if (const char* value = std::getenv(name); value != nullptr)
      merged[name] = value;
  }
  for (const auto& [name, value] : env) merged[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
  return out;
}

int ShellStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

ServiceProcess::ServiceProcess(std::vector<std::string> args, Env env,
                               std::string log_path, std::string binary)
    : log_path_(std::move(log_path)), env_(std::move(env)) {
  if (log_path_.empty()) {
    log_dir_.emplace();
    log_path_ = log_dir_->File("service.log");
  }
  const int log_fd =
      open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    throw std::runtime_error("ServiceProcess: cannot open " + log_path_);
  }
  args.insert(args.begin(),
              binary.empty() ? SportelloBinary() : std::move(binary));
  pid_ = Spawn(args, env_, null_fd, log_fd, log_fd);
  close(log_fd);
  close(null_fd);
  if (pid_ < 0) throw std::runtime_error("ServiceProcess: fork failed");
}

ServiceProcess::~ServiceProcess() {
  if (Running()) Kill9();
}

bool ServiceProcess::Running() {
  if (exit_status_ || pid_ <= 0) return false;
  if (auto status = WaitPid(pid_, std::chrono::milliseconds(0))) {
    exit_status_ = ShellStatus(*status);
    return false;
  }
  return true;
}

bool ServiceProcess::WaitHealthy(std::chrono::milliseconds timeout,
                                 std::string listen) {
  if (listen.empty()) {
    const auto it = env_.find("SPORTELLO_LISTEN");
    listen = it == env_.end() ? "127.0.0.1:8080" : it->second;
  }
  const auto [host, port] = SplitHostPort(listen);
  httplib::Client client(host, port);
  client.set_connection_timeout(std::chrono::milliseconds(200));
  client.set_read_timeout(std::chrono::milliseconds(500));
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!Running()) return false;
    if (auto res = client.Get("/healthz"); res && res->status == 200)
      return true;
    // No readiness signal exists but the port: poll it, gently.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool ServiceProcess::WaitForLog(std::string_view needle,
                                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (LogText().find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline || !Running())
      return LogText().find(needle) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ServiceProcess::Kill9() {
  if (exit_status_ || pid_ <= 0) return;
  kill(pid_, SIGKILL);
  if (auto status = WaitPid(pid_, std::chrono::seconds(30)))
    exit_status_ = ShellStatus(*status);
}

std::optional<int> ServiceProcess::Terminate(
    std::chrono::milliseconds timeout) {
  if (exit_status_ || pid_ <= 0) return exit_status_;
  kill(pid_, SIGTERM);
  if (auto status = WaitPid(pid_, timeout)) {
    exit_status_ = ShellStatus(*status);
    return exit_status_;
  }
  Kill9();
  return std::nullopt;
}

std::optional<int> ServiceProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_status_ || pid_ <= 0) return exit_status_;
  if (auto status = WaitPid(pid_, timeout)) exit_status_ = ShellStatus(*status);
  return exit_status_;
}

std::string ServiceProcess::LogText() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult RunCommand(const std::vector<std::string>& argv, const Env& env,
                         std::string_view stdin_text,
                         std::chrono::milliseconds timeout) {
  // Writing to a child that already exited must fail with EPIPE, not kill
  // the test binary.
  signal(SIGPIPE, SIG_IGN);
  CommandResult result;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return result;
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    result.err = "RunCommand: pipe failed";
    return result;
  }
  const pid_t pid = Spawn(argv, env, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    result.err = "RunCommand: fork failed";
    return result;
  }
  // Feed stdin and drain both outputs together, so no pipe fills up and blocks.
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  int in_fd = in[1];
  if (stdin_text.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  int out_fd = out[0], err_fd = err[0];
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  while (out_fd >= 0 || err_fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {
        {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
    if (poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR)
      break;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd : err_fd;
      if (fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
        continue;
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fd);
        fd = -1;
      }
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t n = write(in_fd, stdin_text.data() + written,
                              stdin_text.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        written = stdin_text.size();  // reader gone
      if (written == stdin_text.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd}) {
    if (fd >= 0) close(fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  const auto status = WaitPid(pid, std::chrono::seconds(30));
  result.exit_code = timed_out || !status ? -1 : ShellStatus(*status);
  return result;
}

CommandResult RunSportello(const std::vector<std::string>& args, const Env& env,
                           std::string_view stdin_text,
                           std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {SportelloBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, env, stdin_text, timeout);
}

}  // namespace sportello::support
