// The console's live stream when turns of different conversations commit
// side by side (PostgreSQL: Store::WriteBeside): a message numbered before
// one already announced, but committed after it, is still announced.
// PostgreSQL only: on SQLite one writer commits messages in their order.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>

#include "storage/messages.h"
#include "tests/bot/staff_console.h"
#include "tests/support/test_database.h"

namespace sportello::testing {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A conversation of a web-chat user who said hello; returns its id.
int64_t Conversation(TestBot& bot, const std::string& user) {
  (void)bot.Say(user, "ciao");
  return bot.Count(
      "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
      " WHERE u.external_id = '" +
      user + "'");
}

core::Status Say(storage::Database& db, int64_t conversation,
                 const std::string& text, int64_t now_ms) {
  storage::NewMessage m;
  m.conversation_id = conversation;
  m.direction = "in";
  m.author = "user";
  m.kind = "text";
  m.text = text;
  return storage::InsertMessage(db, m, now_ms).status();
}

std::string MessageEvent(int64_t conversation) {
  return "\"conversation_id\":" + std::to_string(conversation);
}

TEST_CASE(
    "the stream announces a message committed after a later-numbered one "
    "it has already announced") {
  if (!support::TestOnPostgres()) return;
  StaffConsole c;
  c.bot.config.stream_poll_seconds = 1;
  c.bot.Restart();
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const int64_t giulia = Conversation(c.bot, "giulia");
  const int64_t marco = Conversation(c.bot, "marco");
  storage::Store& store = *c.bot.store;
  const int64_t now = c.bot.clock.NowMillis();

  auto r = c.Call("GET", "/api/stream", c.Login("anna"));
  REQUIRE(r.stream);
  // Giulia's turn numbers its message first and commits last.
  std::promise<void> numbered, commit;
  std::future<core::Status> giulias_turn;
  bool started = false, marco_sent = false;
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  r.stream([&](std::string_view chunk) {
    got += chunk;
    if (!started && Contains(got, "event: hello")) {
      started = true;
      giulias_turn = std::async(std::launch::async, [&] {
        return store.WriteBeside([&](storage::Database& db) {
          auto s = Say(db, giulia, "prima", now);
          numbered.set_value();
          commit.get_future().wait();
          return s;
        });
      });
      numbered.get_future().wait();
      REQUIRE(store
                  .WriteBeside([&](storage::Database& db) {
                    return Say(db, marco, "dopo", now);
                  })
                  .ok());
      marco_sent = true;
    }
    if (marco_sent && Contains(got, MessageEvent(marco))) {
      marco_sent = false;  // once
      commit.set_value();
      REQUIRE(giulias_turn.get().ok());
    }
    return !Contains(got, MessageEvent(giulia)) &&
           std::chrono::steady_clock::now() < deadline;
  });

  CHECK_MESSAGE(Contains(got, MessageEvent(marco)), got);
  CHECK_MESSAGE(Contains(got, MessageEvent(giulia)), got);
  // Numbered before Marco's, announced after it.
  CHECK(got.find(MessageEvent(giulia)) > got.find(MessageEvent(marco)));
  CHECK(c.bot.Count("SELECT count(*) FROM messages WHERE text = 'prima' AND "
                    "id < (SELECT id FROM messages WHERE text = 'dopo')") == 1);
}

}  // namespace
}  // namespace sportello::testing
