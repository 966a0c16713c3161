// Pacing of a broadcast through the real sender: fans out one broadcast to N
// subscribers (default 100,000) on a fresh SQLite file with the shipped
// settings (WAL, synchronous=FULL), then runs the real OutboxSender against
// a fake Telegram Bot API (or WhatsApp Cloud API) on loopback, real HTTP, in
// a child process, at the configured rate for a measured window. Prints the
// fake's own capacity, the enqueue time, the RSS, the calls the fake
// received in the window, the achieved rate, the busiest 100 ms and 1 s,
// the sender's CPU per message and the connections it opened; with
// --finish, also the time until every recipient was sent.
//
//   build/bench/broadcast_pacing [--recipients N] [--seconds S] [--rate R]
//       [--channel telegram|whatsapp] [--latency-ms L] [--threads T]
//       [--finish] [--dir DIR] [--db URI]
//
// --db runs on that database instead of a fresh SQLite file in DIR: a
// PostgreSQL URI of an empty database (the sender then also settles with
// the pace that processes share there, storage/channel_pace.h).
//
// Defaults come from BENCH_RECIPIENTS, BENCH_SECONDS, BENCH_RATE (else
// TELEGRAM_RATE_PER_SEC / WHATSAPP_RATE_PER_SEC, else 25 / 80),
// BENCH_LATENCY_MS (0: the fake answers at once) and BENCH_CHANNEL; the
// threads default to what `serve` derives from the rate (SenderThreadsFor).
// bench/run_pacing builds Release and runs it.
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bot/channels/api_client.h"
#include "bot/core/clock.h"
#include "bot/outbound/outbox_sender.h"
#include "bot/outbound/sender_threads.h"
#include "storage/broadcasts.h"
#include "storage/store.h"

namespace {

using Steady = std::chrono::steady_clock;

using sportello::bench::Ms;
using sportello::bench::ProcStatus;

void Check(const sportello::core::Status& s, const char* what) {
  sportello::bench::Check(s, "broadcast_pacing", what);
}

std::string Env(const char* key, const std::string& fallback) {
  const char* v = std::getenv(key);
  return v && *v ? v : fallback;
}

// The platform's side, run in a child process (forked before any thread)
// so that the sender's CPU time is its own: answers every send as accepted,
// after `latency_ms` (Meta answers in ~100-300 ms), and notes when it
// arrived. One server thread per connection, keep-alive without limit,
// TCP_NODELAY: the fake must not be the bottleneck. GET /stats?from=&to=
// (steady-clock ns, the same clock in both processes) reports the arrivals
// in [from, to) and the busiest 100 ms and 1 s windows among them.
class FakeApi {
 public:
  static constexpr const char* kToken = "123:bench";
  static constexpr const char* kPhoneNumberId = "1000";

  FakeApi(int latency_ms, int threads) : latency_ms_(latency_ms) {
    server_.new_task_queue = [threads] {
      return new httplib::ThreadPool(static_cast<size_t>(threads));
    };
    server_.set_keep_alive_max_count(1'000'000);
    server_.set_tcp_nodelay(true);
    server_.Post("/bot123:bench/sendMessage", [this](const httplib::Request&,
                                                     httplib::Response& res) {
      const int64_t id = Arrived();
      res.set_content(
          nlohmann::json{{"ok", true}, {"result", {{"message_id", id}}}}.dump(),
          "application/json");
    });
    server_.Post("/v21.0/1000/messages", [this](const httplib::Request&,
                                                httplib::Response& res) {
      const int64_t id = Arrived();
      res.set_content(
          nlohmann::json{
              {"messaging_product", "whatsapp"},
              {"messages", {{{"id", "wamid.bench" + std::to_string(id)}}}}}
              .dump(),
          "application/json");
    });
    server_.Post("/probe",
                 [this](const httplib::Request&, httplib::Response& res) {
                   Delay();
                   res.set_content("{}", "application/json");
                 });
    server_.Get(
        "/stats", [this](const httplib::Request& req, httplib::Response& res) {
          const Steady::time_point from(
              Steady::duration(std::stoll(req.get_param_value("from"))));
          const Steady::time_point to(
              Steady::duration(std::stoll(req.get_param_value("to"))));
          std::vector<Steady::time_point> in;
          {
            std::lock_guard<std::mutex> lock(mu_);
            for (auto t : arrivals_)
              if (t >= from && t < to) in.push_back(t);
          }
          std::sort(in.begin(), in.end());
          auto busiest = [&](Steady::duration width) {
            size_t most = 0, first = 0;
            for (size_t last = 0; last < in.size(); ++last) {
              while (in[last] - in[first] >= width) ++first;
              most = std::max(most, last - first + 1);
            }
            return most;
          };
          res.set_content(
              nlohmann::json{
                  {"count", in.size()},
                  {"busiest_100ms", busiest(std::chrono::milliseconds(100))},
                  {"busiest_1s", busiest(std::chrono::seconds(1))}}
                  .dump(),
              "application/json");
        });
    // httplib listens with a backlog of 5: hundreds of connections opened
    // at once would lose SYNs and wait 1 s each. Listen again, deeper.
    server_.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_fd_ = sock;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ::listen(listen_fd_, 4096);
  }

  int port() const { return port_; }
  void Serve() { server_.listen_after_bind(); }

 private:
  void Delay() const {
    if (latency_ms_ > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms_));
  }
  int64_t Arrived() {
    int64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      arrivals_.push_back(Steady::now());
      id = static_cast<int64_t>(arrivals_.size());
    }
    Delay();
    return id;
  }

  const int latency_ms_;
  httplib::Server server_;
  int port_ = 0;
  socket_t listen_fd_ = -1;
  mutable std::mutex mu_;  // guards arrivals_
  std::vector<Steady::time_point> arrivals_;
};

// Starts the fake in a child process; returns its port. The child ends when
// the parent does (its pipe closes).
int StartFakeApi(int latency_ms, int threads) {
  int port_pipe[2];
  int life_pipe[2];
  if (::pipe(port_pipe) != 0 || ::pipe(life_pipe) != 0) std::exit(1);
  const pid_t pid = ::fork();
  if (pid < 0) std::exit(1);
  if (pid == 0) {
    ::close(port_pipe[0]);
    ::close(life_pipe[1]);
    FakeApi api(latency_ms, threads);
    const int port = api.port();
    if (::write(port_pipe[1], &port, sizeof(port)) != sizeof(port))
      std::_Exit(1);
    std::thread serve([&] { api.Serve(); });
    char c;
    while (::read(life_pipe[0], &c, 1) > 0) {
    }
    std::_Exit(0);  // the parent is gone
  }
  ::close(port_pipe[1]);
  ::close(life_pipe[0]);  // life_pipe[1] stays open until we exit
  int port = 0;
  if (::read(port_pipe[0], &port, sizeof(port)) != sizeof(port)) std::exit(1);
  return port;
}

nlohmann::json Stats(int port, Steady::time_point from, Steady::time_point to) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get(
      "/stats?from=" + std::to_string(from.time_since_epoch().count()) +
      "&to=" + std::to_string(to.time_since_epoch().count()));
  if (!res || res->status != 200) return nlohmann::json{{"count", -1}};
  return nlohmann::json::parse(res->body);
}

// What the fake answers at most with `clients` keep-alive connections
// posting as fast as they can for `seconds`, in calls/s (client included).
// `nodelay` false leaves Nagle's algorithm on, to show what TCP_NODELAY
// saves: cpp-httplib writes a request's headers and body with two send()
// calls, and the body then waits for the server's delayed ACK.
double ProbeCapacity(int port, int clients, double seconds,
                     bool nodelay = true) {
  std::atomic<int64_t> calls{0};
  std::atomic<int> connected{0};
  std::atomic<bool> counting{false};
  std::atomic<bool> go{true};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(nodelay);
      const std::string body(300, 'x');  // about a rendered send
      (void)client.Post("/probe", body, "application/json");  // connects
      ++connected;
      while (go) {
        auto res = client.Post("/probe", body, "application/json");
        if (res && res->status == 200 && counting) ++calls;
      }
    });
  }
  while (connected < clients)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  counting = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  counting = false;
  go = false;
  for (auto& t : threads) t.join();
  return static_cast<double>(calls) / seconds;
}

// CPU time of the calling thread alone.
double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double CpuSeconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sportello;
  std::string channel = Env("BENCH_CHANNEL", "telegram");
  int64_t recipients = std::atoll(Env("BENCH_RECIPIENTS", "100000").c_str());
  double seconds = std::atof(Env("BENCH_SECONDS", "60").c_str());
  std::string rate_text = Env("BENCH_RATE", "");
  int latency_ms = std::atoi(Env("BENCH_LATENCY_MS", "0").c_str());
  int threads = 0;  // --threads, else what serve derives from the rate
  bool finish = false;
  std::string db_uri;  // --db: instead of a fresh SQLite file
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("sportello-pacing-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--finish") {
      finish = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "broadcast_pacing: %s needs a value\n",
                   flag.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--recipients") {
      recipients = std::atoll(value.c_str());
    } else if (flag == "--seconds") {
      seconds = std::atof(value.c_str());
    } else if (flag == "--rate") {
      rate_text = value;
    } else if (flag == "--channel") {
      channel = value;
    } else if (flag == "--latency-ms") {
      latency_ms = std::atoi(value.c_str());
    } else if (flag == "--threads") {
      threads = std::atoi(value.c_str());
    } else if (flag == "--dir") {
      dir = value;
    } else if (flag == "--db") {
      db_uri = value;
    } else {
      std::fprintf(stderr, "broadcast_pacing: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const bool telegram = channel == "telegram";
  if (!telegram && channel != "whatsapp") {
    std::fprintf(stderr, "broadcast_pacing: --channel telegram|whatsapp\n");
    return 2;
  }
  if (rate_text.empty()) {
    rate_text = telegram ? Env("TELEGRAM_RATE_PER_SEC", "25")
                         : Env("WHATSAPP_RATE_PER_SEC", "80");
  }
  const double rate = std::atof(rate_text.c_str());
  if (threads == 0 && rate > 0) threads = SenderThreadsFor(rate);
  if (recipients < 1 || seconds <= 0 || rate <= 0 || threads < 1 ||
      latency_ms < 0) {
    std::fprintf(stderr,
                 "broadcast_pacing: bad recipients/seconds/rate/threads\n");
    return 2;
  }
  // Before any thread exists in this process.
  const int port = StartFakeApi(latency_ms, threads + 64);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const double capacity = ProbeCapacity(port, threads, 2.0);
  const double one_nagle = ProbeCapacity(port, 1, 1.0, false);
  const double one_nodelay = ProbeCapacity(port, 1, 1.0, true);

  std::filesystem::create_directories(dir);
  std::string path = db_uri;
  if (path.empty()) {
    path = (dir / "pacing.db").string();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path + suffix);
  }
  auto store = storage::Store::Open(path);
  Check(store.status(), "open");
  core::SystemClock clock;
  const int64_t now = clock.NowMillis();

  int64_t broadcast_id = 0;
  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    storage::Statement st = db.Prepare(
        "INSERT INTO users(channel, external_id, chat_id, language,"
        " consent_version, consent_at, notify, created_at, last_inbound_at)"
        " VALUES(?1, ?2, ?2, 'it', 'v1', ?3, 1, ?3, ?3)");
    for (int64_t i = 0; i < recipients; ++i) {
      st.Reset();
      st.Bind(1, channel)
          .Bind(2, std::to_string(393'300'000'000LL + i))
          .Bind(3, now);
      if (auto s = st.Run(); !s.ok()) return s;
    }
    storage::NewBroadcast b;
    b.payload_it =
        R"({"channel":"web","chat_id":"","kind":"text","text":"Recruiting day giovedì 3 dicembre alla Fiera del Levante"})";
    b.payload_en = b.payload_it;
    b.send_at = now;
    auto id = storage::CreateBroadcast(db, b, now);
    if (!id.ok()) return id.status();
    broadcast_id = *id;
    return core::Status::Ok();
  }),
        "subscribers");

  const auto fan_start = Steady::now();
  int64_t enqueued = 0;
  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    auto rows = storage::FanOutDueBroadcasts(db, clock.NowMillis());
    if (!rows.ok()) return rows.status();
    enqueued = *rows;
    return core::Status::Ok();
  }),
        "fan-out");
  const auto fan = Steady::now() - fan_start;
  if ((*store)->is_postgres()) {
    // A table grown from empty to N rows in one commit has no statistics
    // until autovacuum's next ANALYZE (up to a minute): the claim's query
    // then scans every row (400 ms at 100,000) instead of the first few
    // of outbox_claim (0.2 ms). Measured here is the sender, not that.
    Check((*store)->Write(
              [](storage::Database& db) { return db.Exec("ANALYZE outbox"); }),
          "analyze");
  }
  const std::string rss_enqueued = ProcStatus("VmRSS");

  std::unique_ptr<channels::ChannelSender> api_sender =
      telegram ? channels::MakeTelegramSender({url, FakeApi::kToken})
               : channels::MakeWhatsAppSender(
                     {url + "/v21.0", "token", FakeApi::kPhoneNumberId});
  const core::Channel ch =
      telegram ? core::Channel::kTelegram : core::Channel::kWhatsApp;
  SenderOptions options;  // the service's defaults, no quiet hours
  options.rate_per_sec[ch] = rate;
  options.threads = threads;
  OutboxSender sender(**store, clock, nullptr, {{ch, api_sender.get()}},
                      options);
  // Rows 'sending' (claimed or handed over) and rows handed over at once:
  // what a crash could leave, and what it could leave in doubt. Through the
  // broadcast's index, and its CPU time kept out of the sender's: a scan
  // of the outbox every 50 ms once cost more than the sending.
  std::atomic<bool> sampling{true};
  std::atomic<double> sampler_cpu{0};
  int64_t most_sending = 0;
  int64_t most_handed = 0;
  std::thread sampler([&] {
    auto reader = (*store)->OpenReader();
    Check(reader.status(), "reader");
    while (sampling) {
      storage::Statement st = (*reader)->Prepare(
          "SELECT count(*), coalesce(sum(CASE WHEN handed_at IS NOT NULL"
          " THEN 1 ELSE 0 END), 0)"
          " FROM outbox WHERE broadcast_id = ?1 AND state = 'sending'");
      st.Bind(1, broadcast_id);
      if (st.Step()) {
        most_sending = std::max(most_sending, st.Int(0));
        most_handed = std::max(most_handed, st.Int(1));
      }
      st.Reset();
      sampler_cpu = ThreadCpuSeconds();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const double cpu_start = CpuSeconds() - sampler_cpu;
  const auto start = Steady::now();
  Check(sender.Start(), "start");
  const auto window = std::chrono::duration_cast<Steady::duration>(
      std::chrono::duration<double>(seconds));
  std::this_thread::sleep_until(start + window);
  const double cpu_window = CpuSeconds() - sampler_cpu - cpu_start;
  const std::string rss_window = ProcStatus("VmRSS");
  Steady::time_point end = Steady::now();
  if (finish) {
    auto reader = (*store)->OpenReader();
    Check(reader.status(), "reader");
    for (;;) {
      auto depth = storage::OutboxDepth(**reader);
      Check(depth.status(), "depth");
      if (*depth == 0) break;
      // Counting the backlog is no free look: not too often.
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    end = Steady::now();
  }
  const double cpu_all = CpuSeconds() - sampler_cpu - cpu_start;
  sampling = false;
  sampler.join();
  sender.Stop();

  const nlohmann::json in_window = Stats(port, start, start + window);
  const nlohmann::json all = Stats(port, start, end + std::chrono::seconds(1));
  const int64_t sent = in_window["count"].get<int64_t>();
  const int64_t sent_all = all["count"].get<int64_t>();
  const double achieved = static_cast<double>(sent) / seconds;
  std::printf("channel                      %s at %.0f/s, %d sender threads\n",
              channel.c_str(), rate, threads);
  std::printf(
      "fake API                     answers after %d ms; capacity %.0f "
      "calls/s with %d connections (probed 2 s, in its own process)\n",
      latency_ms, capacity, threads);
  std::printf(
      "one connection, one call at a time: %.2f ms a call with Nagle, %.2f "
      "ms with TCP_NODELAY (the fake's latency included)\n",
      one_nagle > 0 ? 1000 / one_nagle : 0.0,
      one_nodelay > 0 ? 1000 / one_nodelay : 0.0);
  std::printf("recipients enqueued          %lld in %.0f ms (one commit)\n",
              static_cast<long long>(enqueued), Ms(fan));
  std::printf("RSS after enqueue / window   %s / %s (peak %s)\n",
              rss_enqueued.c_str(), rss_window.c_str(),
              ProcStatus("VmHWM").c_str());
  std::printf("window                       %.1f s\n", seconds);
  std::printf("sent in the window           %lld\n",
              static_cast<long long>(sent));
  std::printf(
      "achieved rate                %.1f/s vs %.0f/s configured: %+.2f%%\n",
      achieved, rate, (achieved / rate - 1) * 100);
  std::printf("busiest 100 ms / 1 s         %lld / %lld calls (whole run)\n",
              static_cast<long long>(all["busiest_100ms"].get<int64_t>()),
              static_cast<long long>(all["busiest_1s"].get<int64_t>()));
  std::printf("CPU per message (sender)     %.1f us in the window\n",
              sent > 0 ? cpu_window * 1e6 / static_cast<double>(sent) : 0.0);
  std::printf("connections opened           %lld\n",
              static_cast<long long>(api_sender->ConnectionsOpened()));
  std::printf(
      "rows 'sending' at once, most %lld, handed over %lld (50 ms "
      "samples)\n",
      static_cast<long long>(most_sending),
      static_cast<long long>(most_handed));
  if (finish) {
    std::printf(
        "all %lld sent in            %.1f s after the start (%lld calls, CPU "
        "%.1f us/message)\n",
        static_cast<long long>(enqueued), Ms(end - start) / 1000.0,
        static_cast<long long>(sent_all),
        sent_all > 0 ? cpu_all * 1e6 / static_cast<double>(sent_all) : 0.0);
  }
  // A URI may hold a password: never printed.
  std::printf("database                     %s\n",
              db_uri.empty() ? path.c_str() : "PostgreSQL (--db)");
  return 0;
}
