#include "bot/core/clock.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

namespace sportello::core {
namespace {

using std::chrono::milliseconds;

TEST_CASE("a fake clock stands still until told to move") {
  FakeClock clock(1'000'000);
  CHECK(clock.NowMillis() == 1'000'000);
  CHECK(clock.NowMillis() == 1'000'000);
  clock.Advance(milliseconds(1500));
  CHECK(clock.NowMillis() == 1'001'500);
  clock.SetMillis(5);
  CHECK(clock.NowMillis() == 5);
}

TEST_CASE("a fake clock starts in late 2026 by default") {
  const FakeClock clock;
  CHECK(clock.NowMillis() == 1'795'000'000'000);
}

TEST_CASE("milliseconds convert to time points and back") {
  for (int64_t ms :
       {int64_t{0}, int64_t{1}, int64_t{1'795'000'000'123}, int64_t{-1000}}) {
    CAPTURE(ms);
    CHECK(ToMillis(FromMillis(ms)) == ms);
  }
  const FakeClock clock(42'000);
  CHECK(ToMillis(clock.Now()) == 42'000);
}

TEST_CASE("a fake clock moved from many threads loses no step") {
  FakeClock clock(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(milliseconds(1));
    });
  }
  for (auto& t : threads) t.join();
  CHECK(clock.NowMillis() == 4000);
}

TEST_CASE("the system clock agrees with the standard clock") {
  const SystemClock clock;
  const int64_t before = ToMillis(std::chrono::system_clock::now());
  const int64_t now = clock.NowMillis();
  const int64_t after = ToMillis(std::chrono::system_clock::now());
  CHECK(before <= now);
  CHECK(now <= after);
}

}  // namespace
}  // namespace sportello::core
