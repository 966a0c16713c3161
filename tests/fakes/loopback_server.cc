#include "tests/fakes/loopback_server.h"

#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

namespace sportello::fakes {

LoopbackServer::LoopbackServer(size_t threads) {
  server_.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(100000);
  // An idle keep-alive connection holds a pool thread and delays stop() by up
  // to this long; clients reconnect transparently.
  server_.set_keep_alive_timeout(1);
  // httplib's default options set SO_REUSEPORT, which would let two servers
  // share a port silently. Fakes get a fresh port each, so plain REUSEADDR.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

LoopbackServer::~LoopbackServer() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

void LoopbackServer::Start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0)
    throw std::runtime_error("fake server: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib 0.11.4 has no readiness signal, and stop() before the listen loop
  // runs is lost (the thread would never return): wait until it runs.
  while (!server_.is_running())
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

}  // namespace sportello::fakes
