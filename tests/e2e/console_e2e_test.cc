// The real binary, counsellor side: an account made with the CLI, a
// Telegram user handed to a person over the console API and back.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;

bool WaitForCount(const Bot& bot, const std::string& sql, int64_t n) {
  for (int i = 0; i < 200; ++i) {
    if (bot.Count(sql) >= n) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST_CASE(
    "a counsellor takes a Telegram conversation over, replies, and hands it "
    "back to the bot") {
  Bot bot;
  auto added =
      support::RunSportello({"users", "add", "anna", "--role", "counsellor"},
                            bot.Environment(), "correct-horse-battery\n");
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  auto listed = support::RunSportello({"users", "list"}, bot.Environment());
  CHECK(listed.out.find("anna  counsellor") != std::string::npos);
  CHECK(support::RunSportello({"users", "add", "bruno", "--role", "admin"},
                              bot.Environment(), "short\n")
            .exit_code != 0);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  const tg::Person giulia{55'000'111, "Giulia", "it"};
  auto http = bot.Http();
  REQUIRE(http.PostTelegramUpdate(tg::TextMessage(1, giulia, "ciao"),
                                  kTelegramSecret)
              .status == 200);
  REQUIRE(bot.telegram.WaitForCalls(2, 10s, "sendMessage"));
  REQUIRE(http.PostTelegramUpdate(tg::CallbackQuery(2, giulia, "menu:human"),
                                  kTelegramSecret)
              .status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(3, 10s, "sendMessage"), bot.Log());

  auto login =
      http.Post("/api/login",
                R"({"username":"anna","password":"correct-horse-battery"})");
  REQUIRE_MESSAGE(login.status == 200, login.body);
  const std::string token = login.Json()["token"];
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  auto queue = http.Get("/api/conversations?mode=waiting_for_human", auth);
  REQUIRE(queue.status == 200);
  REQUIRE(queue.Json()["conversations"].size() == 1);
  CHECK(queue.Json()["conversations"][0]["user"]["name"] == "Giulia");
  const std::string path =
      "/api/conversations/" +
      std::to_string(queue.Json()["conversations"][0]["id"].get<int64_t>());

  REQUIRE(http.Post(path + "/takeover", "", auth).status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(4, 10s, "sendMessage"), bot.Log());
  CHECK(bot.telegram.SentTexts(giulia.id).back().find("anna") !=
        std::string::npos);

  REQUIRE(
      http.Post(path + "/messages",
                R"({"text":"Ciao Giulia, sono Anna: come posso aiutarti?"})",
                auth)
          .status == 202);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(5, 10s, "sendMessage"), bot.Log());
  CHECK(bot.telegram.SentTexts(giulia.id).back() ==
        "Ciao Giulia, sono Anna: come posso aiutarti?");

  // While Anna holds it, the bot stays silent.
  REQUIRE(http.PostTelegramUpdate(
                  tg::TextMessage(3, giulia, "cerco lavoro come cameriere"),
                  kTelegramSecret)
              .status == 200);
  REQUIRE(WaitForCount(bot,
                       "SELECT count(*) FROM messages WHERE direction = 'in' "
                       "AND text = 'cerco lavoro come cameriere'",
                       1));
  std::this_thread::sleep_for(300ms);  // time for a wrong bot reply to show
  CHECK(bot.telegram.Calls("sendMessage").size() == 5);
  auto view = http.Get(path, auth);
  REQUIRE(view.status == 200);
  CHECK(view.Json()["messages"].back()["text"] ==
        "cerco lavoro come cameriere");

  REQUIRE(http.Post(path + "/release", "", auth).status == 200);
  REQUIRE_MESSAGE(bot.telegram.WaitForCalls(7, 10s, "sendMessage"), bot.Log());
  const auto calls = bot.telegram.Calls("sendMessage");
  CHECK(calls.back().body.contains("reply_markup"));  // the menu again

  REQUIRE(http.PostTelegramUpdate(tg::TextMessage(4, giulia, "ciao"),
                                  kTelegramSecret)
              .status == 200);
  CHECK_MESSAGE(bot.telegram.WaitForCalls(8, 10s, "sendMessage"), bot.Log());
}

TEST_CASE("the console's event stream tells a counsellor a person is waiting") {
  Bot bot;
  REQUIRE(
      support::RunSportello({"users", "add", "anna", "--role", "counsellor"},
                            bot.Environment(), "correct-horse-battery\n")
          .exit_code == 0);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  auto login =
      http.Post("/api/login",
                R"({"username":"anna","password":"correct-horse-battery"})");
  REQUIRE(login.status == 200);
  const std::string token = login.Json()["token"];

  httplib::Client client("127.0.0.1", bot.port);
  client.set_read_timeout(10, 0);
  std::string got, encoding, type;
  bool asked = false;
  const tg::Person luca{55'000'222, "Luca", "it"};
  const auto start = std::chrono::steady_clock::now();
  client.Get(
      "/api/stream",
      {{"Authorization", "Bearer " + token}, {"Accept-Encoding", "gzip"}},
      [&](const httplib::Response& res) {
        encoding = res.get_header_value("Content-Encoding");
        type = res.get_header_value("Content-Type");
        return res.status == 200;
      },
      [&](const char* data, size_t size) {
        got.append(data, size);
        if (!asked && got.find("event: hello") != std::string::npos) {
          asked = true;
          auto tg_http = bot.Http();
          (void)tg_http.PostTelegramUpdate(
              tg::CallbackQuery(1, luca, "menu:human"), kTelegramSecret);
        }
        return got.find("waiting_for_human") == std::string::npos &&
               std::chrono::steady_clock::now() - start < 10s;
      });

  CHECK(type == "text/event-stream");
  CHECK(encoding.empty());  // gzip would hold events back in its buffer
  CHECK_MESSAGE(got.find("waiting_for_human") != std::string::npos, got);
}

}  // namespace
}  // namespace sportello::e2e
