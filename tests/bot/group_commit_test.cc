// Group commit: many threads' writes share transactions, each is committed
// before its Run returns, and one that fails is undone alone.
#include "bot/outbound/group_commit.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

int64_t Count(storage::Store& store, const std::string& where) {
  auto reader = store.OpenReader().value();
  auto st = reader->Prepare("SELECT count(*) FROM settings WHERE " + where);
  return st.Step() ? st.Int(0) : -1;
}

core::Status Put(storage::Database& db, const std::string& key) {
  auto st = db.Prepare("INSERT INTO settings(key, value) VALUES(?1, 'v')");
  st.Bind(1, key);
  return st.Run();
}

TEST_CASE(
    "every thread's write is committed when Run returns, and a failing one "
    "is undone alone") {
  support::TempDir dir;
  auto store = std::move(storage::Store::Open(dir.File("g.db")).value());
  GroupCommit group(*store, storage::Store::Durability::kFlush);
  constexpr int kThreads = 16;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::atomic<int> missing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string key =
            "k" + std::to_string(t) + "." + std::to_string(i);
        const bool fail = i % 5 == 0;
        const core::Status s = group.Run([&](storage::Database& db) {
          if (auto p = Put(db, key); !p.ok()) return p;
          // Wrote, then failed: what it wrote must go.
          return fail ? core::Status::InvalidArgument("refused")
                      : core::Status::Ok();
        });
        if (s.ok() == fail) ++failures;
        if (!fail && Count(*store, "key = '" + key + "'") != 1) ++missing;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(missing == 0);
  CHECK(Count(*store, "1") == kThreads * (kEach - kEach / 5));
}

}  // namespace
}  // namespace sportello
