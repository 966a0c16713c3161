// One serving process per database file.
//
// Two services on one SQLite file would both process the inbox and both send
// the outbox: people would get every reply twice. A ServeLock is an exclusive
// flock(2) on "<database>-serve.lock", held for the life of the object. The
// kernel drops it when the process dies, even by kill -9, so a crash never
// leaves a stale lock behind; there is no pid file to clean up.
//
// Only services take it: the maintenance commands (users add, vacancies
// import, ...) keep working beside a running service, as SQLite allows.
//
// The lock is a separate file on purpose: closing any descriptor of the
// database file itself would drop SQLite's own POSIX locks on it.
#pragma once

#include <string>

#include "bot/core/status.h"

namespace sportello::storage {

class ServeLock {
 public:
  // Takes the lock for the database at `db_path`, without waiting. Fails
  // with kAlreadyExists naming the file (and the holder's pid when
  // known) if another process holds it, or kUnavailable if the lock file
  // cannot be created. In-memory databases need no lock.
  static core::Result<ServeLock> Acquire(const std::string& db_path);

  ServeLock(ServeLock&& other) noexcept;
  ServeLock& operator=(ServeLock&& other) noexcept;
  ServeLock(const ServeLock&) = delete;
  ServeLock& operator=(const ServeLock&) = delete;
  ~ServeLock();  // releases the lock

  // The lock file's path, empty for an in-memory database.
  const std::string& path() const { return path_; }

 private:
  ServeLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace sportello::storage
