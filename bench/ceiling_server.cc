// The ceiling of the load benchmark: a cpp-httplib server tuned exactly like
// sportello's (bot/web/server.cc: pool sized to connections, long keep-alive,
// TCP_NODELAY, backlog 511, no SO_REUSEPORT) that answers every request with
// a fixed 200 and does nothing else. What sportello reaches as a share of it
// is the cost of our work, not of the HTTP library. bench/run also uses it as
// the Telegram API sink: its fixed body is a valid sendMessage answer.
//
//   ceiling_server [--listen 127.0.0.1:0] [--threads 96]
// Prints "listening 127.0.0.1:<port>" once it accepts connections.
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr int kListenBacklog = 511;
constexpr char kBody[] =
    R"({"ok":true,"result":{"message_id":1,"date":1795000000,"chat":{"id":1,"type":"private"},"text":"ok"}})";

int Usage() {
  std::fprintf(stderr,
               "usage: ceiling_server [--listen HOST:PORT] [--threads N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int threads = 96;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
      listen = argv[++i];
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else {
      return Usage();
    }
  }
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || threads <= 0) return Usage();
  const std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);

  httplib::Server svr;
  svr.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(30);
  svr.set_tcp_nodelay(true);
  std::atomic<int> listen_fd{-1};
  svr.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  auto fixed = [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kBody, sizeof kBody - 1, "application/json");
  };
  svr.Get(".*", fixed);
  svr.Post(".*", fixed);

  if (port == 0) {
    port = svr.bind_to_any_port(host);
  } else if (!svr.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "ceiling_server: cannot listen on %s\n",
                 listen.c_str());
    return 1;
  }
  if (listen_fd >= 0) ::listen(listen_fd, kListenBacklog);
  std::printf("listening %s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  return svr.listen_after_bind() ? 0 : 1;
}
