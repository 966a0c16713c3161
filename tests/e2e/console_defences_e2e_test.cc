// The console's defences over real HTTP against the real binary: a NUL in a
// path never names another conversation, and a cookie-borne request from
// another origin changes nothing.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/harness.h"
#include "tests/support/raw_http.h"

namespace sportello::e2e {
namespace {

TEST_CASE(
    "/api/conversations/1%00 is refused, never conversation 1; a foreign "
    "Origin is refused with the cookie") {
  Bot bot;
  auto added =
      support::RunSportello({"users", "add", "anna", "--role", "counsellor"},
                            bot.Environment(), "correct-horse-battery\n");
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  auto http = bot.Http();
  REQUIRE(http.PostChat("u1", "ciao").status == 200);
  const int64_t id = bot.Count("SELECT max(id) FROM conversations");
  REQUIRE(id > 0);
  auto login =
      http.Post("/api/login",
                R"({"username":"anna","password":"correct-horse-battery"})");
  REQUIRE(login.status == 200);
  const std::string token = login.Json()["token"];
  const std::string host = "127.0.0.1:" + std::to_string(bot.port);

  const auto get = [&](const std::string& path) {
    return support::RawExchange(bot.port,
                                "GET " + path + " HTTP/1.1\r\nHost: " + host +
                                    "\r\nAuthorization: Bearer " + token +
                                    "\r\nConnection: close\r\n\r\n");
  };
  const std::string conv = "/api/conversations/" + std::to_string(id);
  const std::string good = get(conv);
  REQUIRE(support::RawStatus(good) == 200);
  CHECK(good.find("Cache-Control: no-store") != std::string::npos);
  for (const std::string& bad :
       {conv + "%00", conv + "%00/x", conv + "%", conv + "%zz", conv + "%2500",
        "/api/conversations/%00" + std::to_string(id)}) {
    CAPTURE(bad);
    const std::string answer = get(bad);
    const int status = support::RawStatus(answer);
    CHECK((status == 400 || status == 404));
    CHECK(answer.find("\"messages\"") == std::string::npos);
  }

  const auto takeover = [&](const std::string& origin) {
    return support::RawStatus(support::RawExchange(
        bot.port, "POST " + conv + "/takeover HTTP/1.1\r\nHost: " + host +
                      "\r\nCookie: sportello_session=" + token +
                      "\r\nOrigin: " + origin +
                      "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
  };
  CHECK(takeover("http://evil.example") == 403);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = 'human'") ==
        0);
  CHECK(takeover("http://" + host) == 200);
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = 'human'") ==
        1);
}

}  // namespace
}  // namespace sportello::e2e
