// Housekeeping: processed updates leave the inbox once their retention is
// up; nothing still to do and nothing recent is touched.
#include "bot/inbound/housekeeping.h"

#include <doctest/doctest.h>

#include <string>

#include "storage/inbox.h"
#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

struct Inbox {
  support::TempDir dir;
  core::FakeClock clock;
  Metrics metrics;
  std::unique_ptr<storage::Store> store =
      storage::Store::Open(dir.File("h.db")).value();

  // Stores `n` updates received `days_ago`, processed or not.
  void Add(int n, int days_ago, bool processed, const std::string& prefix) {
    const int64_t at = clock.NowMillis() - days_ago * kDay;
    REQUIRE(store
                ->Write([&](storage::Database& db) -> core::Status {
                  for (int i = 0; i < n; ++i) {
                    storage::NewInboxItem item{
                        "whatsapp", prefix + std::to_string(i),
                        "message",  "3933",
                        "{}",       "{\"raw\":1}",
                        false,      ""};
                    auto id = storage::InsertInbox(db, item, at);
                    if (!id.ok()) return id.status();
                    if (processed) {
                      auto s = storage::MarkInboxProcessed(db, **id, at);
                      if (!s.ok()) return s;
                    }
                  }
                  return core::Status::Ok();
                })
                .ok());
  }
  int64_t Count(const std::string& where) {
    int64_t n = -1;
    REQUIRE(store
                ->Write([&](storage::Database& db) -> core::Status {
                  auto st =
                      db.Prepare("SELECT count(*) FROM inbox WHERE " + where);
                  if (st.Step()) n = st.Int(0);
                  return st.status();
                })
                .ok());
    return n;
  }
};

TEST_CASE("processed updates past the retention leave the inbox, in batches") {
  Inbox inbox;
  inbox.Add(2500, 40, true, "old-done-");  // more than one batch
  inbox.Add(3, 40, false, "old-pending-");
  inbox.Add(5, 29, true, "recent-done-");
  Housekeeper keeper(*inbox.store, inbox.clock, &inbox.metrics, 30);

  auto removed = keeper.RunOnce();

  REQUIRE(removed.ok());
  CHECK(*removed == 2500);
  CHECK(inbox.Count("dedupe_key LIKE 'old-done-%'") == 0);
  CHECK(inbox.Count("dedupe_key LIKE 'old-pending-%'") == 3);  // still to do
  CHECK(inbox.Count("dedupe_key LIKE 'recent-done-%'") == 5);
  CHECK(inbox.metrics.Render().find("sportello_inbox_pruned_total 2500") !=
        std::string::npos);
  auto again = keeper.RunOnce();
  REQUIRE(again.ok());
  CHECK(*again == 0);

  SUBCASE("a day later the next day's rows go too") {
    inbox.clock.Advance(std::chrono::hours(24 * 2));
    auto next = keeper.RunOnce();
    REQUIRE(next.ok());
    CHECK(*next == 4);  // the newest row always stays (storage/inbox.h)
  }
}

TEST_CASE("a retention of 0 keeps every update") {
  Inbox inbox;
  inbox.Add(10, 400, true, "ancient-");
  Housekeeper keeper(*inbox.store, inbox.clock, &inbox.metrics, 0);
  auto removed = keeper.RunOnce();
  REQUIRE(removed.ok());
  CHECK(*removed == 0);
  CHECK(inbox.Count("1") == 10);
}

}  // namespace
}  // namespace sportello
