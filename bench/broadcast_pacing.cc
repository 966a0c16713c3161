// Pacing of a broadcast through the real sender: fans out one broadcast to N
// subscribers (default 100,000) on a fresh SQLite file with the shipped
// settings (WAL, synchronous=FULL), then runs the real OutboxSender against
// an in-process fake Telegram Bot API (or WhatsApp Cloud API) on loopback,
// real HTTP, at the configured rate for a measured window, and prints the
// enqueue time, the RSS, the messages the fake received in the window and
// the achieved rate against the configured one.
//
//   build/bench/broadcast_pacing [--recipients N] [--seconds S] [--rate R]
//                                [--channel telegram|whatsapp] [--dir DIR]
//
// Defaults come from BENCH_RECIPIENTS, BENCH_SECONDS, BENCH_RATE (else
// TELEGRAM_RATE_PER_SEC / WHATSAPP_RATE_PER_SEC, else 25 / 70) and
// BENCH_CHANNEL. bench/run_pacing builds Release and runs it.
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// The platform's side: answers every send as accepted and notes when it
// arrived. Nothing is validated: the fakes in tests/ do that; here the
// point is the sender's pace.
class FakeApi {
 public:
  static constexpr const char* kToken = "123:bench";
  static constexpr const char* kPhoneNumberId = "1000";

  FakeApi() {
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
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Bound and listening already: connections queue until the loop runs.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeApi() {
    server_.stop();
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  // Arrivals in [from, to).
  int64_t CountBetween(Steady::time_point from, Steady::time_point to) const {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t n = 0;
    for (auto t : arrivals_) n += t >= from && t < to;
    return n;
  }

 private:
  int64_t Arrived() {
    std::lock_guard<std::mutex> lock(mu_);
    arrivals_.push_back(Steady::now());
    return static_cast<int64_t>(arrivals_.size());
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;  // guards arrivals_
  std::vector<Steady::time_point> arrivals_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace sportello;
  std::string channel = Env("BENCH_CHANNEL", "telegram");
  int64_t recipients = std::atoll(Env("BENCH_RECIPIENTS", "100000").c_str());
  double seconds = std::atof(Env("BENCH_SECONDS", "60").c_str());
  std::string rate_text = Env("BENCH_RATE", "");
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("sportello-pacing-" + std::to_string(::getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--recipients") {
      recipients = std::atoll(value.c_str());
    } else if (flag == "--seconds") {
      seconds = std::atof(value.c_str());
    } else if (flag == "--rate") {
      rate_text = value;
    } else if (flag == "--channel") {
      channel = value;
    } else if (flag == "--dir") {
      dir = value;
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
                         : Env("WHATSAPP_RATE_PER_SEC", "70");
  }
  const double rate = std::atof(rate_text.c_str());
  if (recipients < 1 || seconds <= 0 || rate <= 0) {
    std::fprintf(stderr, "broadcast_pacing: bad recipients/seconds/rate\n");
    return 2;
  }

  std::filesystem::create_directories(dir);
  const std::string path = (dir / "pacing.db").string();
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  auto store = storage::Store::Open(path);
  Check(store.status(), "open");
  core::SystemClock clock;
  const int64_t now = clock.NowMillis();

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
    return storage::CreateBroadcast(db, b, now).status();
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
  const std::string rss_enqueued = ProcStatus("VmRSS");

  FakeApi api;
  std::unique_ptr<channels::ChannelSender> api_sender =
      telegram ? channels::MakeTelegramSender({api.url(), FakeApi::kToken})
               : channels::MakeWhatsAppSender(
                     {api.url() + "/v21.0", "token", FakeApi::kPhoneNumberId});
  const core::Channel ch =
      telegram ? core::Channel::kTelegram : core::Channel::kWhatsApp;
  SenderOptions options;  // the service's defaults, no quiet hours
  options.rate_per_sec[ch] = rate;
  OutboxSender sender(**store, clock, nullptr, {{ch, api_sender.get()}},
                      options);
  // Pacing is decided at the claim: rows 'sending' should stay few.
  std::atomic<bool> sampling{true};
  int64_t most_sending = 0;
  std::thread sampler([&] {
    auto reader = (*store)->OpenReader();
    Check(reader.status(), "reader");
    while (sampling) {
      storage::Statement st = (*reader)->Prepare(
          "SELECT count(*) FROM outbox WHERE state = 'sending'");
      if (st.Step()) most_sending = std::max(most_sending, st.Int(0));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const auto start = Steady::now();
  Check(sender.Start(), "start");
  const auto window = std::chrono::duration_cast<Steady::duration>(
      std::chrono::duration<double>(seconds));
  std::this_thread::sleep_until(start + window);
  const auto end = Steady::now();
  sampling = false;
  sampler.join();
  sender.Stop();

  const int64_t in_window = api.CountBetween(start, start + window);
  // The channel's bucket starts full: one second's worth may go at once.
  // Without it, what is left is the steady pace.
  const double burst = std::min(rate, static_cast<double>(in_window));
  const double achieved = static_cast<double>(in_window) / seconds;
  const double steady = (static_cast<double>(in_window) - burst) / seconds;
  std::printf("channel                      %s, %d sender threads\n",
              channel.c_str(), options.threads);
  std::printf("recipients enqueued          %lld in %.0f ms (one commit)\n",
              static_cast<long long>(enqueued), Ms(fan));
  std::printf("RSS after enqueue / at end   %s / %s (peak %s)\n",
              rss_enqueued.c_str(), ProcStatus("VmRSS").c_str(),
              ProcStatus("VmHWM").c_str());
  std::printf("window                       %.1f s (stopped after %.1f s)\n",
              seconds, Ms(end - start) / 1000.0);
  std::printf("sent in the window           %lld\n",
              static_cast<long long>(in_window));
  std::printf(
      "achieved rate                %.2f/s vs %.2f/s configured: %+.2f%% "
      "(incl. the initial burst of %.0f)\n",
      achieved, rate, (achieved / rate - 1) * 100, rate);
  std::printf(
      "without the initial burst    %.2f/s vs %.2f/s configured: %+.2f%%\n",
      steady, rate, (steady / rate - 1) * 100);
  std::printf("rows 'sending' at once, most  %lld (sampled every 50 ms)\n",
              static_cast<long long>(most_sending));
  std::printf("database                     %s\n", path.c_str());
  return 0;
}
