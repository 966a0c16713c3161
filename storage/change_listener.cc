#include "storage/change_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <utility>

#include "bot/core/log.h"
#include "storage/pg_connection.h"

namespace sportello::storage {
namespace {

// The channel migration 14's triggers notify, named after the schema the
// tables are in (the first of the search path, where migrations made them).
constexpr const char* kChannel =
    "SELECT 'sportello_console_' || left(md5(current_schema()), 16)";
// How long the thread waits on the socket before looking whether it should
// stop: the longest a stop waits for it.
constexpr int kPollMs = 250;
// Between two failed attempts to connect.
constexpr int kRetryMs = 1000;
constexpr std::chrono::seconds kConnectTimeout{2};

struct Clear {
  void operator()(PGresult* r) const { PQclear(r); }
};

// LISTENs on the console's channel; why not, or "".
std::string Listen(pg::Connection& conn) {
  std::unique_ptr<PGresult, Clear> name(PQexec(conn.handle(), kChannel));
  if (name == nullptr || PQresultStatus(name.get()) != PGRES_TUPLES_OK ||
      PQntuples(name.get()) != 1 || PQgetisnull(name.get(), 0, 0)) {
    return "no schema: " + conn.ErrorMessage(name.get());
  }
  // Letters and hex digits only, quoted all the same.
  char* quoted = PQescapeIdentifier(conn.handle(), PQgetvalue(name.get(), 0, 0),
                                    PQgetlength(name.get(), 0, 0));
  if (quoted == nullptr) return conn.ErrorMessage();
  const std::string listen = std::string("LISTEN ") + quoted;
  PQfreemem(quoted);
  std::unique_ptr<PGresult, Clear> r(PQexec(conn.handle(), listen.c_str()));
  if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return conn.ErrorMessage(r.get());
  }
  return "";
}

}  // namespace

std::unique_ptr<ChangeListener> ChangeListener::Start(
    std::string uri, core::ChangeSignal& signal) {
  std::unique_ptr<ChangeListener> listener(
      new ChangeListener(std::move(uri), signal));
  listener->thread_ = std::thread([l = listener.get()] { l->Run(); });
  return listener;
}

ChangeListener::ChangeListener(std::string uri, core::ChangeSignal& signal)
    : uri_(std::move(uri)), signal_(signal) {}

ChangeListener::~ChangeListener() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

int ChangeListener::sessions() const {
  core::MutexLock lock(&mu_);
  return sessions_;
}

bool ChangeListener::Nap(int ms) {
  core::MutexLock lock(&mu_);
  stop_cv_.WaitFor(std::chrono::milliseconds(ms),
                   [&]() REQUIRES(mu_) { return stopping_; });
  return !stopping_;
}

void ChangeListener::Run() {
  // Logged once per outage, not once per attempt.
  bool lost = false;
  auto stopping = [this] {
    core::MutexLock lock(&mu_);
    return stopping_;
  };
  while (!stopping()) {
    auto conn = pg::Connection::Open(uri_, kConnectTimeout);
    std::string why;
    if (conn.ok()) {
      why = Listen(**conn);
    } else {
      why = conn.status().message();
    }
    if (!why.empty()) {
      if (!lost) {
        core::LogWarn("console", "live news: " + why + "; trying again");
        lost = true;
      }
      if (!Nap(kRetryMs)) return;
      continue;
    }
    if (lost) core::LogInfo("console", "live news: listening again");
    lost = false;
    // What was committed before this LISTEN (while the connection was down,
    // or before the first) was told to no one here.
    signal_.Notify();
    {
      core::MutexLock lock(&mu_);
      ++sessions_;
    }

    PGconn* c = (*conn)->handle();
    while (!stopping()) {
      pollfd fd{PQsocket(c), POLLIN, 0};
      if (fd.fd < 0) break;
      const int n = poll(&fd, 1, kPollMs);
      if (n < 0 && errno != EINTR) break;
      if (n <= 0) continue;
      if (PQconsumeInput(c) == 0) break;
      bool told = false;
      while (PGnotify* note = PQnotifies(c)) {
        told = true;
        PQfreemem(note);
      }
      if (told) signal_.Notify();
      if (PQstatus(c) != CONNECTION_OK) break;
    }
    if (stopping()) return;
    core::LogWarn("console", "live news: connection lost (" +
                                 (*conn)->ErrorMessage() + "); reconnecting");
    lost = true;
  }
}

}  // namespace sportello::storage
