// The counsellors' console API, called as a function on a TestBot: sign-in,
// roles, the queue, takeover, replies, notes, hand-back, audit.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "bot/domain/password.h"
#include "storage/appointments.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/staff.h"
#include "storage/users.h"
#include "tests/bot/conversation_fixture.h"
#include "tests/bot/staff_console.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kPassword = StaffConsole::kPassword;

struct Console : StaffConsole {
  // A web-chat user who asked for a person; returns the conversation id.
  int64_t Waiting(const std::string& user) {
    (void)bot.Say(user, "ciao");
    (void)bot.Press(user, "menu:human");
    return bot.Count(
        "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
        " WHERE u.external_id = '" +
        user + "' AND c.mode = 'waiting_for_human'");
  }

  std::string Path(int64_t id, const std::string& action = "") {
    return "/api/conversations/" + std::to_string(id) +
           (action.empty() ? "" : "/" + action);
  }

  // Replies for a web-chat user that arrived since the last poll.
  json Poll(const std::string& user) {
    auto r = bot.Request("GET", "/api/chat", "", {}, {{"user", user}});
    return json::parse(r.body)["replies"];
  }
};

std::string HeaderOf(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE(
    "a counsellor logs in with the right password and gets a session "
    "cookie") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);

  auto r = c.LoginResponse("anna");

  REQUIRE(r.status == 200);
  const std::string token = json::parse(r.body)["token"];
  CHECK(token.size() == 64);
  const std::string cookie = HeaderOf(r, "Set-Cookie");
  CHECK(cookie.starts_with("sportello_session=" + token));
  CHECK(Contains(cookie, "HttpOnly"));
  CHECK(Contains(cookie, "SameSite=Strict"));
  CHECK(Contains(cookie, "Path=/"));
  CHECK_FALSE(Contains(cookie, "Secure"));
  // Only the token's hash is stored.
  CHECK(c.bot.Count("SELECT count(*) FROM staff_sessions WHERE token_hash = '" +
                    Sha256Hex(token) + "'") == 1);
  CHECK(c.bot.Count("SELECT count(*) FROM staff_sessions WHERE token_hash = '" +
                    token + "'") == 0);
}

TEST_CASE("the session cookie is Secure behind a TLS proxy") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  auto r = c.LoginResponse("anna", kPassword, {{"x-forwarded-proto", "https"}});
  REQUIRE(r.status == 200);
  CHECK(Contains(HeaderOf(r, "Set-Cookie"), "; Secure"));
}

TEST_CASE("a wrong password or an unknown name is refused alike") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  auto wrong = c.LoginResponse("anna", "not-the-password");
  auto unknown = c.LoginResponse("nobody", kPassword);
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(wrong.body == unknown.body);
  CHECK(HeaderOf(wrong, "Set-Cookie").empty());
}

TEST_CASE("a disabled account cannot log in") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  REQUIRE(c.bot.store
              ->Write([](storage::Database& db) {
                return storage::DisableStaff(db, "anna");
              })
              .ok());
  CHECK(c.LoginResponse("anna").status == 401);
}

TEST_CASE("five failed logins lock the name for 15 minutes with Retry-After") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(c.LoginResponse("anna", "wrong-password").status == 401);
    c.bot.clock.Advance(1min);
  }

  auto locked = c.LoginResponse("anna");  // even with the right password

  CHECK(locked.status == 429);
  const int retry = std::stoi(HeaderOf(locked, "Retry-After"));
  CHECK(retry > 0);
  CHECK(retry <= 15 * 60);
  c.bot.clock.Advance(std::chrono::seconds(retry));
  CHECK(c.LoginResponse("anna").status == 200);
}

TEST_CASE("parallel wrong passwords cannot slip past the lockout together") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  // Four at a time: as many as may wait for a password check.
  auto round = [&c] {
    std::vector<int> status(4, 0);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < status.size(); ++i) {
      threads.emplace_back([&c, &status, i] {
        status[i] = c.LoginResponse("anna", "wrong-password").status;
      });
    }
    for (auto& t : threads) t.join();
    std::map<int, int> count;
    for (int s : status) ++count[s];
    return count;
  };
  auto first = round();
  CHECK(first[401] == 4);

  auto second = round();  // one try left: exactly one is checked

  CHECK(second[401] == 1);
  CHECK(second[429] == 3);
  CHECK(c.LoginResponse("anna").status == 429);
}

TEST_CASE("a session unused for longer than the idle time ends") {
  Console c;
  c.bot.config.session_idle_minutes = 30;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string token = c.Login("anna");

  c.bot.clock.Advance(29min);
  CHECK(c.Call("GET", "/api/me", token).status == 200);
  c.bot.clock.Advance(29min);  // 29 since the last use: still alive
  CHECK(c.Call("GET", "/api/me", token).status == 200);
  c.bot.clock.Advance(31min);
  auto expired = c.Call("GET", "/api/me", token);
  CHECK(expired.status == 401);
  CHECK(Contains(expired.body, "expired"));
}

TEST_CASE("every console endpoint needs a session, the web chat does not") {
  Console c;
  for (const auto& call : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/conversations"},
           {"GET", "/api/conversations/1"},
           {"POST", "/api/conversations/1/takeover"},
           {"POST", "/api/conversations/1/messages"},
           {"POST", "/api/conversations/1/notes"},
           {"POST", "/api/conversations/1/release"},
           {"GET", "/api/appointments"},
           {"GET", "/api/profiles"},
           {"POST", "/api/slots"},
           {"GET", "/api/audit"},
           {"GET", "/api/me"},
           {"GET", "/api/stream"},
           {"POST", "/api/logout"},
           {"GET", "/api/unknown"}}) {
    // Not a structured binding: clang 14 cannot capture one in CAPTURE.
    const std::string& method = call.first;
    const std::string& path = call.second;
    CAPTURE(path);
    CHECK(c.bot.Request(method, path).status == 401);
    CHECK(c.Call(method, path, "forged-token").status == 401);
  }
  CHECK(c.bot.Request("GET", "/api/chat", "", {}, {{"user", "u1"}}).status ==
        200);
}

TEST_CASE("a counsellor is refused admin endpoints with 403") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("boss", storage::StaffRole::kAdmin);
  const std::string anna = c.Login("anna");
  const std::string boss = c.Login("boss");
  CHECK(c.Call("GET", "/api/audit", anna).status == 403);
  CHECK(c.Call("POST", "/api/slots", anna, "{}").status == 403);
  CHECK(c.Call("GET", "/api/audit", boss).status == 200);
}

TEST_CASE(
    "the session works from the cookie and from a Bearer token, until "
    "logout") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string token = c.Login("anna");

  CHECK(c.bot
            .Request("GET", "/api/me", "",
                     {{"cookie", "theme=dark; sportello_session=" + token}})
            .status == 200);
  auto me = c.Call("GET", "/api/me", token);
  REQUIRE(me.status == 200);
  CHECK(json::parse(me.body)["username"] == "anna");

  CHECK(c.Call("POST", "/api/logout", token).status == 200);
  CHECK(c.Call("GET", "/api/me", token).status == 401);
}

TEST_CASE("the queue lists waiting conversations, the longest waiting first") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string token = c.Login("anna");
  const int64_t first = c.Waiting("u1");
  c.bot.clock.Advance(1min);
  const int64_t second = c.Waiting("u2");

  auto r = c.Call("GET", "/api/conversations", token, "",
                  {{"mode", "waiting_for_human"}});

  REQUIRE(r.status == 200);
  const json list = json::parse(r.body)["conversations"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == first);
  CHECK(list[1]["id"] == second);
  CHECK(list[0]["channel"] == "web");
  CHECK(list[0]["mode"] == "waiting_for_human");
  CHECK(list[0]["assigned_to"].is_null());
  CHECK(list[0]["waiting_since"].is_string());
  CHECK(list[0]["last_message_at"].is_string());
  CHECK(list[0]["preview"].is_string());
  CHECK(list[0]["user"].contains("name"));
  CHECK(
      c.Call("GET", "/api/conversations", token, "", {{"mode", "x"}}).status ==
      400);
}

TEST_CASE(
    "a takeover tells the person a counsellor joined; another "
    "counsellor then gets 409") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("bruno", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const std::string bruno = c.Login("bruno");
  const int64_t id = c.Waiting("u1");
  (void)c.Poll("u1");

  auto taken = c.Call("POST", c.Path(id, "takeover"), anna);

  REQUIRE(taken.status == 200);
  CHECK(json::parse(taken.body)["assigned_to"] == "anna");
  CHECK(json::parse(taken.body)["mode"] == "human");
  const json joined = c.Poll("u1");
  REQUIRE(joined.size() == 1);
  CHECK(Contains(joined[0]["text"], "anna"));
  CHECK(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  CHECK(c.Poll("u1").empty());  // taking it again says nothing twice
  auto refused = c.Call("POST", c.Path(id, "takeover"), bruno);
  CHECK(refused.status == 409);
  CHECK(json::parse(refused.body)["assigned_to"] == "anna");
  CHECK(c.Call("POST", c.Path(9999, "takeover"), anna).status == 404);
}

TEST_CASE("a takeover cancels the notice for people left waiting") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const int64_t id = c.Waiting("u1");
  (void)c.Poll("u1");
  REQUIRE(c.bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                      "'handoff-timeout:%' AND state = 'pending'") == 1);

  REQUIRE(c.Call("POST", c.Path(id, "takeover"), c.Login("anna")).status ==
          200);

  CHECK(c.bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
                    "'handoff-timeout:%' AND state = 'cancelled'") == 1);
  c.bot.clock.Advance(
      std::chrono::minutes(c.bot.config.handoff_timeout_minutes + 1));
  CHECK(c.Poll("u1").size() == 1);  // only "anna joined"
}

TEST_CASE("of two counsellors taking over at once, exactly one wins") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("bruno", storage::StaffRole::kCounsellor);
  const std::string tokens[] = {c.Login("anna"), c.Login("bruno")};
  const int64_t id = c.Waiting("u1");

  std::atomic<bool> go{false};
  int status[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      status[i] = c.Call("POST", c.Path(id, "takeover"), tokens[i]).status;
    });
  }
  go = true;
  for (auto& t : threads) t.join();

  CHECK(((status[0] == 200 && status[1] == 409) ||
         (status[0] == 409 && status[1] == 200)));
  CHECK(c.bot.Count("SELECT count(*) FROM audit_log WHERE action = "
                    "'takeover'") == 1);
  CHECK(c.bot.Count("SELECT count(*) FROM messages WHERE author IN ('anna', "
                    "'bruno')") == 1);
}

TEST_CASE(
    "a reply goes out through the outbox on the person's channel, "
    "signed by the counsellor") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("bruno", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  (void)c.Poll("u1");

  auto sent =
      c.Call("POST", c.Path(id, "messages"), anna,
             json{{"text", "Ti mando il modulo per Garanzia Giovani"}}.dump());

  CHECK(sent.status == 202);
  CHECK(c.bot.Count(
            "SELECT count(*) FROM outbox WHERE channel = 'web' AND "
            "chat_id = 'u1' AND payload LIKE '%modulo per Garanzia%'") == 1);
  const json replies = c.Poll("u1");
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]["text"] == "Ti mando il modulo per Garanzia Giovani");
  auto view = json::parse(c.Call("GET", c.Path(id), anna).body);
  CHECK(view["messages"].back()["author"] == "anna");
  CHECK(view["messages"].back()["direction"] == "out");

  SUBCASE("a counsellor who does not hold it gets 409") {
    const std::string bruno = c.Login("bruno");
    CHECK(c.Call("POST", c.Path(id, "messages"), bruno,
                 json{{"text", "ciao"}}.dump())
              .status == 409);
  }
  SUBCASE("an empty text is a 400") {
    CHECK(c.Call("POST", c.Path(id, "messages"), anna,
                 json{{"text", "  "}}.dump())
              .status == 400);
  }
}

TEST_CASE("a reply to WhatsApp after 24 hours of silence is a 422") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  int64_t id = 0;
  const int64_t then = c.bot.clock.NowMillis();
  REQUIRE(c.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                auto u =
                    storage::UpsertUserOnInbound(db, "whatsapp", "393331112222",
                                                 "393331112222", "Lia", then);
                if (!u.ok()) return u.status();
                auto conv = storage::GetOrCreateConversation(db, u->id, then);
                if (!conv.ok()) return conv.status();
                id = conv->id;
                return core::Status::Ok();
              })
              .ok());
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), c.Login("anna")).status ==
          200);
  const int64_t outbox_before = c.bot.Count("SELECT count(*) FROM outbox");
  c.bot.clock.Advance(25h);

  auto r = c.Call("POST", c.Path(id, "messages"), c.Login("anna"),
                  json{{"text", "ci sei?"}}.dump());

  CHECK(r.status == 422);
  CHECK(Contains(r.body, "24 hours"));
  CHECK(Contains(r.body, "template"));
  CHECK(c.bot.Count("SELECT count(*) FROM outbox") == outbox_before);
}

TEST_CASE("a note is kept for counsellors and never sent") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  const int64_t outbox_before = c.bot.Count("SELECT count(*) FROM outbox");

  auto r = c.Call("POST", c.Path(id, "notes"), anna,
                  json{{"text", "richiamare giovedì"}}.dump());

  CHECK(r.status == 201);
  CHECK(c.bot.Count("SELECT count(*) FROM outbox") == outbox_before);
  CHECK(c.bot.Count("SELECT count(*) FROM outbox WHERE payload LIKE "
                    "'%richiamare%'") == 0);
  auto view = json::parse(c.Call("GET", c.Path(id), anna).body);
  REQUIRE(view["notes"].size() == 1);
  CHECK(view["notes"][0]["text"] == "richiamare giovedì");
}

TEST_CASE(
    "while a counsellor holds the conversation the bot stays silent, "
    "and the message is shown to the counsellor") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  (void)c.Poll("u1");

  const json replies = c.bot.Say("u1", "cerco lavoro come cameriere");

  CHECK(replies.empty());
  auto view = json::parse(c.Call("GET", c.Path(id), anna).body);
  CHECK(view["messages"].back()["text"] == "cerco lavoro come cameriere");
  CHECK(view["messages"].back()["author"] == "user");
  CHECK(view["messages"].back()["direction"] == "in");
}

TEST_CASE(
    "while a counsellor holds the conversation, stop and privacy requests "
    "are still answered, and the counsellor is told in the transcript") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  c.bot.GiveConsent("u1");
  (void)c.bot.Say("u1", "notifiche on");
  REQUIRE(c.bot.Count("SELECT notify FROM users") == 1);
  const int64_t id = c.Waiting("u1");
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  (void)c.Poll("u1");
  std::string answered;

  SUBCASE("stop") {
    const json stopped = c.bot.Say("u1", "stop");
    CHECK(Mentions(stopped, It("privacy.notify_off_done")));
    CHECK(c.bot.Count("SELECT notify FROM users") == 0);
    answered = It("privacy.notify_off_done");
  }
  SUBCASE("my data") {
    const json data = c.bot.Say("u1", "i miei dati");
    CHECK(Mentions(data, "📄"));
    answered = "📄";
  }
  SUBCASE("erasure, confirmed") {
    const json confirm = c.bot.Say("u1", "cancella i miei dati");
    CHECK(Offers(confirm, "privacy:erase_yes"));
    const json erased = c.bot.Press("u1", "privacy:erase_yes");
    CHECK(Mentions(erased, It("privacy.erased")));
    CHECK(c.bot.Count("SELECT count(*) FROM users WHERE consent_at IS NULL") ==
          1);
    answered = It("privacy.erased");
  }

  // The counsellor keeps the conversation, reads the bot's answer and a
  // note that says why the bot spoke.
  auto view = json::parse(c.Call("GET", c.Path(id), anna).body);
  CHECK(view["mode"] == "human");
  CHECK(view["assigned_to"] == "anna");
  bool bot_answer_shown = false;
  for (const auto& m : view["messages"]) {
    if (m["author"] == "bot" &&
        Contains(m["text"].get<std::string>(), answered))
      bot_answer_shown = true;
  }
  CHECK(bot_answer_shown);
  REQUIRE_FALSE(view["notes"].empty());
  CHECK(view["notes"].back()["text"] == It("handoff.rights_note"));
  CHECK(view["notes"].back()["author"] == "bot");
  // Anything else is still for the counsellor alone.
  CHECK(c.bot.Say("u1", "grazie, aspetto la risposta").empty());
}

TEST_CASE(
    "after release the bot tells the person, shows the menu and "
    "answers again") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("bruno", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  (void)c.Poll("u1");
  CHECK(c.Call("POST", c.Path(id, "release"), c.Login("bruno")).status == 409);

  auto released = c.Call("POST", c.Path(id, "release"), anna);

  REQUIRE(released.status == 200);
  CHECK(json::parse(released.body)["mode"] == "bot");
  const json told = c.Poll("u1");
  REQUIRE(told.size() == 2);
  CHECK(ButtonIds(told).size() == 5);  // the menu
  CHECK(!c.bot.Say("u1", "ciao").empty());
  CHECK(c.Call("POST", c.Path(id, "release"), anna).status == 409);
}

TEST_CASE("console actions leave audit rows an admin can read") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("boss", storage::StaffRole::kAdmin);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  REQUIRE(c.Call("GET", c.Path(id), anna).status == 200);
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  REQUIRE(c.Call("POST", c.Path(id, "messages"), anna,
                 json{{"text", "ciao"}}.dump())
              .status == 202);
  REQUIRE(
      c.Call("POST", c.Path(id, "notes"), anna, json{{"text", "nota"}}.dump())
          .status == 201);
  REQUIRE(c.Call("POST", c.Path(id, "release"), anna).status == 200);
  REQUIRE(c.Call("GET", "/api/profiles", anna, "", {{"q", "Bari"}}).status ==
          200);

  auto r = c.Call("GET", "/api/audit", c.Login("boss"));

  REQUIRE(r.status == 200);
  const json entries = json::parse(r.body)["entries"];
  std::string actions;
  for (const auto& e : entries) {
    CHECK(e["actor"] == "anna");
    actions += e["action"].get<std::string>() + " ";
  }
  CHECK(actions ==
        "search_profiles release note reply takeover view_conversation ");
}

TEST_CASE("the day's appointments list slots and who booked them") {
  Console c;
  c.AddStaff("boss", storage::StaffRole::kAdmin);
  const std::string boss = c.Login("boss");
  auto added = c.Call("POST", "/api/slots", boss,
                      json{{"service", "curriculum"},
                           {"starts_at", "2026-12-03T10:30"},
                           {"place", "Sportello 2"},
                           {"counsellor", "anna"}}
                          .dump());
  REQUIRE(added.status == 201);
  CHECK(c.Call("POST", "/api/slots", boss,
               json{{"service", "curriculum"},
                    {"starts_at", "2026-12-03T10:30"},
                    {"place", "Sportello 2"},
                    {"counsellor", "anna"}}
                   .dump())
            .status == 409);
  CHECK(c.Call("POST", "/api/slots", boss,
               json{{"starts_at", "yesterday"}}.dump())
            .status == 400);

  auto day =
      c.Call("GET", "/api/appointments", boss, "", {{"date", "2026-12-03"}});

  REQUIRE(day.status == 200);
  const json list = json::parse(day.body)["appointments"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["minutes"] == 30);  // the service's usual length
  CHECK(list[0]["counsellor"] == "anna");
  CHECK(list[0]["booking"].is_null());
  CHECK(
      c.Call("GET", "/api/appointments", boss, "", {{"date", "3/12"}}).status ==
      400);
}

TEST_CASE(
    "the stream announces a new waiting conversation and its messages, "
    "without their texts") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  auto r = c.Call("GET", "/api/stream", c.Login("anna"));
  REQUIRE(r.status == 200);
  REQUIRE(r.stream);
  CHECK(r.content_type == "text/event-stream");

  std::string got;
  int chunks = 0;
  r.stream([&](std::string_view chunk) {
    if (chunk.empty()) return true;
    got += chunk;
    if (++chunks == 1) {
      c.bot.clock.Advance(1s);
      (void)c.Waiting("u1");
    }
    return chunks < 2;
  });

  CHECK(got.starts_with("event: hello\ndata: {\"waiting\":0}\n\n"));
  CHECK(Contains(got, "event: conversation\ndata: "));
  CHECK(Contains(got, "\"mode\":\"waiting_for_human\""));
  CHECK(Contains(got, "event: message\ndata: "));
  CHECK_FALSE(Contains(got, "ciao"));
}

TEST_CASE(
    "the stream shows a commit of this process at once, not at its next "
    "poll") {
  Console c;
  // A day between polls: only the store's signal can explain news coming.
  c.bot.config.stream_poll_seconds = 24 * 3600;
  c.bot.Restart();
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  auto r = c.Call("GET", "/api/stream", c.Login("anna"));
  REQUIRE(r.stream);

  std::string got;
  bool asked = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  r.stream([&](std::string_view chunk) {
    got += chunk;
    if (!asked && Contains(got, "event: hello")) {
      asked = true;
      c.bot.clock.Advance(1s);
      (void)c.Waiting("u1");
    }
    return !Contains(got, "event: message") &&
           std::chrono::steady_clock::now() < deadline;
  });

  CHECK_MESSAGE(Contains(got, "event: message\ndata: "), got);
  CHECK(Contains(got, "\"mode\":\"waiting_for_human\""));
}

TEST_CASE("the stream ends with its session") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  const std::string token = c.Login("anna");
  auto r = c.Call("GET", "/api/stream", token);
  REQUIRE(r.stream);
  int writes = 0;
  bool ended_by_us = false;
  r.stream([&](std::string_view) {
    if (++writes == 1) {
      REQUIRE(c.Call("POST", "/api/logout", token).status == 200);
    }
    // A stream that outlived its session would go on: stop it here.
    if (writes > 100) ended_by_us = true;
    return !ended_by_us;
  });
  CHECK_FALSE(ended_by_us);
}

TEST_CASE(
    "a counsellor books a free slot for the person, who is told on their "
    "channel; a taken slot is a 409") {
  Console c;
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  c.AddStaff("bruno", storage::StaffRole::kCounsellor);
  const std::string anna = c.Login("anna");
  const int64_t id = c.Waiting("u1");
  const int64_t u2_conversation = c.Waiting("u2");
  const int64_t now = c.bot.clock.NowMillis();
  int64_t slot = 0;
  REQUIRE(c.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                storage::NewSlot s;
                s.service_code = "curriculum";
                s.counsellor = "anna";
                s.starts_at = now + 48 * 3'600'000LL;
                s.minutes = 30;
                s.place = "Sportello 2";
                auto added = storage::AddSlot(db, s, now);
                if (!added.ok()) return added.status();
                slot = *added;
                return core::Status::Ok();
              })
              .ok());
  REQUIRE(c.Call("POST", c.Path(id, "takeover"), anna).status == 200);
  (void)c.Poll("u1");

  auto booked = c.Call("POST", c.Path(id, "appointments"), anna,
                       json{{"slot_id", slot}}.dump());
  REQUIRE(booked.status == 201);
  CHECK(json::parse(booked.body)["service"] == "curriculum");
  auto told = c.Poll("u1");
  REQUIRE(told.size() == 1);
  CHECK(Contains(told[0]["text"], "✅ Prenotato! Curriculum"));
  CHECK(c.bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked'") ==
        1);
  CHECK(c.bot.Count("SELECT count(*) FROM audit_log WHERE action = 'book' "
                    "AND actor = 'anna'") == 1);

  // The same slot for someone else: taken.
  auto again = c.Call("POST", c.Path(u2_conversation, "appointments"), anna,
                      json{{"slot_id", slot}}.dump());
  CHECK(again.status == 409);
  CHECK(c.Call("POST", c.Path(id, "appointments"), anna,
               json{{"slot_id", 999999}}.dump())
            .status == 404);
  CHECK(c.Call("POST", c.Path(id, "appointments"), anna, "{\"slot_id\":\"x\"}")
            .status == 400);
  // Bruno may not book inside Anna's conversation.
  CHECK(c.Call("POST", c.Path(id, "appointments"), c.Login("bruno"),
               json{{"slot_id", slot}}.dump())
            .status == 409);
}

TEST_CASE(
    "a flood of logins is checked one at a time and the excess told to "
    "retry") {
  Console c;
  // Unknown names: each is verified against a full-cost hash (~32 MiB,
  // tens of ms), and no per-name lockout applies.
  constexpr int kAttempts = 12;
  std::vector<int> status(kAttempts, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&c, &status, i] {
      status[static_cast<size_t>(i)] =
          c.LoginResponse("nobody" + std::to_string(i)).status;
    });
  }
  for (auto& t : threads) t.join();

  int refused = 0, busy = 0;
  for (int s : status) {
    refused += s == 401 ? 1 : 0;
    busy += s == 503 ? 1 : 0;
  }
  CHECK(refused + busy == kAttempts);
  CHECK(refused >= 1);
  CHECK(busy >= 1);
  // Once the flood is over, logins work again.
  c.AddStaff("anna", storage::StaffRole::kCounsellor);
  CHECK(c.LoginResponse("anna").status == 200);
}

}  // namespace
}  // namespace sportello::testing

namespace sportello::testing {
namespace {

TEST_CASE(
    "presses read as the words chosen; names, previews and profile in "
    "Italian") {
  Console t;
  const std::string token = t.Staff("anna");
  // A bare client sends presses without their titles.
  (void)t.bot.Say("w1", "voglio fare il profilo");
  (void)t.bot.Press("w1", "consent:age:16_29");
  (void)t.bot.Press("w1", "consent:yes");
  (void)t.bot.Say("w1", "Marta");
  (void)t.bot.Say("w1", "2001");
  (void)t.bot.Say("w1", "Bari");
  (void)t.bot.Press("w1", "profile:education:diploma");
  (void)t.bot.Press("w1", "profile:status:disoccupato");
  (void)t.bot.Say("w1", "posso parlare con un operatore?");
  // Stored with the title offered, in the person's language.
  CHECK(t.bot.Count("SELECT count(*) FROM messages WHERE direction = 'in'"
                    " AND kind = 'button' AND text = ''") == 0);
  CHECK(t.bot.Count("SELECT count(*) FROM messages WHERE button_id ="
                    " 'consent:yes' AND text = 'Accetto'") == 1);

  auto list = Body(t.Call("GET", "/api/conversations", token))["conversations"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["user"]["display_name"] == "Marta");
  CHECK(list[0]["preview"] == "posso parlare con un operatore?");

  const json c =
      Body(t.Call("GET", t.Path(list[0]["id"].get<int64_t>()), token));
  std::vector<std::string> choices;
  for (const auto& m : c["messages"]) {
    if (m.contains("choice")) {
      CHECK(m["kind"] == "button");
      choices.push_back(m["choice"]);
    }
  }
  CHECK(choices == std::vector<std::string>{"16-29", "Accetto", "Diploma",
                                            "Cerco lavoro"});
  const json view = c["profile"]["view"];
  CHECK(view["garanzia_giovani"] == "eligible");
  CHECK(view["over_40"] == false);
  CHECK(view["fields"][0] ==
        json{{"id", "name"}, {"label", "Nome"}, {"value", "Marta"}});
  bool status_seen = false;
  for (const auto& f : view["fields"]) {
    if (f["id"] == "status") {
      status_seen = true;
      CHECK(f["label"] == "Situazione");
      CHECK(f["value"] == "Cerco lavoro");
    }
  }
  CHECK(status_seen);
}

TEST_CASE(
    "canned replies: admins keep the list, counsellors get it filled in") {
  Console t;
  const std::string admin = t.Staff("root", storage::StaffRole::kAdmin);
  const std::string anna = t.Staff("anna");
  const json list = {
      {"replies",
       {{{"title", "Saluto"},
         {"text",
          "Ciao {nome}, qui {centro}. Ci vediamo {prossimo_appuntamento}."}}}}};
  CHECK(t.Call("PUT", "/api/canned-replies", anna, list).status == 403);
  CHECK(t.Call("PUT", "/api/canned-replies", admin, list).status == 200);
  CHECK(t.Call("PUT", "/api/canned-replies", admin,
               json{{"replies", {{{"title", ""}, {"text", "x"}}}}})
            .status == 422);
  CHECK(t.Call("PUT", "/api/canned-replies", admin, "{").status == 400);
  CHECK(t.Audited("canned_replies", "root") == 1);

  const int64_t id = t.Waiting("w2");
  auto r = t.Call("GET", "/api/canned-replies", anna, "",
                  {{"conversation", std::to_string(id)}});
  REQUIRE(r.status == 200);
  const json reply = Body(r)["replies"][0];
  CHECK(reply["title"] == "Saluto");
  // No name given and none from the channel: left empty, and said so.
  CHECK(reply["filled"] == "Ciao , qui Porta Futuro. Ci vediamo .");
  CHECK(reply["missing"] == json{"nome", "prossimo_appuntamento"});
  CHECK(
      t.Call("GET", "/api/canned-replies", anna, "", {{"conversation", "999"}})
          .status == 404);
}

}  // namespace
}  // namespace sportello::testing

namespace sportello::testing {
namespace {

TEST_CASE("presses stored without words are read back from the last offer") {
  Console t;
  const std::string token = t.Staff("anna");
  const int64_t id = t.Waiting("w3");
  REQUIRE(t.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                const int64_t now = t.bot.clock.NowMillis();
                storage::NewMessage offer;
                offer.conversation_id = id;
                offer.direction = "out";
                offer.author = "bot";
                offer.kind = "text";
                offer.text = "Vuoi un appuntamento?";
                offer.buttons = R"([{"id":"x:si","title":"Sì, grazie"}])";
                if (auto r = storage::InsertMessage(db, offer, now); !r.ok())
                  return r.status();
                storage::NewMessage aside =
                    offer;  // no buttons: the offer stands
                aside.author = "anna";
                aside.text = "Ti aiuto io";
                aside.buttons.reset();
                if (auto r = storage::InsertMessage(db, aside, now); !r.ok())
                  return r.status();
                storage::NewMessage press;
                press.conversation_id = id;
                press.direction = "in";
                press.author = "user";
                press.kind = "button";
                press.button_id = "x:si";
                press.status = core::DeliveryState::kRead;
                return storage::InsertMessage(db, press, now).status();
              })
              .ok());
  const json messages = Body(t.Call("GET", t.Path(id), token))["messages"];
  const json last = messages.back();
  CHECK(last["choice"] == "Sì, grazie");
  CHECK(last["text"] == "Sì, grazie");
}

}  // namespace
}  // namespace sportello::testing
