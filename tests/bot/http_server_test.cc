// The HTTP server over real loopback connections, with a small handler:
// answers given later from other threads, streams, limits, stopping.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bot/web/server.h"
#include "tests/support/raw_http.h"

namespace sportello::testing {
namespace {

using namespace std::chrono_literals;

// POST /later is answered from another thread, in batches, the way the
// ingest writer answers webhooks after a commit. GET /echo reports what the
// server passed on. GET /stream writes a line every 10 ms until told to stop.
class TestHandler : public http::Handler {
 public:
  TestHandler() {
    replier_ = std::thread([this] { ReplyLoop(); });
  }
  ~TestHandler() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    replier_.join();
  }

  bool TryHandleAsync(const http::Request& r, http::Reply& reply) override {
    if (r.method != "POST" || r.path != "/later") return false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back({r.body, std::move(reply)});
    }
    cv_.notify_one();
    return true;
  }

  http::Response Handle(const http::Request& r) override {
    http::Response out;
    out.content_type = "text/plain";
    if (r.path == "/echo") {
      auto header = r.headers.find("x-test-header");
      auto query = r.query.find("who");
      out.body = r.method + " " +
                 (header == r.headers.end() ? "-" : header->second) + " " +
                 (query == r.query.end() ? "-" : query->second);
      return out;
    }
    if (r.path == "/stream") {
      out.content_type = "text/event-stream";
      out.stream = [this](const http::Response::Writer& write) {
        streams_open++;
        for (int i = 0;; ++i) {
          if (!write("line " + std::to_string(i) + "\n")) break;
          std::this_thread::sleep_for(10ms);
        }
        streams_open--;
        streams_ended++;
      };
      return out;
    }
    if (r.path == "/throw") throw std::runtime_error("a bug");
    out.status = 404;
    return out;
  }

  std::atomic<int> streams_open{0};
  std::atomic<int> streams_ended{0};

 private:
  struct Pending {
    std::string body;
    http::Reply reply;
  };
  void ReplyLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;
      std::deque<Pending> batch;
      batch.swap(pending_);
      lock.unlock();
      std::this_thread::sleep_for(200us);  // a commit
      for (auto& p : batch) {
        http::Response out;
        out.content_type = "text/plain";
        out.body = "got " + std::to_string(p.body.size());
        p.reply(std::move(out));
      }
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  std::thread replier_;
};

struct Running {
  TestHandler handler;
  std::unique_ptr<http::Server> server;
  Running() {
    auto s = http::Server::Start("127.0.0.1", 0, 8, handler);
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(10, 0);
    return c;
  }
};

// Waits up to 5 s for `done`.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST_CASE(
    "an answer given later by another thread reaches the client, again and "
    "again on one kept-alive connection") {
  Running r;
  auto client = r.Client();
  client.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    auto res = client.Post("/later", std::string(static_cast<size_t>(i), 'x'),
                           "text/plain");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "got " + std::to_string(i));
  }
}

TEST_CASE("64 connections waiting at once for their answers all get them") {
  Running r;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c) {
    clients.emplace_back([&] {
      auto client = r.Client();
      client.set_keep_alive(true);
      for (int i = 0; i < 20; ++i) {
        auto res = client.Post("/later", "abc", "text/plain");
        if (res && res->status == 200 && res->body == "got 3") ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(ok == 64 * 20);
}

TEST_CASE(
    "the handler sees the method, the query and headers with lowercased "
    "names") {
  Running r;
  auto res = r.Client().Get("/echo?who=Lia%20B", {{"X-Test-Header", "hello"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "GET hello Lia B");
  CHECK(res->get_header_value("Content-Type") == "text/plain");
}

TEST_CASE(
    "a body announced over the limit is refused with 413 before it is sent, "
    "and the server keeps serving") {
  Running r;
  const std::string answer = support::RawExchange(
      r.server->port(),
      "POST /later HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
      "Content-Length: " +
          std::to_string(http::kMaxRequestBody + 1) + "\r\n\r\n");
  CHECK(answer.starts_with("HTTP/1.1 413"));
  CHECK(answer.find("body too large") != std::string::npos);
  auto after = r.Client().Post("/later", "ok", "text/plain");
  REQUIRE(after);
  CHECK(after->body == "got 2");
}

TEST_CASE(
    "a chunked body that grows over the limit is refused with 413 or cut "
    "off, and the server keeps serving") {
  Running r;
  std::string head =
      "POST /later HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(1024 * 1024, 'x');
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 4; ++i) head += size + chunk + "\r\n";
  head += "0\r\n\r\n";
  const std::string answer = support::RawExchange(r.server->port(), head);
  CHECK((answer.empty() || answer.starts_with("HTTP/1.1 413")));
  CHECK(answer.find("got ") == std::string::npos);  // never handed on
  auto after = r.Client().Post("/later", "ok", "text/plain");
  REQUIRE(after);
  CHECK(after->body == "got 2");
}

TEST_CASE(
    "a NUL or a broken escape in the path or the query is a 400, never a "
    "shorter path") {
  Running r;
  const auto get = [&](const std::string& target) {
    return support::RawExchange(r.server->port(),
                                "GET " + target +
                                    " HTTP/1.1\r\nHost: x\r\n"
                                    "Connection: close\r\n\r\n");
  };
  for (const char* target :
       {"/echo%00", "/echo%00/x", "/ech%6f%00", "/echo%", "/echo%4", "/echo%zz",
        "/echo?who=a%00b", "/echo?who=%0", "/echo?wh%00o=a"}) {
    CAPTURE(target);
    const std::string answer = get(target);
    CHECK(answer.starts_with("HTTP/1.1 400"));
    CHECK(answer.find("GET ") == std::string::npos);  // never handed on
  }
  // Well-formed escapes are decoded as before.
  const std::string ok = get("/ech%6F?who=L%C3%ACa+B");
  CHECK(ok.starts_with("HTTP/1.1 200"));
  CHECK(ok.find("GET - L\xC3\xAC"
                "a B") != std::string::npos);
}

TEST_CASE("a handler that throws gives a 500 and the server goes on") {
  Running r;
  auto res = r.Client().Get("/throw");
  REQUIRE(res);
  CHECK(res->status == 500);
  auto after = r.Client().Get("/echo");
  REQUIRE(after);
  CHECK(after->status == 200);
}

TEST_CASE("a second server cannot take a port that is in use") {
  Running r;
  TestHandler other;
  auto second = http::Server::Start("127.0.0.1", r.server->port(), 2, other);
  CHECK_FALSE(second.ok());
}

TEST_CASE(
    "a stream arrives line by line, and its writer stops when the client "
    "hangs up") {
  Running r;
  int lines = 0;
  std::string received;
  auto client = r.Client();
  auto res = client.Get("/stream", [&](const char* data, size_t size) {
    received.append(data, size);
    lines =
        static_cast<int>(std::count(received.begin(), received.end(), '\n'));
    return lines < 3;  // then hang up
  });
  CHECK(lines >= 3);
  CHECK(received.starts_with("line 0\nline 1\nline 2\n"));
  CHECK(Eventually([&] { return r.handler.streams_ended == 1; }));
  CHECK(r.handler.streams_open == 0);
}

TEST_CASE("stopping the server ends open streams and then returns") {
  Running r;
  std::thread listener([&] {
    auto client = r.Client();
    client.Get("/stream", [](const char*, size_t) { return true; });
  });
  REQUIRE(Eventually([&] { return r.handler.streams_open == 1; }));
  r.server->Stop();
  CHECK(r.handler.streams_open == 0);
  CHECK(r.handler.streams_ended == 1);
  listener.join();
  auto refused = r.Client().Get("/echo");
  CHECK_FALSE(refused);  // nobody listens any more
}

}  // namespace
}  // namespace sportello::testing
