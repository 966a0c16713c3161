// The HTTP listener: cpp-httplib tuned for many keep-alive connections
// (see DEPENDENCIES.md), handing every request to Routes.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "bot/core/status.h"
#include "bot/http/routes.h"

namespace httplib {
class Server;
}

namespace sportello::http {

class Server {
 public:
  // Binds host:port (port 0 picks a free one) and starts serving on
  // `threads` threads. Fails when the port is taken: no SO_REUSEPORT, so a
  // second process can never silently share our port and database.
  static core::Result<std::unique_ptr<Server>> Start(const std::string& host,
                                                     int port, int threads,
                                                     Routes& routes);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  // Stops accepting, finishes requests in progress.
  void Stop();

 private:
  Server() = default;
  std::unique_ptr<httplib::Server> server_;
  // Set by Stop(): streamed answers end instead of holding a thread forever.
  std::shared_ptr<std::atomic<bool>> stopping_ =
      std::make_shared<std::atomic<bool>>(false);
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sportello::http
