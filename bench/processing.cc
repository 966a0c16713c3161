// Processing throughput, without HTTP: how fast the inbox is worked off
// (intent, flow, state, history, outbox) once updates are stored.
//
//   build/bench/processing [updates=40000] [chats=10000]
//   BENCH_DB=postgresql://... build/bench/processing   (an empty database)
//
// The database holds the demo data (offers, events, slots), as a centre's
// would: a search on an empty table would flatter the figure.
// Stores `updates` Telegram text messages from `chats` people (the same
// eight texts as bench/run's load, in order per chat, so conversations move
// through the flows), then starts the processor and times the drain. Prints
// updates/s, CPU time per update (user+system, all threads but the one
// watching) and peak RSS.
// The figure is this process alone: no HTTP, no sender (replies stay in the
// outbox), on a real SQLite file with synchronous=FULL as shipped, or on
// the PostgreSQL database BENCH_DB names (its server's CPU is not counted
// here: bench/run_postgres measures it).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/texts.h"
#include "bot/app/config.h"
#include "bot/app/demo_data.h"
#include "bot/core/clock.h"
#include "bot/core/metrics.h"
#include "bot/domain/catalog.h"
#include "bot/domain/reference_data.h"
#include "bot/inbound/dispatcher.h"
#include "bot/inbound/ingest.h"
#include "bot/inbound/processor.h"
#include "intents/engine.h"
#include "storage/inbox.h"
#include "storage/store.h"

namespace sportello {
namespace {

constexpr const char* kProgram = "processing";

// CPU time of the calling thread alone.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int Run(int updates, int chats) {
  char tmpl[] = "/tmp/sportello-processing-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const char* uri = std::getenv("BENCH_DB");
  const std::string db_path = uri != nullptr && *uri != '\0'
                                  ? std::string(uri)
                                  : std::string(tmpl) + "/bench.db";

  core::SystemClock clock;
  Metrics metrics;
  auto catalog = Catalog::LoadEmbedded();
  bench::Check(catalog.status(), kProgram, "catalogue");
  auto engine = intents::Engine::Load(intents::DefaultDataDir());
  bench::Check(engine.status(), kProgram, "intent engine");
  auto data = ReferenceData::Load(intents::DefaultDataDir(), *catalog);
  bench::Check(data.status(), kProgram, "reference data");
  auto store = storage::Store::Open(db_path);
  bench::Check(store.status(), kProgram, "store");

  Config config;
  bench::Check((*store)->Write([&](storage::Database& db) {
    return LoadDemoData(db, config.centre, clock.NowMillis()).status();
  }),
               kProgram, "demo data");
  flows::FlowDeps deps{*catalog, config.centre, config.handoff_timeout_minutes};
  Dispatcher dispatcher(**engine, deps, *data);
  Processor processor(**store, dispatcher, clock, &metrics, [] {});
  Ingest ingest(**store, clock, &metrics, [](const auto&) {});

  // Stored in webhook-sized batches, as acknowledgements would store them.
  const auto stored_start = std::chrono::steady_clock::now();
  constexpr int kBatch = 64;
  for (int i = 0; i < updates; i += kBatch) {
    std::vector<core::Update> batch;
    for (int j = i; j < updates && j < i + kBatch; ++j) {
      core::InboundMessage m;
      m.channel = core::Channel::kTelegram;
      m.dedupe_key = "tg:" + std::to_string(j + 1);
      m.user_id = m.chat_id = std::to_string(7'000'000'000LL + j % chats);
      m.message_id = std::to_string(j + 1);
      m.text = bench::kTexts[(j / chats) % std::size(bench::kTexts)];
      m.sent_at = clock.NowMillis() / 1000;
      m.raw = "{}";
      batch.push_back(std::move(m));
    }
    bench::Check(ingest.Submit(std::move(batch)).status(), kProgram, "ingest");
  }
  const double store_ms =
      bench::Ms(std::chrono::steady_clock::now() - stored_start);

  auto reader = (*store)->OpenReader();
  bench::Check(reader.status(), kProgram, "reader");
  // This thread only watches (a count of the inbox every 50 ms, once a
  // tenth of the CPU measured): its time is kept out of the figure.
  const double cpu0 = CpuSeconds() - ThreadCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  processor.Start();
  int64_t pending = updates;
  while (pending > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto p = storage::CountPendingInbox(**reader);
    bench::Check(p.status(), kProgram, "count");
    pending = *p;
  }
  const double secs = bench::Ms(std::chrono::steady_clock::now() - t0) / 1000.0;
  const double cpu = CpuSeconds() - ThreadCpuSeconds() - cpu0;
  processor.Stop();

  std::printf("processing: %d updates from %d chats, %u hardware threads, %s\n",
              updates, chats, std::thread::hardware_concurrency(),
              (*store)->is_postgres() ? "PostgreSQL" : "SQLite");
  std::printf("  stored in         %8.0f ms (%.0f updates/s)\n", store_ms,
              updates / (store_ms / 1000.0));
  std::printf("  worked off in     %8.2f s\n", secs);
  std::printf("  processing rate   %8.0f updates/s\n", updates / secs);
  std::printf(
      "  CPU per update    %8.1f us (user+system, processing threads)\n",
      cpu * 1e6 / updates);
  std::printf("  peak RSS          %s\n", bench::ProcStatus("VmHWM").c_str());
  std::string rm = std::string("rm -rf ") + tmpl;
  if (std::system(rm.c_str()) != 0) return 1;
  return 0;
}

}  // namespace
}  // namespace sportello

int main(int argc, char** argv) {
  const int updates = argc > 1 ? std::atoi(argv[1]) : 40'000;
  const int chats = argc > 2 ? std::atoi(argv[2]) : 10'000;
  if (updates <= 0 || chats <= 0) {
    std::fprintf(stderr, "usage: processing [updates] [chats]\n");
    return 2;
  }
  return sportello::Run(updates, chats);
}
