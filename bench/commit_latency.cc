// How long one durable commit of webhook rows takes (synchronous=FULL, WAL),
// with SQLite's checkpoints inside the commit that crosses 1000 WAL pages
// (its default) and with the Store's background checkpointer. A checkpoint
// inside a commit stalls every acknowledgement queued behind it: that shows
// in the tail, not the median.
//
//   build-bench/bench/commit_latency [--commits N] [--rows-per-commit K]
//
// Prints p50/p99/p99.9/max per commit and the WAL's size at the end, for
// both ways, on a temporary file in $TMPDIR (default /tmp).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "storage/inbox.h"
#include "storage/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Figures {
  double p50_us, p99_us, p999_us, max_us;
  uintmax_t wal_bytes;
};

double At(std::vector<double>& v, double q) {
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

Figures Run(const fs::path& dir, bool background, int commits, int rows) {
  const fs::path file = dir / (background ? "background.db" : "inline.db");
  sportello::storage::OpenOptions options;
  options.checkpoint_interval_ms = background ? 100 : 0;
  auto store = sportello::storage::Store::Open(file.string(), options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  // About the size of a Telegram text update as the inbox keeps it.
  const std::string raw(700, 'x');
  std::vector<double> us;
  us.reserve(static_cast<size_t>(commits));
  int64_t next = 0;
  for (int c = 0; c < commits; ++c) {
    const auto start = Clock::now();
    auto s = (*store)->Write(
        [&](sportello::storage::Database& db) -> sportello::core::Status {
          for (int r = 0; r < rows; ++r) {
            sportello::storage::NewInboxItem item;
            item.channel = "telegram";
            item.dedupe_key = std::to_string(++next);
            item.kind = "message";
            item.chat_id = std::to_string(next % 5000);
            item.payload = R"({"text":"ciao cerco lavoro come cameriere"})";
            item.raw = raw;
            auto id = sportello::storage::InsertInbox(db, item, next);
            if (!id.ok()) return id.status();
          }
          return sportello::core::Status::Ok();
        },
        sportello::storage::Store::Priority::kUrgent);
    if (!s.ok()) {
      std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start)
                     .count());
  }
  Figures f{};
  f.max_us = *std::max_element(us.begin(), us.end());
  f.p50_us = At(us, 0.50);
  f.p99_us = At(us, 0.99);
  f.p999_us = At(us, 0.999);
  std::error_code ec;
  f.wal_bytes = fs::file_size(fs::path(file.string() + "-wal"), ec);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int commits = 20000;
  int rows = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--commits") commits = std::max(100, std::atoi(argv[i + 1]));
    if (flag == "--rows-per-commit") rows = std::max(1, std::atoi(argv[i + 1]));
  }
  const char* tmp = std::getenv("TMPDIR");
  const fs::path dir =
      fs::path(tmp ? tmp : "/tmp") /
      ("sportello-commit-" +
       std::to_string(Clock::now().time_since_epoch().count()));
  fs::create_directories(dir);
  std::printf("%d durable commits of %d inbox row(s) each (~%d bytes/row)\n",
              commits, rows, 800);
  std::printf("%-34s %9s %9s %9s %9s %10s\n", "checkpoints", "p50 us", "p99 us",
              "p99.9 us", "max us", "WAL MiB");
  for (bool background : {false, true}) {
    const Figures f = Run(dir, background, commits, rows);
    std::printf("%-34s %9.0f %9.0f %9.0f %9.0f %10.1f\n",
                background ? "background thread (Store, 100 ms)"
                           : "inside commits (SQLite default)",
                f.p50_us, f.p99_us, f.p999_us, f.max_us,
                static_cast<double>(f.wal_bytes) / (1024.0 * 1024.0));
  }
  fs::remove_all(dir);
  return 0;
}
