#include "bot/http/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>

#include "bot/core/log.h"

namespace sportello::http {
namespace {

// The kernel's accept queue for bursts of new connections (httplib uses 5).
constexpr int kListenBacklog = 511;

Request ToRequest(const httplib::Request& req) {
  Request r;
  r.method = req.method;
  r.path = req.path;
  r.body = req.body;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(lower), value);
  }
  for (const auto& [name, value] : req.params) r.query.emplace(name, value);
  return r;
}

}  // namespace

core::Result<std::unique_ptr<Server>> Server::Start(const std::string& host,
                                                    int port, int threads,
                                                    Routes& routes) {
  std::unique_ptr<Server> s(new Server());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& svr = *s->server_;

  // A keep-alive connection holds its pool thread for its whole life.
  svr.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  svr.set_keep_alive_max_count(100000);
  // httplib notices a stop only between requests: an idle keep-alive
  // connection delays shutdown by up to this long.
  svr.set_keep_alive_timeout(5);
  svr.set_tcp_nodelay(true);
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(10, 0);
  svr.set_payload_max_length(kMaxWhatsAppBody);
  auto listen_fd = std::make_shared<std::atomic<int>>(-1);
  svr.set_socket_options([listen_fd](socket_t sock) {
    int yes = 1;
    // SO_REUSEADDR only (restart while old connections linger in TIME_WAIT);
    // httplib's default SO_REUSEPORT would let a second process share the port.
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd->store(sock);
  });

  auto handle = [&routes, stopping = s->stopping_](const httplib::Request& req,
                                                   httplib::Response& res) {
    Response out = routes.Handle(ToRequest(req));
    res.status = out.status;
    for (const auto& [name, value] : out.headers) res.set_header(name, value);
    if (!out.stream) {
      res.set_content(std::move(out.body), out.content_type);
      return;
    }
    // httplib calls the provider until done(); ours runs the whole stream in
    // one call. A zero-length write would end httplib's loop: never pass one.
    res.set_chunked_content_provider(
        out.content_type, [stream = std::move(out.stream), stopping](
                              size_t, httplib::DataSink& sink) {
          stream([&](std::string_view chunk) {
            if (stopping->load() || !sink.is_writable()) return false;
            return chunk.empty() || sink.write(chunk.data(), chunk.size());
          });
          sink.done();
          return true;
        });
  };
  for (const char* pattern : {".*"}) {
    svr.Get(pattern, handle);
    svr.Post(pattern, handle);
    svr.Put(pattern, handle);
    svr.Delete(pattern, handle);
    svr.Patch(pattern, handle);
  }
  svr.set_exception_handler([](const httplib::Request& req,
                               httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    core::LogError("http", req.method + " " + req.path + " threw: " + what);
    res.status = 500;
    res.set_content(R"({"error":"internal error"})", "application/json");
  });

  if (port == 0) {
    s->port_ = svr.bind_to_any_port(host);
    if (s->port_ <= 0)
      return core::Status::Unavailable("http: cannot bind " + host);
  } else {
    if (!svr.bind_to_port(host, port)) {
      return core::Status::Unavailable("http: cannot listen on " + host + ":" +
                                       std::to_string(port) +
                                       " (in use, or not allowed)");
    }
    s->port_ = port;
  }
  if (const int fd = listen_fd->load(); fd >= 0) ::listen(fd, kListenBacklog);
  s->thread_ =
      std::thread([raw = s.get()] { raw->server_->listen_after_bind(); });
  return s;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  stopping_->store(true);
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sportello::http
