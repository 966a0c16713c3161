// What an HTTP server hands its requests to, and gets answers from: plain
// values, no sockets, so the endpoints (bot/web/routes.h) are tested without
// a network and the server (bot/web/server.h) with any handler.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sportello::http {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
  std::map<std::string, std::string> query;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Writes one chunk to the client; false once it is gone or the server is
  // stopping. An empty chunk sends nothing and only asks.
  using Writer = std::function<bool(std::string_view chunk)>;
  // Set for a streamed answer (server-sent events) instead of `body`: runs
  // on a thread of its own, writing until `write` returns false.
  std::function<void(const Writer& write)> stream;
};

// The largest body any endpoint takes (a WhatsApp batch, up to 3 MB): the
// server refuses a larger one with 413 without reading it.
inline constexpr size_t kMaxRequestBody = 3 * 1024 * 1024 + 64 * 1024;

// Answers a request, exactly once, from whichever thread finishes it.
using Reply = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;

  // For requests answered without a thread waiting (the webhooks): called on
  // the server's event loop, so it must not block; answers through `reply`,
  // now or later from any thread. Returns false, leaving `reply` unused, for
  // a request it does not take: the server then calls Handle on a worker.
  virtual bool TryHandleAsync(const Request& request, Reply& reply) = 0;

  // Answers on the calling thread, which may wait.
  virtual Response Handle(const Request& request) = 0;
};

}  // namespace sportello::http
