// Fan-out of one broadcast to N subscribers (default 100,000) on a fresh
// SQLite file with the shipped settings (WAL, synchronous=FULL): the time to
// enqueue every recipient's outbox row (one transaction, committed), a
// second run (must add nothing), the audience count, and the process RSS.
//
//   build/bench/broadcast_fanout [N] [DIR]      (bench/run_broadcast builds
//                                                Release and runs it)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/bench_util.h"
#include "storage/broadcasts.h"
#include "storage/store.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNow = 1'795'000'000'000;

using sportello::bench::Ms;
using sportello::bench::ProcStatus;

void Check(const sportello::core::Status& s, const char* what) {
  sportello::bench::Check(s, "broadcast_fanout", what);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sportello;
  const int n = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const std::filesystem::path dir =
      argc > 2 ? std::filesystem::path(argv[2])
               : std::filesystem::temp_directory_path() /
                     ("sportello-fanout-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "fanout.db").string();
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);

  auto store = storage::Store::Open(path);
  Check(store.status(), "open");
  const auto fill_start = Clock::now();
  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    storage::Statement st = db.Prepare(
        "INSERT INTO users(channel, external_id, chat_id, language,"
        " consent_version, consent_at, notify, created_at, last_inbound_at)"
        " VALUES(?1, ?2, ?2, ?3, 'v1', ?4, 1, ?4, ?4)");
    for (int i = 0; i < n; ++i) {
      st.Reset();
      st.Bind(1, i % 2 ? "telegram" : "whatsapp")
          .Bind(2, std::to_string(393'300'000'000LL + i))
          .Bind(3, i % 5 ? "it" : "en")
          .Bind(4, kNow);
      if (auto s = st.Run(); !s.ok()) return s;
    }
    return core::Status::Ok();
  }),
        "subscribers");
  const auto fill = Clock::now() - fill_start;

  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    storage::NewBroadcast b;
    b.payload_it =
        R"({"channel":"web","chat_id":"","kind":"text","text":"Recruiting day giovedì 3 dicembre alla Fiera del Levante","buttons":[{"id":"events:join:1","title":"Mi iscrivo"},{"id":"notice:dismiss","title":"Non mi interessa"}]})";
    b.payload_en = b.payload_it;
    b.whatsapp_template = R"({"name":"avviso","language":"it","params":["x"]})";
    b.send_at = kNow;
    return storage::CreateBroadcast(db, b, kNow).status();
  }),
        "create");

  auto reader = (*store)->OpenReader();
  Check(reader.status(), "reader");
  const auto count_start = Clock::now();
  auto audience = storage::CountAudience(**reader, {}, kNow);
  Check(audience.status(), "count");
  const auto count = Clock::now() - count_start;

  const auto fan_start = Clock::now();
  int64_t enqueued = 0;
  // As bot/domain/broadcasts.cc RunDueBroadcasts does it, in one write
  // transaction.
  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    auto rows = storage::FanOutDueBroadcasts(db, kNow);
    if (!rows.ok()) return rows.status();
    enqueued = *rows;
    return storage::FinishBroadcasts(db, kNow).status();
  }),
        "fan-out");
  const auto fan = Clock::now() - fan_start;

  const auto again_start = Clock::now();
  Check((*store)->Write([&](storage::Database& db) -> core::Status {
    Check(db.Exec("UPDATE broadcasts SET status = 'scheduled'"), "reset");
    auto n2 = storage::FanOutDueBroadcasts(db, kNow);
    if (n2.ok() && *n2 != 0)
      return core::Status::Internal("second fan-out added rows");
    return n2.status();
  }),
        "second fan-out");
  const auto again = Clock::now() - again_start;

  std::printf("subscribers                 %d (inserted in %.0f ms)\n", n,
              Ms(fill));
  std::printf("audience count              %lld in %.1f ms\n",
              static_cast<long long>(*audience), Ms(count));
  std::printf(
      "fan-out (enqueue + commit)  %lld rows in %.0f ms (%.0f rows/s)\n",
      static_cast<long long>(enqueued), Ms(fan),
      static_cast<double>(enqueued) / (Ms(fan) / 1000.0));
  std::printf("second fan-out (no rows)    %.0f ms\n", Ms(again));
  std::printf("RSS now / peak              %s / %s\n",
              ProcStatus("VmRSS").c_str(), ProcStatus("VmHWM").c_str());
  std::printf("database                    %s\n", path.c_str());
  return enqueued == n ? 0 : 1;
}
