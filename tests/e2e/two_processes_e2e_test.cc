// Two `serve` processes on one PostgreSQL database behind a real load
// balancer (Debian's HAProxy): any process takes any webhook, one dies by
// kill -9 in the middle of a burst, and still every acknowledged update is
// processed exactly once, in order per chat. PostgreSQL only: SQLite has one
// server per file.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;

constexpr const char* kHaproxy = "/usr/sbin/haproxy";

// Round robin over both processes, checked every 200 ms; a request that
// cannot reach one process is sent to the other (redispatch).
std::string HaproxyConfig(int listen, int a, int b) {
  return "global\n  maxconn 512\n"
         "defaults\n  mode http\n  timeout connect 1s\n"
         "  timeout client 30s\n  timeout server 30s\n"
         "  retries 3\n  option redispatch\n"
         "frontend in\n  bind " +
         support::LoopbackAddress(listen) +
         "\n  default_backend bots\n"
         "backend bots\n  balance roundrobin\n  option httpchk GET /healthz\n"
         "  server a " +
         support::LoopbackAddress(a) +
         " check inter 200ms fall 1 rise 2\n"
         "  server b " +
         support::LoopbackAddress(b) + " check inter 200ms fall 1 rise 2\n";
}

TEST_CASE(
    "two processes behind HAProxy, one killed mid-burst: every acknowledged "
    "update is processed once, in order per chat") {
  if (!support::TestOnPostgres()) {
    MESSAGE("PostgreSQL only (the @pg run): SQLite has one server per file");
    return;
  }
  Bot bot;  // its fakes, database and environment serve both processes
  const int port_a = support::FreePort();
  const int port_b = support::FreePort();
  auto env_a = bot.Environment();
  auto env_b = bot.Environment();
  env_a["SPORTELLO_LISTEN"] = support::LoopbackAddress(port_a);
  env_b["SPORTELLO_LISTEN"] = support::LoopbackAddress(port_b);
  // One migrates first; the second then finds the schema there.
  auto a = std::make_unique<support::ServiceProcess>(
      std::vector<std::string>{"serve"}, env_a, bot.dir.File("a.log"));
  REQUIRE_MESSAGE(a->WaitHealthy(), a->LogText());
  support::ServiceProcess b({"serve"}, env_b, bot.dir.File("b.log"));
  REQUIRE_MESSAGE(b.WaitHealthy(), b.LogText());

  const int lb_port = support::FreePort();
  {
    std::ofstream cfg(bot.dir.File("haproxy.cfg"));
    cfg << HaproxyConfig(lb_port, port_a, port_b);
  }
  support::ServiceProcess lb({"-f", bot.dir.File("haproxy.cfg"), "-db"}, {},
                             bot.dir.File("haproxy.log"), kHaproxy);
  REQUIRE_MESSAGE(lb.WaitHealthy(15s, support::LoopbackAddress(lb_port)),
                  lb.LogText());

  // Chats write one message after another (the next once the last was
  // acknowledged, as Telegram delivers a chat's updates), every update is
  // delivered twice, and a delivery that fails is retried until a 200.
  constexpr int kChats = 12;
  constexpr int kPerChat = 8;
  std::atomic<int> acknowledged{0};
  std::atomic<int> failures{0};
  auto deliver = [&](const nlohmann::json& update) {
    support::HttpClient http(lb_port);
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (http.PostTelegramUpdate(update, kTelegramSecret).status == 200)
        return true;
      failures.fetch_add(1);
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  std::vector<std::thread> chats;
  std::atomic<bool> all_delivered{true};
  for (int c = 0; c < kChats; ++c) {
    chats.emplace_back([&, c] {
      const int64_t chat = 7'700'000 + c;
      for (int m = 0; m < kPerChat; ++m) {
        const int64_t update_id = 100'000 + c * 100 + m;
        const auto update =
            tg::TextMessage(update_id, chat, "grazie " + std::to_string(m));
        if (!deliver(update) || !deliver(update)) all_delivered = false;
        acknowledged.fetch_add(1);
      }
    });
  }
  while (acknowledged.load() < kChats * kPerChat / 3)
    std::this_thread::sleep_for(5ms);
  a->Kill9();
  for (auto& t : chats) t.join();
  REQUIRE(all_delivered.load());

  // Process B works off whatever A left.
  const int total = kChats * kPerChat;
  int64_t pending = -1;
  for (int i = 0; i < 600; ++i) {
    pending =
        bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL");
    if (pending == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK_MESSAGE(pending == 0, b.LogText());
  CHECK(bot.Count("SELECT count(*) FROM inbox") == total);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") ==
        total);
  CHECK(bot.Count("SELECT count(DISTINCT inbox_id) FROM messages"
                  " WHERE direction = 'in'") == total);
  // In order: within each conversation, the texts' numbers never go down.
  CHECK(bot.Count("SELECT count(*) FROM messages m JOIN messages n"
                  " ON n.conversation_id = m.conversation_id AND n.id > m.id"
                  " WHERE m.direction = 'in' AND n.direction = 'in'"
                  " AND CAST(substr(n.text, 8) AS INTEGER) <"
                  " CAST(substr(m.text, 8) AS INTEGER)") == 0);
  CHECK(bot.Count("SELECT count(DISTINCT conversation_id) FROM messages") ==
        kChats);
  MESSAGE("deliveries retried after a failure: " << failures.load());
}

}  // namespace
}  // namespace sportello::e2e
