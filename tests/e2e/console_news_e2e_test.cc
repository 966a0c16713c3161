// Two `serve` processes on one PostgreSQL database: a counsellor's live
// stream on one process hears at once of a message the other took, and
// still does after the database restarts. The streams' safety-net poll is
// set to a day, so only the database's notification (migration 14's
// triggers, each process's ChangeListener) can explain an event arriving.
// PostgreSQL only, on a cluster of the test's own (support::PgCluster): it
// is stopped mid-test, and no other test's commits reach it.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/support/pg_cluster.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;

// Generous: only news that never comes runs into it.
constexpr auto kDeadline = 30s;

// Streams GET /api/stream from `port` as `token`; once the stream has said
// hello, calls `then`, and reads until `want` has come, or the deadline.
// Returns what the stream sent.
std::string StreamUntil(int port, const std::string& token,
                        const std::function<void()>& then,
                        const std::string& want) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(
      std::chrono::duration_cast<std::chrono::seconds>(kDeadline).count(), 0);
  std::string got;
  bool said_hello = false;
  const auto start = std::chrono::steady_clock::now();
  client.Get(
      "/api/stream", {{"Authorization", "Bearer " + token}},
      [](const httplib::Response& res) { return res.status == 200; },
      [&](const char* data, size_t size) {
        got.append(data, size);
        if (!said_hello && got.find("event: hello") != std::string::npos) {
          said_hello = true;
          then();
        }
        return got.find(want) == std::string::npos &&
               std::chrono::steady_clock::now() - start < kDeadline;
      });
  return got;
}

TEST_CASE(
    "a stream on one process shows a message taken by another at once, also "
    "after PostgreSQL restarts") {
  support::PgCluster pg;
  REQUIRE_MESSAGE(pg.ok(), pg.error());
  Bot bot;  // process A: its port, fakes and environment
  bot.extra["SPORTELLO_DB"] = pg.uri();
  bot.extra["SPORTELLO_STREAM_POLL_SECONDS"] = "86400";
  REQUIRE(
      support::RunSportello({"users", "add", "anna", "--role", "counsellor"},
                            bot.Environment(), "correct-horse-battery\n")
          .exit_code == 0);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  const int port_b = support::FreePort();
  auto env_b = bot.Environment();
  env_b["SPORTELLO_LISTEN"] = support::LoopbackAddress(port_b);
  support::ServiceProcess b({"serve"}, env_b, bot.dir.File("b.log"));
  REQUIRE_MESSAGE(b.WaitHealthy(), b.LogText());

  // Signed in on B, streaming from A: sessions are the database's too.
  support::HttpClient http_b(port_b);
  auto login =
      http_b.Post("/api/login",
                  R"({"username":"anna","password":"correct-horse-battery"})");
  REQUIRE_MESSAGE(login.status == 200, login.body);
  const std::string token = login.Json()["token"];

  const std::string first = StreamUntil(
      bot.port, token,
      [&] { CHECK(http_b.PostChat("w1", "ciao").status == 200); },
      "event: message");
  CHECK_MESSAGE(first.find("event: message") != std::string::npos,
                first << "\nA:\n"
                      << bot.Log());
  CHECK(first.find("event: conversation") != std::string::npos);
  CHECK(first.find("ciao") == std::string::npos);  // ids, never texts

  // The database restarts: A's listener connects again by itself.
  REQUIRE(pg.Down());
  REQUIRE(pg.Up());
  auto http_a = bot.Http();
  int health = 0;
  for (int i = 0; i < 150 && health != 200; ++i) {
    health = http_a.Get("/healthz").status;
    if (health != 200) std::this_thread::sleep_for(200ms);
  }
  REQUIRE(health == 200);
  int said = 0;
  const std::string second = StreamUntil(
      bot.port, token,
      [&] {
        // B's connections may find the restart on their first statement.
        for (int i = 0; i < 50 && said != 200; ++i) {
          said = http_b.PostChat("w2", "buongiorno").status;
          if (said != 200) std::this_thread::sleep_for(200ms);
        }
      },
      "event: message");
  CHECK(said == 200);
  CHECK_MESSAGE(second.find("event: message") != std::string::npos,
                second << "\nA:\n"
                       << bot.Log());
}

}  // namespace
}  // namespace sportello::e2e
