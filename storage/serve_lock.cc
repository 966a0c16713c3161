#include "storage/serve_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace sportello::storage {

namespace {

bool InMemory(const std::string& db_path) {
  return db_path.empty() || db_path == ":memory:" ||
         db_path.rfind("file::memory:", 0) == 0;
}

// The holder writes its pid into the file, for the refusal's message only:
// the lock itself is the flock, never the file's content.
std::string HolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string pid(buf, static_cast<size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
    pid.pop_back();
  }
  for (char c : pid) {
    if (c < '0' || c > '9') return "";
  }
  return pid;
}

}  // namespace

core::Result<ServeLock> ServeLock::Acquire(const std::string& db_path) {
  if (InMemory(db_path)) return ServeLock(-1, "");
  std::string path = db_path + "-serve.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::Status::Unavailable("cannot open " + path + ": " +
                                     std::strerror(errno));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = HolderPid(fd);
    close(fd);
    if (err == EWOULDBLOCK) {
      return core::Status::AlreadyExists(
          "another sportello is already serving " + db_path +
          (pid.empty() ? "" : " (pid " + pid + ")") +
          ": stop it first, or point SPORTELLO_DB at another database");
    }
    return core::Status::Unavailable("cannot lock " + path + ": " +
                                     std::strerror(err));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) !=
                                   static_cast<ssize_t>(pid.size())) {
    // The pid only improves a message; the lock is held either way.
  }
  return ServeLock(fd, std::move(path));
}

ServeLock::ServeLock(ServeLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

ServeLock& ServeLock::operator=(ServeLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

ServeLock::~ServeLock() {
  // Closing the descriptor releases the flock. The file stays: removing it
  // would race with a process that has opened it and is about to lock it.
  if (fd_ >= 0) close(fd_);
}

}  // namespace sportello::storage
