// The console's defences that do not rest on the browser: requests that
// change something must come from the console's own origin unless they carry
// a Bearer token, and every answer tells the browser not to cache, sniff,
// frame, or send a Referer, and what a page may run.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "bot/app/config.h"
#include "tests/bot/staff_console.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

constexpr const char* kHost = "127.0.0.1:8080";
constexpr const char* kOwn = "http://127.0.0.1:8080";

std::string HeaderOf(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

struct Defences : StaffConsole {
  std::string token;
  int64_t conversation = 0;

  Defences() {
    token = Staff("anna");
    (void)bot.Say("u1", "ciao");
    (void)bot.Press("u1", "menu:human");
    conversation = bot.Count(
        "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
        " WHERE u.external_id = 'u1'");
    REQUIRE(conversation > 0);
  }

  // A takeover as a browser sends it: the session cookie, the Host, and
  // whatever `extra` headers (Origin, Referer) the browser adds.
  http::Response CookieTakeover(std::map<std::string, std::string> extra) {
    extra["cookie"] = "sportello_session=" + token;
    extra.emplace("host", kHost);
    return bot.Request(
        "POST",
        "/api/conversations/" + std::to_string(conversation) + "/takeover", "",
        std::move(extra));
  }

  bool TakenOver() {
    return bot.Count("SELECT count(*) FROM conversations WHERE id = " +
                     std::to_string(conversation) +
                     " AND mode = 'human' AND assigned_to = 'anna'") == 1;
  }
};

void CheckRefused(const http::Response& r) {
  CHECK(r.status == 403);
  CHECK(r.content_type == "application/json");
  CHECK(json::parse(r.body).contains("error"));
}

TEST_CASE(
    "a takeover sent with the session cookie from another origin is refused "
    "and changes nothing") {
  Defences d;
  CheckRefused(d.CookieTakeover({{"origin", "https://evil.example"}}));
  // Same host, other scheme or port: another origin all the same.
  CheckRefused(d.CookieTakeover({{"origin", "https://127.0.0.1:8080"}}));
  CheckRefused(d.CookieTakeover({{"origin", "http://127.0.0.1:8081"}}));
  // Sandboxed frames and some redirects send "null".
  CheckRefused(d.CookieTakeover({{"origin", "null"}}));
  CHECK_FALSE(d.TakenOver());
  CHECK(d.Audited("takeover", "anna") == 0);

  auto ok = d.CookieTakeover({{"origin", kOwn}});
  CHECK(ok.status == 200);
  CHECK(d.TakenOver());
}

TEST_CASE("without Origin, the Referer's origin decides") {
  Defences d;
  CheckRefused(d.CookieTakeover(
      {{"referer", "https://evil.example/page?x=http://127.0.0.1:8080/"}}));
  CHECK_FALSE(d.TakenOver());
  CHECK(
      d.CookieTakeover({{"referer", std::string(kOwn) + "/console"}}).status ==
      200);
  CHECK(d.TakenOver());
}

TEST_CASE(
    "a cookie request that changes state with neither Origin nor Referer is "
    "refused; reads are not") {
  Defences d;
  CheckRefused(d.CookieTakeover({}));
  CHECK_FALSE(d.TakenOver());
  CheckRefused(d.bot.Request(
      "POST", "/api/logout", "",
      {{"cookie", "sportello_session=" + d.token}, {"host", kHost}}));
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    CAPTURE(method);
    CheckRefused(d.bot.Request(
        method, "/api/events/1", "{}",
        {{"cookie", "sportello_session=" + d.token}, {"host", kHost}}));
  }
  CHECK(d.bot
            .Request("GET", "/api/conversations", "",
                     {{"cookie", "sportello_session=" + d.token},
                      {"host", kHost},
                      {"origin", "https://evil.example"}})
            .status == 200);
}

TEST_CASE("a Bearer token needs no Origin, whatever the Origin says") {
  Defences d;
  auto r = d.bot.Request(
      "POST",
      "/api/conversations/" + std::to_string(d.conversation) + "/takeover", "",
      {{"authorization", "Bearer " + d.token},
       {"origin", "https://evil.example"}});
  CHECK(r.status == 200);
  CHECK(d.TakenOver());
}

TEST_CASE("behind a TLS proxy the console's origin is https") {
  Defences d;
  CheckRefused(d.CookieTakeover(
      {{"x-forwarded-proto", "https"}, {"origin", "http://127.0.0.1:8080"}}));
  CHECK(d.CookieTakeover({{"x-forwarded-proto", "https"},
                          {"origin", "https://127.0.0.1:8080"}})
            .status == 200);
}

TEST_CASE(
    "with SPORTELLO_PUBLIC_URL set, that is the only origin, whatever the "
    "Host") {
  Defences d;
  d.bot.config.public_origin = "https://sportello.example.it";
  d.bot.Restart();
  CheckRefused(d.CookieTakeover({{"origin", kOwn}}));
  CHECK(d.CookieTakeover({{"origin", "https://sportello.example.it"}}).status ==
        200);
}

TEST_CASE("SPORTELLO_PUBLIC_URL must be an http(s) origin") {
  auto load = [](const char* url) {
    return LoadConfig([url](const char* key) -> const char* {
      return std::string(key) == "SPORTELLO_PUBLIC_URL" ? url : nullptr;
    });
  };
  CHECK(load("https://Sportello.Example.it/")->public_origin ==
        "https://sportello.example.it");
  CHECK(load("https://sportello.example.it:443")->public_origin ==
        "https://sportello.example.it");
  CHECK(load("http://10.0.0.5:8080")->public_origin == "http://10.0.0.5:8080");
  for (const char* bad :
       {"sportello.example.it", "ftp://x.it", "https://x.it/console",
        "https://user@x.it", "https://x.it?a=1", "https://"}) {
    CAPTURE(bad);
    CHECK(load(bad).status().code() == core::Status::Code::kInvalidArgument);
  }
}

TEST_CASE(
    "login from another origin is refused; a bare script login still works") {
  Defences d;
  CheckRefused(
      d.LoginResponse("anna", StaffConsole::kPassword,
                      {{"host", kHost}, {"origin", "https://evil.example"}}));
  CHECK(d.LoginResponse("anna", StaffConsole::kPassword,
                        {{"host", kHost}, {"origin", kOwn}})
            .status == 200);
  CHECK(d.LoginResponse("anna").status == 200);
}

TEST_CASE(
    "the web chat and the webhooks take posts from anywhere: they carry no "
    "session") {
  Defences d;
  auto chat = d.bot.Request(
      "POST", "/api/chat", json{{"user", "u2"}, {"text", "ciao"}}.dump(),
      {{"host", kHost}, {"origin", "https://evil.example"}});
  CHECK(chat.status == 200);
  CHECK_FALSE(json::parse(chat.body)["replies"].empty());
  auto hook = d.bot.Request(
      "POST", "/webhook/telegram",
      R"({"update_id":9001,"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"from":{"id":7,"is_bot":false,"first_name":"Lia"},"text":"ciao"}})",
      {{"x-telegram-bot-api-secret-token", kSecret},
       {"origin", "https://evil.example"}});
  CHECK(hook.status == 200);
}

TEST_CASE(
    "every answer says no-store, nosniff, no-referrer and no framing, errors "
    "too") {
  Defences d;
  const std::string id = std::to_string(d.conversation);
  const http::Response answers[] = {
      d.Call("GET", "/api/conversations/" + id, d.token),
      d.Call("GET", "/api/conversations", d.token),
      d.Call("GET", "/api/me", ""),                      // 401
      d.Call("GET", "/api/conversations/999", d.token),  // 404
      d.bot.Request("GET", "/api/chat", "", {}, {{"user", "u1"}}),
      d.bot.Request("GET", "/console"),
      d.bot.Request("GET", "/"),
      d.bot.Request("GET", "/healthz"),
      d.CookieTakeover({{"origin", "https://evil.example"}}),  // 403
  };
  for (const auto& r : answers) {
    CAPTURE(r.status);
    CAPTURE(r.body.substr(0, 60));
    CHECK(HeaderOf(r, "Cache-Control") == "no-store");
    CHECK(HeaderOf(r, "X-Content-Type-Options") == "nosniff");
    CHECK(HeaderOf(r, "Referrer-Policy") == "no-referrer");
    CHECK(
        HeaderOf(r, "Content-Security-Policy").find("frame-ancestors 'none'") !=
        std::string::npos);
    CHECK(HeaderOf(r, "Strict-Transport-Security").empty());
  }
  const std::string api_policy = HeaderOf(
      d.Call("GET", "/api/conversations", d.token), "Content-Security-Policy");
  CHECK(api_policy.starts_with("default-src 'none'"));
}

TEST_CASE(
    "pages run only their own nonced script and style: no 'unsafe-inline', "
    "a new nonce each time") {
  StaffConsole c;
  for (const char* path : {"/console", "/console/reports", "/"}) {
    CAPTURE(path);
    auto first = c.bot.Request("GET", path);
    auto second = c.bot.Request("GET", path);
    REQUIRE(first.status == 200);
    const std::string policy = HeaderOf(first, "Content-Security-Policy");
    CHECK(policy.find("unsafe-inline") == std::string::npos);
    CHECK(policy.find("unsafe-eval") == std::string::npos);
    for (const char* directive :
         {"default-src 'self'", "img-src 'self' data:", "connect-src 'self'",
          "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
          "object-src 'none'"}) {
      CHECK(policy.find(directive) != std::string::npos);
    }
    std::smatch m;
    REQUIRE(std::regex_search(policy, m,
                              std::regex("script-src 'self' 'nonce-([^']+)'")));
    const std::string nonce = m[1];
    CHECK(nonce.size() >= 22);
    CHECK(policy.find("style-src 'self' 'nonce-" + nonce + "'") !=
          std::string::npos);
    // A page's script and style are files of ours or inline with the nonce.
    CHECK((first.body.find("<script nonce=\"" + nonce + "\">") !=
               std::string::npos ||
           first.body.find("<script src=\"/assets/") != std::string::npos));
    CHECK((first.body.find("<style nonce=\"" + nonce + "\">") !=
               std::string::npos ||
           first.body.find("<link rel=\"stylesheet\" href=\"/assets/") !=
               std::string::npos));
    // No inline script or style left without the nonce, no style or
    // handler attributes (the policy would block them).
    CHECK(first.body.find("<script>") == std::string::npos);
    CHECK(first.body.find("<style>") == std::string::npos);
    CHECK_FALSE(std::regex_search(first.body, std::regex(" style=\"")));
    CHECK_FALSE(std::regex_search(first.body, std::regex(" on[a-z]+=\"")));
    CHECK(HeaderOf(second, "Content-Security-Policy") != policy);
  }
}

TEST_CASE("HSTS only when the browser came over TLS") {
  StaffConsole c;
  auto plain = c.bot.Request("GET", "/console");
  CHECK(HeaderOf(plain, "Strict-Transport-Security").empty());
  auto proxied =
      c.bot.Request("GET", "/console", "", {{"x-forwarded-proto", "https"}});
  CHECK(HeaderOf(proxied, "Strict-Transport-Security") == "max-age=31536000");
  c.bot.config.public_origin = "https://sportello.example.it";
  c.bot.Restart();
  auto configured = c.bot.Request("GET", "/api/me");
  CHECK(HeaderOf(configured, "Strict-Transport-Security") ==
        "max-age=31536000");
}

TEST_CASE("an https SPORTELLO_PUBLIC_URL makes the session cookie Secure") {
  StaffConsole c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  CHECK(HeaderOf(c.LoginResponse("anna"), "Set-Cookie").find("; Secure") ==
        std::string::npos);
  c.bot.config.public_origin = "https://sportello.example.it";
  c.bot.Restart();
  CHECK(HeaderOf(c.LoginResponse("anna"), "Set-Cookie").find("; Secure") !=
        std::string::npos);
}

}  // namespace
}  // namespace sportello::testing
