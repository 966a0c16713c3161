// An httplib::Server on 127.0.0.1 at a port the kernel picks, served from its
// own thread: the base of the fake API servers. Register routes on http(),
// then Start(); the destructor stops the server and joins the thread.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>
#include <thread>

namespace sportello::fakes {

class LoopbackServer {
 public:
  // `threads` bounds concurrent connections: httplib 0.11.4 holds one pool
  // thread per keep-alive connection for the connection's whole life.
  explicit LoopbackServer(size_t threads = 32);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // REQUIRES: not started yet (httplib's route tables are not thread-safe).
  httplib::Server& http() { return server_; }

  // Binds and serves; returns once the server accepts connections.
  // Throws std::runtime_error when no port can be bound.
  void Start();

  int port() const { return port_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sportello::fakes
