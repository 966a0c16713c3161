// Fixed-rate load generator (Debian has no wrk2): POSTs distinct Telegram
// updates at a steady rate over keep-alive connections and reports latency
// percentiles. Request k is due at start + k / rate; its latency runs from
// that due time to the end of the response, so a stall delays and counts
// every request behind it (no coordinated omission, as in wrk2).
//
//   paced_load --target 127.0.0.1:8080 [--rate 1000] [--duration 10]
//              [--connections 16] [--secret S] [--first-id 1] [--chats 10000]
//              [--path /webhook/telegram]
// Prints a human line and "RESULT sent=.. ok=.. rate=.. p50_us=.. p99_us=..
// max_us=..".
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/texts.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/webhook/telegram";
  double rate = 1000;
  double duration_s = 10;
  int connections = 16;
  std::string secret;
  int64_t first_id = 1;
  int64_t chats = 10000;
};

// A private-chat text message from one of `chats` people.
std::string UpdateBody(int64_t update_id, const Options& o) {
  const int64_t chat = 100000000 + (update_id * 7919) % o.chats;
  const char* text =
      sportello::bench::kTexts[update_id % static_cast<int64_t>(std::size(
                                               sportello::bench::kTexts))];
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      R"({"update_id":%)" PRId64 R"(,"message":{"message_id":%)" PRId64
      R"(,"from":{"id":%)" PRId64
      R"(,"is_bot":false,"first_name":"Giulia","language_code":"it"},"chat":{"id":%)" PRId64
      R"(,"first_name":"Giulia","type":"private"},"date":1795000000,"text":"%s"}})",
      update_id, update_id, chat, chat, text);
  return buf;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--target") {
      const std::string t = v;
      const size_t colon = t.rfind(':');
      if (colon == std::string::npos) return false;
      o->host = t.substr(0, colon);
      o->port = std::atoi(t.c_str() + colon + 1);
    } else if (flag == "--path") {
      o->path = v;
    } else if (flag == "--rate") {
      o->rate = std::atof(v);
    } else if (flag == "--duration") {
      o->duration_s = std::atof(v);
    } else if (flag == "--connections") {
      o->connections = std::atoi(v);
    } else if (flag == "--secret") {
      o->secret = v;
    } else if (flag == "--first-id") {
      o->first_id = std::atoll(v);
    } else if (flag == "--chats") {
      o->chats = std::max<int64_t>(1, std::atoll(v));
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && o->rate > 0 && o->duration_s > 0 &&
         o->connections > 0;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(
      p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(
        stderr,
        "usage: paced_load --target HOST:PORT [--rate R] [--duration S] "
        "[--connections N]\n"
        "       [--secret S] [--first-id ID] [--chats N] [--path P]\n");
    return 2;
  }
  const int64_t total = static_cast<int64_t>(o.rate * o.duration_s);
  const auto period = std::chrono::duration<double>(1.0 / o.rate);
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  std::mutex mu;                      // guards latencies_us and service_us
  std::vector<int64_t> latencies_us;  // from the due time: what a sender sees
  std::vector<int64_t> service_us;  // from the actual send: the server's share
  latencies_us.reserve(static_cast<size_t>(total));
  service_us.reserve(static_cast<size_t>(total));
  const auto start =
      Clock::now() + std::chrono::milliseconds(100);  // all connections ready
  // Requests still unsent this long after the run should have ended are
  // dropped (counted as failed), so a stalled server cannot hang the bench.
  const auto give_up =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(o.duration_s + 10));
  std::atomic<int64_t> unsent{0};

  std::vector<std::thread> workers;
  for (int c = 0; c < o.connections; ++c) {
    workers.emplace_back([&] {
      httplib::Client client(o.host, o.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_connection_timeout(std::chrono::seconds(5));
      client.set_read_timeout(std::chrono::seconds(5));
      httplib::Headers headers;
      if (!o.secret.empty())
        headers.emplace("X-Telegram-Bot-Api-Secret-Token", o.secret);
      std::vector<int64_t> mine;
      std::vector<int64_t> mine_service;
      for (int64_t k = next++; k < total; k = next++) {
        const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                     period * static_cast<double>(k));
        if (Clock::now() > give_up) {
          ++unsent;  // the server stalled: don't hang the benchmark
          continue;
        }
        const std::string body = UpdateBody(o.first_id + k, o);
        std::this_thread::sleep_until(due);
        const auto sent = Clock::now();
        auto res = client.Post(o.path, headers, body, "application/json");
        const auto done = Clock::now();
        if (res && res->status == 200) {
          ++ok;
        } else {
          ++failed;
        }
        mine.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(done - due)
                .count());
        mine_service.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(done - sent)
                .count());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      service_us.insert(service_us.end(), mine_service.begin(),
                        mine_service.end());
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();

  std::sort(latencies_us.begin(), latencies_us.end());
  std::sort(service_us.begin(), service_us.end());
  const int64_t p50 = Percentile(latencies_us, 50);
  const int64_t p99 = Percentile(latencies_us, 99);
  const int64_t max = latencies_us.empty() ? 0 : latencies_us.back();
  const int64_t sent = total - unsent.load();
  const int64_t not_ok = failed.load() + unsent.load();
  std::printf("paced: %" PRId64 " requests due at %.0f/s over %d connections",
              total, o.rate, o.connections);
  std::printf(" in %.1f s: %" PRId64 " ok, %" PRId64 " failed (%" PRId64
              " never sent)\n",
              elapsed, ok.load(), not_ok, unsent.load());
  std::printf(
      "       latency from the due time: p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms\n",
      p50 / 1000.0, p99 / 1000.0, max / 1000.0);
  std::printf(
      "       from the actual send (without the generator's own "
      "lateness): p50 %.2f ms, p99 %.2f ms\n",
      Percentile(service_us, 50) / 1000.0, Percentile(service_us, 99) / 1000.0);
  std::printf("RESULT sent=%" PRId64 " ok=%" PRId64 " failed=%" PRId64
              " unsent=%" PRId64 " rate=%.1f p50_us=%" PRId64 " p99_us=%" PRId64
              " max_us=%" PRId64 " service_p99_us=%" PRId64 "\n",
              sent, ok.load(), not_ok, unsent.load(),
              static_cast<double>(sent) / elapsed, p50, p99, max,
              Percentile(service_us, 99));
  return not_ok == 0 ? 0 : 1;
}
