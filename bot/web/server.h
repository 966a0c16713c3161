// The HTTP listener, on GNU libmicrohttpd: an epoll event loop per core holds
// every connection, so no thread sits on an idle keep-alive connection and
// none waits for the disk. Webhook posts are checked on the loop and answered
// by the ingest writer once committed (Handler::TryHandleAsync); every other
// request runs on a pool of worker threads, because those may wait (for the
// database, for the bot's answer to the web chat, between server-sent events).
#pragma once

#include <memory>
#include <string>

#include "bot/core/status.h"
#include "bot/web/handler.h"

namespace sportello::http {

class Server {
 public:
  // Binds host:port (port 0 picks a free one) and starts serving, with
  // `workers` threads for the requests that may wait. Fails when the port is
  // taken: no SO_REUSEPORT, so a second process can never silently share our
  // port and database.
  static core::Result<std::unique_ptr<Server>> Start(const std::string& host,
                                                     int port, int workers,
                                                     Handler& handler);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  // Stops accepting, answers the requests in progress (streams end), then
  // closes every connection.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sportello::http
