// What a person experiences, through the real dispatcher, processor and
// SQLite: the web chat as the channel.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_CASE("the first message gets the welcome and the menu") {
  TestBot bot;
  auto replies = bot.Say("u1", "ciao");
  REQUIRE(replies.size() == 2);
  CHECK(replies[0]["text"].get<std::string>().find("Porta Futuro") !=
        std::string::npos);
  const auto ids = ButtonIds(replies);
  CHECK(Contains(ids, "menu:jobs"));
  CHECK(Contains(ids, "menu:human"));
}

TEST_CASE("the welcome is said once per person") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto again = bot.Say("u1", "ciao");
  REQUIRE(again.size() == 1);
  CHECK(again[0]["text"].get<std::string>().find("Porta Futuro") ==
        std::string::npos);
}

TEST_CASE("typing the number of a choice presses that button") {
  TestBot bot;
  auto first = bot.Say("u1", "ciao");
  const auto ids = ButtonIds(first);
  const auto info =
      std::find(ids.begin(), ids.end(), "menu:info") - ids.begin() + 1;
  auto replies = bot.Say("u1", std::to_string(info));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]["text"].get<std::string>().find(bot.config.centre.address) !=
        std::string::npos);
}

TEST_CASE("typing the title of a choice presses that button") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto replies = bot.Say("u1", "info e orari");
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]["text"].get<std::string>().find(bot.config.centre.hours) !=
        std::string::npos);
}

TEST_CASE(
    "asking for a person queues the conversation and the bot keeps what they "
    "write for the counsellor") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  auto queued = bot.Press("u1", "menu:human");
  REQUIRE(queued.size() == 1);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = "
                  "'waiting_for_human'") == 1);
  // One reminder of the queue and the way out, then silence.
  auto reminder = bot.Say("u1", "ci siete?");
  REQUIRE(reminder.size() == 1);
  CHECK(reminder[0]["text"].get<std::string>().find("annulla") !=
        std::string::npos);
  CHECK(bot.Say("u1", "menu").empty());
  // Stored for the counsellor all the same.
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") == 4);
}

TEST_CASE(
    "the queue answer says how many wait ahead and when counsellors answer") {
  TestBot bot;
  auto first = bot.Say("u1", "voglio parlare con un operatore");
  const std::string text = first.back()["text"];
  CHECK(text.find("Sei il primo in coda.") != std::string::npos);
  CHECK(text.find(bot.config.centre.hours) != std::string::npos);
  (void)bot.Say("u2", "ciao");
  auto second = bot.Press("u2", "menu:human");
  CHECK(second.back()["text"].get<std::string>().find(
            "Prima di te c'è 1 persona.") != std::string::npos);
  (void)bot.Say("u3", "ciao");
  auto third = bot.Press("u3", "menu:human");
  CHECK(third.back()["text"].get<std::string>().find(
            "Prima di te ci sono 2 persone.") != std::string::npos);
}

TEST_CASE("every message in and out is kept in the conversation's history") {
  TestBot bot;
  (void)bot.Say("u1", "ciao");
  (void)bot.Press("u1", "menu:info");
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") == 2);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'out' AND "
                  "author = 'bot'") == 3);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'out' AND "
                  "status = 'sent'") == 3);
}

TEST_CASE("the bot answers in English to a person who writes in English") {
  TestBot bot;
  auto replies = bot.Say("u2", "hello, I am looking for a job");
  REQUIRE(!replies.empty());
  CHECK(replies[0]["text"].get<std::string>().find("Hi") != std::string::npos);
}

TEST_CASE(
    "updates left pending by a crash are processed when processing starts") {
  TestBot bot(/*start_processing=*/false);
  core::InboundMessage m;
  m.channel = core::Channel::kWeb;
  m.user_id = m.chat_id = "u9";
  m.dedupe_key = "web:u9:1";
  m.text = "ciao";
  std::vector<core::Update> updates{m};
  auto stored = bot.ingest->Submit(updates);
  REQUIRE(stored.ok());
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL") ==
        1);
  bot.processor->Start();
  REQUIRE(bot.processor->WaitProcessed(stored->stored[0].shard,
                                       stored->stored[0].inbox_id,
                                       std::chrono::seconds(10)));
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'out'") ==
        2);
}

TEST_CASE(
    "a backlog worked off while acknowledgements keep arriving is processed "
    "whole, each update once") {
  TestBot bot(/*start_processing=*/false);
  auto message = [](const std::string& user, int n) {
    core::InboundMessage m;
    m.channel = core::Channel::kWeb;
    m.user_id = m.chat_id = user;
    m.dedupe_key = "web:" + user + ":" + std::to_string(n);
    m.text = "ciao";
    return core::Update(m);
  };
  for (int n = 0; n < 120; ++n) {
    REQUIRE(
        bot.ingest->Submit({message("b" + std::to_string(n % 12), n)}).ok());
  }
  // Processing cuts its batches short whenever an acknowledgement waits
  // for the write lock: keep some waiting all the time.
  std::atomic<bool> done{false};
  std::thread acks([&] {
    for (int n = 0; !done; ++n)
      (void)bot.ingest->Submit({message("a" + std::to_string(n % 7), n)});
  });
  bot.processor->Start();
  bool drained = false;
  for (int i = 0; i < 1000 && !drained; ++i) {
    drained = bot.Count(
                  "SELECT count(*) FROM inbox WHERE chat_id LIKE 'b%' "
                  "AND processed_at IS NULL") == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  done = true;
  acks.join();
  CHECK(drained);
  CHECK(bot.Count("SELECT count(*) FROM messages m JOIN conversations c ON "
                  "c.id = m.conversation_id JOIN users u ON u.id = c.user_id "
                  "WHERE m.direction = 'in' AND u.external_id LIKE 'b%'") ==
        120);
}

TEST_CASE("an unusable inbox row is set aside and its conversation goes on") {
  TestBot bot(/*start_processing=*/false);
  REQUIRE(bot.store
              ->Write([](storage::Database& db) {
                storage::NewInboxItem bad{
                    "web", "web:u5:bad", "message", "u5", "{\"channel\":42}",
                    "",    false,        ""};
                return storage::InsertInbox(db, bad, 1).status();
              })
              .ok());
  bot.processor->Start();
  auto replies = bot.Say("u5", "ciao");
  CHECK(replies.size() == 2);
  CHECK(bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL "
                  "AND error IS NOT NULL") == 1);
}

TEST_CASE("a retried web-chat message with the same id is stored once") {
  TestBot bot;
  const std::string body =
      nlohmann::json{{"user", "u3"}, {"text", "ciao"}, {"id", "m-1"}}.dump();
  auto first = bot.Request("POST", "/api/chat", body);
  auto second = bot.Request("POST", "/api/chat", body);
  CHECK(first.status == 200);
  CHECK(second.status == 200);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'") == 1);
}

}  // namespace
}  // namespace sportello::testing

namespace sportello::testing {
namespace {

TEST_CASE(
    "a web-chat response lost on the way is sent again to a client that has "
    "not shown it") {
  TestBot bot;
  const auto body = [](int64_t after) {
    return nlohmann::json{
        {"user", "u7"}, {"text", "ciao"}, {"id", "m-1"}, {"after", after}}
        .dump();
  };
  auto first = nlohmann::json::parse(
      bot.Request("POST", "/api/chat", body(0)).body)["replies"];
  REQUIRE(first.size() == 2);
  // The client never saw that response and retries: the same replies again.
  auto retry = nlohmann::json::parse(
      bot.Request("POST", "/api/chat", body(0)).body)["replies"];
  REQUIRE(retry.size() == 2);
  CHECK(retry[0]["seq"] == first[0]["seq"]);
  // A client that has shown them gets nothing twice.
  const int64_t last = first[1]["seq"];
  auto shown = nlohmann::json::parse(
      bot.Request("POST", "/api/chat", body(last)).body)["replies"];
  CHECK(shown.empty());
  auto poll = bot.Request("GET", "/api/chat", "", {},
                          {{"user", "u7"}, {"after", std::to_string(last)}});
  CHECK(nlohmann::json::parse(poll.body)["replies"].empty());
}

}  // namespace
}  // namespace sportello::testing
