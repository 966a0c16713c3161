// The console's broadcasts API on a TestBot: the preview counts whom the
// fan-out then reaches, a notice is sent by the real sender to the fake
// Telegram Bot API and its counters follow, bad requests name their field,
// and a cancellation stops what was not sent yet.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "bot/channels/api_client.h"
#include "bot/domain/broadcasts.h"
#include "bot/outbound/outbox_sender.h"
#include "storage/events.h"
#include "storage/outbox.h"
#include "tests/bot/staff_console.h"
#include "tests/fakes/fake_telegram.h"
#include "tests/support/claim_due.h"

namespace sportello::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int64_t kHour = 3'600'000;

struct Broadcasts : StaffConsole {
  std::string anna = Staff("anna");

  json Preview(const json& audience) {
    auto r = Call("POST", "/api/broadcasts/preview", anna,
                  json{{"audience", audience}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return Body(r)["recipients"];
  }

  json Create(const json& body) {
    auto r = Call("POST", "/api/broadcasts", anna, body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return Body(r);
  }

  json Get(int64_t id) {
    auto r = Call("GET", "/api/broadcasts/" + std::to_string(id), anna);
    REQUIRE(r.status == 200);
    return Body(r);
  }

  // Runs the real sender against `telegram` until broadcast `id` has no row
  // left to send.
  void SendAll(int64_t id, const fakes::FakeTelegram& telegram) {
    auto channel =
        channels::MakeTelegramSender({telegram.base_url(), telegram.token()});
    SenderOptions options;
    options.threads = 1;
    OutboxSender sender(*bot.store, bot.clock, nullptr,
                        {{core::Channel::kTelegram, channel.get()}}, options);
    REQUIRE(sender.Start().ok());
    for (int i = 0; i < 500 && Get(id)["pending"] != 0; ++i) {
      sender.Wake();
      std::this_thread::sleep_for(10ms);
    }
    sender.Stop();
  }

  int64_t FanOut() {
    auto n = RunDueBroadcasts(*bot.store, bot.clock.NowMillis());
    REQUIRE(n.ok());
    return *n;
  }

  int64_t Rows(int64_t id, const std::string& state = "") {
    return bot.Count("SELECT count(*) FROM outbox WHERE broadcast_id = " +
                     std::to_string(id) +
                     (state.empty() ? "" : " AND state = '" + state + "'"));
  }

  int64_t Event(const std::string& title) {
    int64_t id = 0;
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  storage::NewEvent e;
                  e.title = title;
                  e.starts_at = bot.clock.NowMillis() + 72 * kHour;
                  e.ends_at = e.starts_at + 3 * kHour;
                  e.place = "Fiera del Levante, Bari";
                  e.capacity = 50;
                  auto added = storage::AddEvent(db, e, bot.clock.NowMillis());
                  if (added.ok()) id = *added;
                  return added.status();
                })
                .ok());
    return id;
  }
};

TEST_CASE("the broadcasts API needs a session") {
  Broadcasts b;
  struct Endpoint {
    const char* method;
    const char* path;
  };
  const Endpoint endpoints[] = {{"GET", "/api/broadcasts"},
                                {"POST", "/api/broadcasts"},
                                {"POST", "/api/broadcasts/preview"},
                                {"GET", "/api/broadcasts/1"},
                                {"POST", "/api/broadcasts/1/cancel"}};
  for (const auto& e : endpoints) {
    CAPTURE(e.path);
    CHECK(b.bot.Request(e.method, e.path, "{}").status == 401);
  }
}

TEST_CASE(
    "the console lists the profile questions an audience can filter on, "
    "with their labels") {
  Broadcasts b;
  CHECK(b.bot.Request("GET", "/api/profile/questions").status == 401);
  auto r = b.Call("GET", "/api/profile/questions", b.anna);
  REQUIRE(r.status == 200);
  const json questions = Body(r)["questions"];
  std::map<std::string, json> by_id;
  for (const auto& q : questions) by_id[q["id"].get<std::string>()] = q;
  REQUIRE(by_id.count("status") == 1);
  CHECK(by_id["status"]["label"] == "Situazione");
  CHECK(by_id["status"]["multi"] == false);
  CHECK(by_id["sectors"]["multi"] == true);
  bool unemployed = false;
  for (const auto& o : by_id["status"]["options"])
    unemployed = unemployed ||
                 (o["id"] == "disoccupato" && o["label"] == "Cerco lavoro");
  CHECK(unemployed);
  // Free-text questions have no options to match: not offered.
  CHECK(by_id.count("name") == 0);
  CHECK(by_id.count("roles") == 0);
  // Every question offered is one the audience accepts.
  for (const auto& question : by_id) {
    const std::string& id = question.first;  // clang 14: no binding in CAPTURE
    CAPTURE(id);
    CHECK(b.Preview(
              {{"profile", {{id, question.second["options"][0]["id"]}}}}) == 0);
  }
}

TEST_CASE("the preview counts exactly the people the notice is queued for") {
  Broadcasts b;
  b.Subscriber("telegram", "5551",
               {{"comune", "Bari"}, {"status", "studente"}});
  b.Subscriber("whatsapp", "393330000001",
               {{"comune", "Molfetta"}, {"status", "disoccupato"}});
  b.Subscriber("telegram", "5552", {{"comune", "Lecce"}});
  b.Subscriber("telegram", "5553",
               {{"comune", "Bari"}, {"birth_year", "1970"}});

  const json in_bari_province = {{"provinces", {"BA"}}};
  CHECK(b.Preview(json::object()) == 4);
  CHECK(b.Preview({{"channel", "whatsapp"}}) == 1);
  CHECK(b.Preview({{"comuni", {"Lecce"}}}) == 1);
  CHECK(b.Preview({{"profile", {{"status", "studente"}}}}) == 1);
  CHECK(b.Preview({{"provinces", {"BA"}}, {"max_age", 29}}) == 0);
  REQUIRE(b.Preview(in_bari_province) == 3);

  const json created = b.Create({{"text", "Nuovi corsi di inglese"},
                                 {"audience", in_bari_province},
                                 {"send_at", nullptr}});
  CHECK(created["recipients"] == 3);
  const int64_t id = created["id"];
  CHECK(b.FanOut() == 3);
  CHECK(b.Rows(id) == 3);

  const json got = b.Get(id);
  CHECK(got["status"] == "sending");
  CHECK(got["recipients"] == 3);
  CHECK(got["pending"] == 3);
  CHECK(got["sent"] == 0);
  CHECK(got["in_doubt"] == 0);
  CHECK(got["text"] == "Nuovi corsi di inglese");
  CHECK(got["event_id"].is_null());
  CHECK(got["created_by"] == "anna");
  CHECK(b.Audited("create_broadcast", "anna") == 1);
}

TEST_CASE(
    "a notice sent now reaches Telegram and its counters reach the "
    "recipients") {
  Broadcasts b;
  fakes::FakeTelegram telegram;
  b.Subscriber("telegram", "5551");
  b.Subscriber("telegram", "5552", {}, "en");
  const int64_t event = b.Event("Recruiting day turismo");

  const int64_t id =
      b.Create({{"event_id", event}, {"audience", json::object()}})["id"];
  REQUIRE(b.FanOut() == 2);
  b.SendAll(id, telegram);
  b.FanOut();  // closes a finished broadcast

  const json got = b.Get(id);
  CHECK(got["sent"] == 2);
  CHECK(got["recipients"] == 2);
  CHECK(got["status"] == "done");
  CHECK(got["event_id"] == event);
  const auto calls = telegram.Calls("sendMessage");
  REQUIRE(calls.size() == 2);
  std::string keyboards;
  for (const auto& call : calls) {
    const std::string text = call.body["text"];
    CHECK(text.find("Recruiting day turismo") != std::string::npos);
    const std::string keyboard = call.body["reply_markup"].dump();
    CHECK(keyboard.find("events:join:" + std::to_string(event)) !=
          std::string::npos);
    keyboards += keyboard;
  }
  CHECK(keyboards.find("Mi iscrivo") != std::string::npos);
}

TEST_CASE(
    "a broadcast the service could not send is refused, naming the field") {
  Broadcasts b;
  const int64_t event = b.Event("Workshop CV");
  const int64_t cancelled = b.Event("Annullato");
  REQUIRE(b.bot.store
              ->Write([&](storage::Database& db) {
                return storage::CancelEvent(db, cancelled,
                                            b.bot.clock.NowMillis());
              })
              .ok());
  const json ok = {{"text", "Avviso"}, {"audience", json::object()}};
  struct Row {
    const char* name;
    json body;
    const char* field;
  };
  const auto with = [&](const char* key, json value) {
    json body = ok;
    body[key] = std::move(value);
    return body;
  };
  const auto audience = [&](json value) { return with("audience", value); };
  json neither = ok;
  neither.erase("text");
  const Row rows[] = {
      {"neither text nor event", neither, "text"},
      {"both text and event", with("event_id", event), "text"},
      {"a blank text", with("text", " \n"), "text"},
      {"a text too long", with("text", std::string(4097, 'a')), "text"},
      {"an unknown event",
       json{{"event_id", 999}, {"audience", json::object()}}, "event_id"},
      {"a cancelled event",
       json{{"event_id", cancelled}, {"audience", json::object()}}, "event_id"},
      {"no audience", json{{"text", "Avviso"}}, "audience"},
      {"an unknown audience key", audience({{"city", "Bari"}}),
       "audience.city"},
      {"an age as text", audience({{"min_age", "18"}}), "audience.min_age"},
      {"a minimum age over the maximum",
       audience({{"min_age", 30}, {"max_age", 18}}), "audience.min_age"},
      {"an unknown province", audience({{"provinces", {"XX"}}}),
       "audience.provinces"},
      {"a channel we do not broadcast on", audience({{"channel", "web"}}),
       "audience.channel"},
      {"a profile question without options",
       audience({{"profile", {{"roles", "cameriere"}}}}), "audience.profile"},
      {"a profile option that does not exist",
       audience({{"profile", {{"status", "pensionato"}}}}),
       "audience.profile.status"},
      {"an unknown event in the audience", audience({{"event_id", 999}}),
       "audience.event_id"},
      {"a send time in the past", with("send_at", "2020-01-01T10:00:00Z"),
       "send_at"},
      {"a send time that is not one", with("send_at", "domani"), "send_at"},
      {"a template without a name",
       with("whatsapp_template", {{"language", "it"}}),
       "whatsapp_template.name"},
      {"an unknown field", with("priority", 1), "priority"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    auto res = b.Call("POST", "/api/broadcasts", b.anna, r.body);
    CHECK(res.status == 422);
    CHECK(Body(res)["field"] == r.field);
  }
  CHECK(b.bot.Count("SELECT count(*) FROM broadcasts") == 0);

  SUBCASE("the preview checks the audience alike") {
    auto res = b.Call("POST", "/api/broadcasts/preview", b.anna,
                      json{{"audience", {{"max_age", -1}}}});
    CHECK(res.status == 422);
    CHECK(Body(res)["field"] == "audience.max_age");
  }
  SUBCASE("a body that is not JSON is a bad request") {
    CHECK(b.Call("POST", "/api/broadcasts", b.anna, std::string("{\"text\""))
              .status == 400);
    CHECK(b.Call("POST", "/api/broadcasts/preview", b.anna, std::string("1"))
              .status == 400);
  }
  SUBCASE("a send time a few seconds behind is taken as now") {
    auto res = b.Call("POST", "/api/broadcasts", b.anna,
                      with("send_at", "2026-11-18T00:00:00Z"));
    CHECK(res.status == 422);
    const json created =
        b.Create(with("send_at", "2026-11-18T11:06:20Z"));  // clock - 20 s
    CHECK(b.Get(created["id"])["status"] == "scheduled");
    CHECK(b.FanOut() == 0);  // nobody subscribed, done at once
  }
}

TEST_CASE(
    "a recipient the notice could not reach is listed with the channel's "
    "code and reason") {
  Broadcasts b;
  fakes::FakeTelegram telegram;
  telegram.BlockChat(5552);
  b.Subscriber("telegram", "5551");
  b.Subscriber("telegram", "5552");
  const int64_t id = b.Create(
      {{"text", "Workshop CV giovedì"}, {"audience", json::object()}})["id"];
  REQUIRE(b.FanOut() == 2);
  b.SendAll(id, telegram);

  const json got = b.Get(id);
  CHECK(got["sent"] == 1);
  CHECK(got["failed"] == 1);
  REQUIRE(got["failures"].size() == 1);
  const json& f = got["failures"][0];
  CHECK(f["chat_id"] == "5552");
  CHECK(f["channel"] == "telegram");
  const std::string error = f["error"];
  CHECK(error.rfind("403", 0) == 0);
  CHECK(error.find("blocked") != std::string::npos);
}

TEST_CASE("a scheduled broadcast can be cancelled before it leaves") {
  Broadcasts b;
  b.Subscriber("telegram", "5551");
  const int64_t id = b.Create({{"text", "Domani recruiting day"},
                               {"audience", json::object()},
                               {"send_at", "2026-12-01T09:00"}})["id"];
  json got = b.Get(id);
  CHECK(got["status"] == "scheduled");
  CHECK(got["recipients"] == 1);  // whom it would reach now
  CHECK(got["send_at"] == "2026-12-01T08:00:00.000Z");

  auto cancel = b.Call(
      "POST", "/api/broadcasts/" + std::to_string(id) + "/cancel", b.anna);
  REQUIRE(cancel.status == 200);
  CHECK(Body(cancel)["status"] == "cancelled");
  CHECK(b.Audited("cancel_broadcast", "anna") == 1);

  auto again = b.Call(
      "POST", "/api/broadcasts/" + std::to_string(id) + "/cancel", b.anna);
  CHECK(again.status == 409);
  CHECK(Body(again)["status"] == "cancelled");
  CHECK(b.Call("POST", "/api/broadcasts/999/cancel", b.anna).status == 404);
  CHECK(b.Call("GET", "/api/broadcasts/999", b.anna).status == 404);
  b.bot.clock.Advance(std::chrono::hours(24 * 20));
  CHECK(b.FanOut() == 0);
}

TEST_CASE("cancelling a notice being sent stops the rows not sent yet") {
  Broadcasts b;
  b.Subscriber("telegram", "5551");
  b.Subscriber("telegram", "5552");
  b.Subscriber("telegram", "5553");
  const int64_t id =
      b.Create({{"text", "Avviso"}, {"audience", json::object()}})["id"];
  REQUIRE(b.FanOut() == 3);
  // The sender got one out before the cancel.
  REQUIRE(b.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                auto claimed =
                    support::ClaimDueOutbox(db, b.bot.clock.NowMillis(), 1, {});
                if (!claimed.ok()) return claimed.status();
                REQUIRE(claimed->size() == 1);
                return storage::MarkOutboxSent(db, (*claimed)[0].id, "m1",
                                               b.bot.clock.NowMillis());
              })
              .ok());

  auto r = b.Call("POST", "/api/broadcasts/" + std::to_string(id) + "/cancel",
                  b.anna);
  REQUIRE(r.status == 200);
  CHECK(Body(r)["sent"] == 1);
  CHECK(Body(r)["cancelled"] == 2);
  CHECK(Body(r)["pending"] == 0);
  CHECK(b.Rows(id, "pending") == 0);
  CHECK(b.Rows(id, "cancelled") == 2);
}

TEST_CASE("broadcasts are listed newest first with their counters") {
  Broadcasts b;
  b.Subscriber("telegram", "5551");
  const int64_t first =
      b.Create({{"text", "Primo"}, {"audience", json::object()}})["id"];
  const int64_t second = b.Create({{"text", "Secondo"},
                                   {"audience", {{"channel", "whatsapp"}}},
                                   {"send_at", "2026-12-01T09:00"}})["id"];
  b.FanOut();
  auto r = b.Call("GET", "/api/broadcasts", b.anna);
  REQUIRE(r.status == 200);
  const json list = Body(r)["broadcasts"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == second);
  CHECK(list[0]["recipients"] == 0);
  CHECK(list[0]["audience"]["channel"] == "whatsapp");
  CHECK(list[1]["id"] == first);
  CHECK(list[1]["pending"] == 1);
  CHECK(list[1]["created_by"] == "anna");
}

}  // namespace
}  // namespace sportello::testing
