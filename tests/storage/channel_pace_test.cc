// Each channel's pace as the processes on one database share it: a token
// bucket refilled from the time passed, and a pause that holds for all.
// Times are explicit, so every figure below is exact.
#include "storage/channel_pace.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "storage/database.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

constexpr int64_t kT0 = 1'795'000'000'000;

using support::MigratedDb;

// 20/s with the sender's burst for it (2): a token every 50 ms.
ChannelGrant Take(Database& db, int wanted, int64_t at,
                  const char* channel = "telegram") {
  Transaction txn(db);
  REQUIRE(txn.status().ok());
  auto g = TakeChannelTokens(db, channel, 20, 2, wanted, at);
  REQUIRE(g.ok());
  REQUIRE(txn.Commit().ok());
  return *g;
}

TEST_CASE("a channel starts empty and gains a token per 1/rate") {
  auto db = MigratedDb();
  ChannelGrant g = Take(*db, 5, kT0);
  CHECK(g.granted == 0);
  CHECK(g.wait_ms == 50);
  CHECK_FALSE(g.paused);

  g = Take(*db, 5, kT0 + 49);
  CHECK(g.granted == 0);
  CHECK(g.wait_ms == 1);

  g = Take(*db, 5, kT0 + 50);
  CHECK(g.granted == 1);
  CHECK(g.wait_ms == 50);

  g = Take(*db, 1, kT0 + 100);
  CHECK(g.granted == 1);
  CHECK(g.wait_ms == 0);  // all asked for was granted
}

TEST_CASE("an idle channel gathers no more than the burst") {
  auto db = MigratedDb();
  (void)Take(*db, 1, kT0);
  const ChannelGrant g = Take(*db, 10, kT0 + 60'000);
  CHECK(g.granted == 2);
  CHECK(g.wait_ms == 50);
}

TEST_CASE("fractions of a token carry over to the next take") {
  auto db = MigratedDb();
  auto take = [&](int64_t at) {
    auto g = TakeChannelTokens(*db, "whatsapp", 3, 2, 1, at);
    REQUIRE(g.ok());
    return *g;
  };
  (void)take(kT0);
  ChannelGrant g = take(kT0 + 200);  // 0.6 of a token
  CHECK(g.granted == 0);
  CHECK(g.wait_ms == 134);  // the 0.4 missing, at 333.3 ms a token
  g = take(kT0 + 400);      // 1.2: one goes, 0.2 stays
  CHECK(g.granted == 1);
  g = take(kT0 + 666);  // 0.2 + 0.798: not yet a whole token
  CHECK(g.granted == 0);
  CHECK(g.wait_ms == 1);
  g = take(kT0 + 667);
  CHECK(g.granted == 1);
}

TEST_CASE("processes taking in turns never get more than the rate together") {
  auto db = MigratedDb();
  // Two claimers, each asking for 3 tokens every 5 ms for 10 s: far more
  // than 20/s between them.
  std::deque<int64_t> window;  // grant times within the last second
  int total = 0;
  size_t most_in_a_second = 0;
  (void)Take(*db, 0, kT0);
  for (int64_t t = kT0; t <= kT0 + 10'000; t += 5) {
    for (int process = 0; process < 2; ++process) {
      const ChannelGrant g = Take(*db, 3, t);
      for (int i = 0; i < g.granted; ++i) window.push_back(t);
      total += g.granted;
    }
    while (!window.empty() && window.front() <= t - 1000) window.pop_front();
    most_in_a_second = std::max(most_in_a_second, window.size());
  }
  CHECK(total == 200);            // 10 s at 20/s
  CHECK(most_in_a_second <= 22);  // burst + a second's worth
}

TEST_CASE("a pause stops every taker until it ends, then the rate resumes") {
  auto db = MigratedDb();
  (void)Take(*db, 0, kT0);
  (void)Take(*db, 0, kT0 + 1000);  // a full bucket (2)
  REQUIRE(PauseChannel(*db, "telegram", kT0 + 3000).ok());
  auto until = ChannelPausedUntil(*db, "telegram");
  REQUIRE(until.ok());
  CHECK(*until == kT0 + 3000);

  ChannelGrant g = Take(*db, 3, kT0 + 1000);
  CHECK(g.granted == 0);
  CHECK(g.paused);
  CHECK(g.wait_ms == 2000);

  // A shorter pause (a 429 answered earlier, recorded later) changes
  // nothing.
  REQUIRE(PauseChannel(*db, "telegram", kT0 + 2000).ok());
  g = Take(*db, 3, kT0 + 2500);
  CHECK(g.granted == 0);
  CHECK(g.paused);
  CHECK(g.wait_ms == 500);

  // After it: empty, not the burst gathered meanwhile.
  g = Take(*db, 3, kT0 + 3000);
  CHECK_FALSE(g.paused);
  CHECK(g.granted == 0);
  CHECK(g.wait_ms == 50);
  g = Take(*db, 3, kT0 + 3050);
  CHECK(g.granted == 1);
}

TEST_CASE("a pause before the channel ever sent is kept") {
  auto db = MigratedDb();
  REQUIRE(PauseChannel(*db, "whatsapp", kT0 + 5000).ok());
  const ChannelGrant g = Take(*db, 1, kT0, "whatsapp");
  CHECK(g.paused);
  CHECK(g.wait_ms == 5000);
  auto never = ChannelPausedUntil(*db, "telegram");
  REQUIRE(never.ok());
  CHECK(*never == 0);
}

TEST_CASE("tokens given back are there for the next take, up to the burst") {
  auto db = MigratedDb();
  (void)Take(*db, 0, kT0);
  CHECK(Take(*db, 2, kT0 + 100).granted == 2);
  REQUIRE(ReturnChannelTokens(*db, "telegram", 1, 2).ok());
  CHECK(Take(*db, 2, kT0 + 100).granted == 1);
  REQUIRE(ReturnChannelTokens(*db, "telegram", 5, 2).ok());
  CHECK(Take(*db, 5, kT0 + 100).granted == 2);
}

TEST_CASE("channels have buckets of their own") {
  auto db = MigratedDb();
  (void)Take(*db, 0, kT0);
  (void)Take(*db, 0, kT0, "whatsapp");
  REQUIRE(PauseChannel(*db, "telegram", kT0 + 10'000).ok());
  CHECK(Take(*db, 2, kT0 + 1000).granted == 0);
  CHECK(Take(*db, 2, kT0 + 1000, "whatsapp").granted == 2);
}

TEST_CASE("a clock behind the last refill takes nothing back") {
  auto db = MigratedDb();
  (void)Take(*db, 0, kT0);
  CHECK(Take(*db, 1, kT0 + 100).granted == 1);  // one of two left
  const ChannelGrant g = Take(*db, 2, kT0 + 40);
  CHECK(g.granted == 1);
  CHECK(g.wait_ms == 50);
}

TEST_CASE("each chat's pace is kept per channel, and forgotten once full") {
  auto db = MigratedDb();
  REQUIRE(SetChatPaceFullAt(*db, "telegram",
                            {{"101", kT0 + 1000}, {"102", kT0 + 3000}})
              .ok());
  REQUIRE(SetChatPaceFullAt(*db, "whatsapp", {{"101", kT0 + 6000}}).ok());

  auto tg = ChatPaceFullAt(*db, "telegram", {"101", "102", "103"});
  REQUIRE(tg.ok());
  CHECK(*tg == std::map<std::string, int64_t>{{"101", kT0 + 1000},
                                              {"102", kT0 + 3000}});
  auto wa = ChatPaceFullAt(*db, "whatsapp", {"101", "102"});
  REQUIRE(wa.ok());
  CHECK(*wa == std::map<std::string, int64_t>{{"101", kT0 + 6000}});

  // A later message moves a chat's time on; one chat twice in one batch
  // keeps the later time.
  REQUIRE(SetChatPaceFullAt(*db, "telegram",
                            {{"101", kT0 + 2000}, {"101", kT0 + 2500}})
              .ok());
  tg = ChatPaceFullAt(*db, "telegram", {"101"});
  REQUIRE(tg.ok());
  CHECK(tg->at("101") == kT0 + 2500);

  auto forgotten = ForgetFullChatPace(*db, kT0 + 2500);
  REQUIRE(forgotten.ok());
  CHECK(*forgotten == 1);
  tg = ChatPaceFullAt(*db, "telegram", {"101", "102"});
  REQUIRE(tg.ok());
  CHECK(*tg == std::map<std::string, int64_t>{{"102", kT0 + 3000}});

  auto none = ChatPaceFullAt(*db, "telegram", {});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

}  // namespace
}  // namespace sportello::storage
