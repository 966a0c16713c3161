// The pace that processes sending from one database share: two claimers,
// each with its own ChatPacer as two `serve` processes have, settle with
// the same database, on explicit times. What one spends, the other sees.
#include "bot/outbound/shared_pace.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/channel_pace.h"
#include "storage/migrations.h"
#include "tests/support/test_database.h"

namespace sportello {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kT0 = 1'795'000'000'000;

storage::OutboxRow Row(int64_t id, const std::string& chat,
                       const std::string& kind = "text") {
  storage::OutboxRow r;
  r.id = id;
  r.channel = "telegram";
  r.chat_id = chat;
  r.kind = kind;
  return r;
}

// One process's claimer: its own chat pacer (Telegram's 3 at once, then
// one a second) and its view of the shared pace.
struct Claimer {
  std::map<core::Channel, ChatPacer> pacers;
  std::unique_ptr<SharedPace> shared;

  explicit Claimer(std::map<core::Channel, double> rates) {
    pacers.emplace(core::Channel::kTelegram, ChatPacer(1.0, 3));
    shared = std::make_unique<SharedPace>(std::move(rates), &pacers);
  }
  ChatPacer& pacer() { return pacers.at(core::Channel::kTelegram); }

  // As the sender's claim round: the local pacer first, then the shared
  // pace; every row admitted is claimed unless `taken_elsewhere`.
  SharedPace::Admission Claim(storage::Database& db,
                              const std::vector<storage::OutboxRow>& rows,
                              int64_t now,
                              std::vector<bool> taken_elsewhere = {}) {
    std::vector<storage::OutboxRow> local;
    for (const auto& row : rows) {
      if (shared->ChatPaced(row)) {
        if (pacer().WaitMs(row.chat_id, now) > 0) continue;
        pacer().Take(row.chat_id, now);
      }
      local.push_back(row);
    }
    storage::Transaction txn(db);
    REQUIRE(txn.status().ok());
    auto admission = shared->Admit(db, local, now);
    REQUIRE(admission.ok());
    std::vector<bool> claimed = admission->go;
    for (size_t i = 0; i < taken_elsewhere.size() && i < claimed.size(); ++i)
      if (taken_elsewhere[i]) claimed[i] = false;
    REQUIRE(shared->Settle(db, local, claimed, now).ok());
    REQUIRE(txn.Commit().ok());
    return *admission;
  }
};

std::unique_ptr<storage::Database> MigratedDb() {
  auto db = support::OpenTestDatabase();
  REQUIRE(db.ok());
  REQUIRE(storage::Migrate(**db).ok());
  return std::move(*db);
}

int Admitted(const SharedPace::Admission& a) {
  int n = 0;
  for (bool go : a.go) n += go ? 1 : 0;
  return n;
}

TEST_CASE("a chat's burst counts the messages every process sent it") {
  auto db = MigratedDb();
  Claimer a({}), b({});  // no channel rate: only the chat's pace
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(Admitted(a.Claim(*db, {Row(10 + i, "42")}, kT0)) == 1);
  }
  // Process B never wrote to this chat; its own pacer would let it go.
  const auto seen = b.Claim(*db, {Row(20, "42"), Row(21, "43")}, kT0);
  CHECK(seen.go == std::vector<bool>{false, true});
  REQUIRE(seen.deferred.size() == 1);
  CHECK(seen.deferred[0] == std::pair<int64_t, int64_t>{20, kT0 + 1000});
  CHECK(b.pacer().WaitMs("42", kT0) == 1000);  // it knows now
  // A second later the chat has a token again, for either process.
  CHECK(Admitted(b.Claim(*db, {Row(20, "42")}, kT0 + 1000)) == 1);
  CHECK(a.pacer().WaitMs("42", kT0 + 1000) == 0);  // A's own view: stale
  const auto again = a.Claim(*db, {Row(22, "42")}, kT0 + 1000);
  CHECK(Admitted(again) == 0);
  CHECK(again.deferred.at(0).second == kT0 + 2000);
}

TEST_CASE("callback answers are not paced per chat, nor recorded") {
  auto db = MigratedDb();
  Claimer a({}), b({});
  for (int i = 0; i < 3; ++i) (void)a.Claim(*db, {Row(10 + i, "42")}, kT0);
  CHECK(Admitted(b.Claim(*db, {Row(20, "42", "callback_answer")}, kT0)) == 1);
}

TEST_CASE(
    "the channel's tokens are shared: what one process takes, the "
    "other does not get") {
  auto db = MigratedDb();
  const std::map<core::Channel, double> rate = {{core::Channel::kTelegram, 20}};
  Claimer a(rate), b(rate);  // 20/s: a token every 50 ms, 2 at most
  const auto first = a.Claim(*db, {Row(1, "1")}, kT0);  // starts empty
  CHECK(Admitted(first) == 0);
  CHECK(first.wait == milliseconds(50));
  CHECK(a.pacer().FullAt("1") == 0);  // the chat's token given back

  CHECK(Admitted(a.Claim(*db, {Row(1, "1"), Row(2, "2")}, kT0 + 100)) == 2);
  const auto late = b.Claim(*db, {Row(3, "3")}, kT0 + 100);
  CHECK(Admitted(late) == 0);
  CHECK(late.wait == milliseconds(50));
  CHECK(b.Claim(*db, {Row(3, "3")}, kT0 + 150).go == std::vector<bool>{true});
}

TEST_CASE("tokens of rows another process claimed first go back") {
  auto db = MigratedDb();
  const std::map<core::Channel, double> rate = {{core::Channel::kTelegram, 20}};
  Claimer a(rate), b(rate);
  (void)a.Claim(*db, {}, kT0);
  (void)a.Claim(*db, {Row(1, "1")}, kT0);  // the bucket exists, empty
  const auto raced =
      a.Claim(*db, {Row(1, "1"), Row(2, "2")}, kT0 + 100, {false, true});
  CHECK(Admitted(raced) == 2);
  CHECK(a.pacer().FullAt("2") == 0);  // row 2 never went: its chat is free
  CHECK(Admitted(b.Claim(*db, {Row(3, "3")}, kT0 + 100)) == 1);
}

TEST_CASE("a 429 recorded by one process pauses the other") {
  auto db = MigratedDb();
  const std::map<core::Channel, double> rate = {{core::Channel::kTelegram, 20}};
  Claimer b(rate);
  (void)b.Claim(*db, {Row(1, "1")}, kT0);
  // What the process that got "retry after 2" records.
  REQUIRE(storage::PauseChannel(*db, "telegram", kT0 + 2000).ok());
  const auto paused = b.Claim(*db, {Row(1, "1")}, kT0 + 500);
  CHECK(Admitted(paused) == 0);
  CHECK(paused.paused.at(core::Channel::kTelegram) == milliseconds(1500));
  CHECK(paused.wait == milliseconds(1500));
  CHECK(Admitted(b.Claim(*db, {Row(1, "1")}, kT0 + 2050)) == 1);
}

}  // namespace
}  // namespace sportello
