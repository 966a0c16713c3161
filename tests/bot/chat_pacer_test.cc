// Per-chat pacing: a burst, then one message per interval, exactly, on the
// caller's clock; chats are independent; a chat whose bucket is full again
// is forgotten, so the map stays as small as the chats written to lately.
#include "bot/outbound/chat_pacer.h"

#include <doctest/doctest.h>

#include <string>

namespace sportello {
namespace {

constexpr int64_t kT0 = 1'795'000'000'000;

TEST_CASE("a chat has its burst at once, then one message per interval") {
  ChatPacer pacer(1.0 / 6, 4);  // WhatsApp: one per 6 s, burst 4
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    REQUIRE(pacer.WaitMs("393331", kT0) == 0);
    pacer.Take("393331", kT0);
  }
  CHECK(pacer.WaitMs("393331", kT0) == 6000);
  CHECK(pacer.WaitMs("393331", kT0 + 5999) == 1);
  CHECK(pacer.WaitMs("393331", kT0 + 6000) == 0);
  pacer.Take("393331", kT0 + 6000);
  CHECK(pacer.WaitMs("393331", kT0 + 6000) == 6000);
  CHECK(pacer.WaitMs("393332", kT0) == 0);  // another person
}

TEST_CASE("a chat quiet for a whole burst has its burst again") {
  ChatPacer pacer(1.0, 3);
  for (int i = 0; i < 3; ++i) pacer.Take("42", kT0);
  CHECK(pacer.WaitMs("42", kT0) == 1000);
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(pacer.WaitMs("42", kT0 + 3000) == 0);
    pacer.Take("42", kT0 + 3000);
  }
  CHECK(pacer.WaitMs("42", kT0 + 3000) == 1000);
}

TEST_CASE("chats whose bucket is full again are forgotten") {
  ChatPacer pacer(1.0, 3);
  // 100,000 people one message each, 25 a second as a broadcast goes.
  int64_t now = kT0;
  size_t most = 0;
  for (int i = 0; i < 100'000; ++i) {
    if (i % 25 == 0) now += 1000;
    pacer.Take(std::to_string(i), now);
    most = std::max(most, pacer.TrackedChats());
  }
  CHECK(most <= 2048);
  // The ones still tracked are recent: a full bucket is never kept.
  CHECK(pacer.WaitMs("99999", now) == 0);
}

TEST_CASE("a take given back leaves the chat as it was") {
  ChatPacer pacer(1.0, 2);
  pacer.Take("7", kT0);
  const int64_t before = pacer.FullAt("7");
  pacer.Take("7", kT0);
  CHECK(pacer.WaitMs("7", kT0) == 1000);
  pacer.GiveBack("7", kT0);
  CHECK(pacer.FullAt("7") == before);
  CHECK(pacer.WaitMs("7", kT0) == 0);
  pacer.GiveBack("7", kT0);  // the first take too: the chat is forgotten
  CHECK(pacer.FullAt("7") == 0);
  CHECK(pacer.TrackedChats() == 0);
}

TEST_CASE("what another process sent to a chat counts against its burst") {
  ChatPacer pacer(1.0, 3);
  // Elsewhere, three messages at kT0: full again at kT0 + 3 s.
  pacer.Merge("9", kT0 + 3000, kT0);
  CHECK(pacer.WaitMs("9", kT0) == 1000);
  CHECK(pacer.WaitMs("9", kT0 + 1000) == 0);
  // Older news changes nothing; a time already past is not remembered.
  pacer.Merge("9", kT0 + 2000, kT0);
  CHECK(pacer.FullAt("9") == kT0 + 3000);
  pacer.Merge("10", kT0 - 1, kT0);
  CHECK(pacer.FullAt("10") == 0);
}

}  // namespace
}  // namespace sportello
