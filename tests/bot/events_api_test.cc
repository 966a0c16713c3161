// The console's events API on a TestBot: staff create, list, edit and cancel
// events; a cancellation reaches everyone signed up or waiting, and the bot
// stops offering the event.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "bot/core/rome_time.h"
#include "bot/domain/events.h"
#include "tests/bot/staff_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

int64_t Rome(int y, unsigned m, unsigned d, int hour, int minute) {
  return core::ToMillis(core::FromRome(
      std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                  std::chrono::day{d}},
      hour, minute));
}

json Workshop() {
  return {{"title", "Workshop CV"},
          {"description", "Porta il tuo curriculum."},
          {"starts_at", "2026-12-03T10:30"},
          {"ends_at", "2026-12-03T12:30:00+01:00"},
          {"place", "Porta Futuro, Bari"},
          {"link", nullptr},
          {"capacity", 20},
          {"tags", {"workshop", "cv"}}};
}

struct Events : StaffConsole {
  std::string anna;
  Events() {
    bot.clock.SetMillis(Rome(2026, 11, 16, 10, 0));
    anna = Staff("anna");
  }

  int64_t Create(json body = Workshop()) {
    auto r = Call("POST", "/api/events", anna, body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return Body(r)["id"];
  }

  // A web-chat person who consented, signed up through the bot.
  void SignUp(const std::string& user, int64_t event) {
    (void)bot.Say(user, "ciao");
    bot.GiveConsent(user);
    (void)bot.Press(user, "events:join:" + std::to_string(event));
  }

  std::string Replies(const std::string& user) {
    auto r = bot.Request("GET", "/api/chat", "", {}, {{"user", user}});
    const json replies = Body(r)["replies"];
    std::string all;
    for (const auto& reply : replies)
      all += reply["text"].get<std::string>() + "\n";
    return all;
  }

  int64_t UserId(const std::string& user) {
    return bot.Count("SELECT id FROM users WHERE external_id = '" + user + "'");
  }
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("the events API needs a session") {
  Events e;
  CHECK(e.bot.Request("GET", "/api/events").status == 401);
  CHECK(e.bot.Request("POST", "/api/events", Workshop().dump()).status == 401);
  CHECK(e.bot.Request("POST", "/api/events/1/cancel").status == 401);
  CHECK(e.Call("GET", "/api/events", "not-a-token").status == 401);
}

TEST_CASE("staff create an event, in Rome time or with an offset") {
  Events e;
  const int64_t id = e.Create();

  auto one = e.Call("GET", "/api/events/" + std::to_string(id), e.anna);
  REQUIRE(one.status == 200);
  const json event = Body(one);
  CHECK(event["title"] == "Workshop CV");
  // 10:30 in Rome in December is 09:30 UTC, as is 12:30+01:00 minus 2 h.
  CHECK(event["starts_at"] == "2026-12-03T09:30:00.000Z");
  CHECK(event["ends_at"] == "2026-12-03T11:30:00.000Z");
  CHECK(event["capacity"] == 20);
  CHECK(event["tags"] == json({"workshop", "cv"}));
  CHECK(event["signed_up"] == 0);
  CHECK(event["cancelled_at"].is_null());
  CHECK(e.Audited("create_event", "anna") == 1);

  auto list = e.Call("GET", "/api/events", e.anna);
  REQUIRE(list.status == 200);
  REQUIRE(Body(list)["events"].size() == 1);
  CHECK(Body(list)["events"][0]["id"] == id);
  CHECK(e.Call("GET", "/api/events/999", e.anna).status == 404);
}

TEST_CASE("an event the bot could not offer is refused, naming the field") {
  Events e;
  struct Row {
    const char* name;
    json body;
    const char* field;
  };
  const auto with = [](const char* key, json value) {
    json b = Workshop();
    b[key] = std::move(value);
    return b;
  };
  json no_title = Workshop();
  no_title.erase("title");
  json past = Workshop();
  past["starts_at"] = "2026-11-10T10:00";
  past["ends_at"] = "2026-11-10T12:00";
  const Row rows[] = {
      {"no title", no_title, "title"},
      {"a blank title", with("title", "  "), "title"},
      {"a time that is not one", with("starts_at", "domani alle 10"),
       "starts_at"},
      {"an end before the start", with("ends_at", "2026-12-03T09:00"),
       "ends_at"},
      {"a start in the past", past, "starts_at"},
      {"no places", with("capacity", 0), "capacity"},
      {"places as text", with("capacity", "20"), "capacity"},
      {"online without a link", with("place", "online"), "link"},
      {"a link that is not an address", with("link", "javascript:alert(1)"),
       "link"},
      {"a tag with a comma", with("tags", {"cv,lavoro"}), "tags"},
      {"an unknown field", with("colour", "red"), "colour"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    auto res = e.Call("POST", "/api/events", e.anna, r.body);
    CHECK(res.status == 422);
    CHECK(Body(res)["field"] == r.field);
  }
  CHECK(e.Call("POST", "/api/events", e.anna, std::string("{\"title\":"))
            .status == 400);
  CHECK(e.Call("POST", "/api/events", e.anna, std::string("[]")).status == 400);
  CHECK(e.bot.Count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("an edit changes the fields given and keeps every seat taken") {
  Events e;
  json small = Workshop();
  small["capacity"] = 2;
  const int64_t id = e.Create(small);
  e.SignUp("u1", id);
  e.SignUp("u2", id);
  const std::string path = "/api/events/" + std::to_string(id);

  auto below = e.Call("PATCH", path, e.anna, json{{"capacity", 1}});
  CHECK(below.status == 422);
  CHECK(Body(below)["field"] == "capacity");

  auto edited = e.Call("PATCH", path, e.anna,
                       json{{"title", "Workshop CV e colloquio"},
                            {"starts_at", "2026-12-03T11:00"}});
  REQUIRE(edited.status == 200);
  CHECK(Body(edited)["title"] == "Workshop CV e colloquio");
  CHECK(Body(edited)["place"] == "Porta Futuro, Bari");  // untouched
  CHECK(Body(edited)["signed_up"] == 2);
  CHECK(Body(edited)["updated_at"] == "2026-11-16T09:00:00.000Z");
  // The reminders queued for the old time are written again for the new.
  CHECK(e.bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE"
                    " 'event:" +
                    std::to_string(id) +
                    ":%:reminder' AND state = 'pending'"
                    " AND payload LIKE '%colloquio%'") == 2);
  CHECK(e.Audited("edit_event", "anna") == 1);
  CHECK(e.Call("PATCH", "/api/events/999", e.anna, json{{"capacity", 5}})
            .status == 404);
  CHECK(e.Call("PATCH", path, e.anna, std::string("nope")).status == 400);
}

TEST_CASE("more places go to the people waiting, who are told") {
  Events e;
  json one_place = Workshop();
  one_place["capacity"] = 1;
  const int64_t id = e.Create(one_place);
  e.SignUp("u1", id);
  e.SignUp("u2", id);  // waiting
  (void)e.Replies("u2");

  auto r = e.Call("PATCH", "/api/events/" + std::to_string(id), e.anna,
                  json{{"capacity", 2}});
  REQUIRE(r.status == 200);
  CHECK(Body(r)["signed_up"] == 2);
  CHECK(Body(r)["waiting"] == 0);
  CHECK(Contains(e.Replies("u2"), "Si è liberato un posto"));
}

TEST_CASE(
    "moving an event tells everyone signed up or waiting; a new title alone "
    "does not") {
  Events e;
  json one_place = Workshop();
  one_place["capacity"] = 1;
  const int64_t id = e.Create(one_place);
  e.SignUp("u1", id);
  e.SignUp("u2", id);  // waiting
  (void)e.Replies("u1");
  (void)e.Replies("u2");
  const std::string path = "/api/events/" + std::to_string(id);

  REQUIRE(
      e.Call("PATCH", path, e.anna, json{{"title", "Workshop CV e colloquio"}})
          .status == 200);
  CHECK_FALSE(Contains(e.Replies("u1"), "Cambio per"));

  REQUIRE(e.Call("PATCH", path, e.anna,
                 json{{"starts_at", "2026-12-04T15:00"},
                      {"ends_at", "2026-12-04T17:00"},
                      {"place", "Fiera del Levante, Bari"}})
              .status == 200);
  const std::string u1 = e.Replies("u1");
  CHECK(Contains(u1, "Cambio per Workshop CV e colloquio"));
  CHECK(Contains(u1, "venerdì 4 dicembre"));
  CHECK(Contains(u1, "Fiera del Levante"));
  CHECK(Contains(e.Replies("u2"), "Cambio per Workshop CV e colloquio"));
}

TEST_CASE(
    "cancelling an event tells everyone signed up or waiting and the bot "
    "stops offering it") {
  Events e;
  json one_place = Workshop();
  one_place["capacity"] = 1;
  const int64_t id = e.Create(one_place);
  const int64_t other = e.Create();
  e.SignUp("u1", id);
  e.SignUp("u2", id);  // waiting
  REQUIRE(e.bot.Count("SELECT count(*) FROM event_signups WHERE state ="
                      " 'waiting'") == 1);
  REQUIRE(e.bot.store
              ->Write([&](storage::Database& db) {
                return storage::SetUserLanguage(db, e.UserId("u2"), "en");
              })
              .ok());
  (void)e.Replies("u1");
  (void)e.Replies("u2");
  const std::string path = "/api/events/" + std::to_string(id);

  auto r = e.Call("POST", path + "/cancel", e.anna);
  REQUIRE(r.status == 200);
  CHECK(Body(r)["told"] == 2);

  const std::string u1 = e.Replies("u1");
  CHECK(Contains(u1, "Annullato: Workshop CV"));
  CHECK(Contains(u1, "giovedì 3 dicembre"));
  CHECK(Contains(e.Replies("u2"), "Cancelled: Workshop CV"));
  CHECK(e.bot.Count("SELECT count(*) FROM outbox WHERE dedupe_key = '" +
                    EventReminderKey(id, e.UserId("u1")) +
                    "' AND state = 'cancelled'") == 1);
  CHECK(e.Audited("cancel_event", "anna") == 1);

  SUBCASE("the bot lists only the event still on") {
    auto list = e.bot.Press("u1", "events:list:0");
    const std::string ids = json(ButtonIds(list)).dump();
    CHECK(Contains(ids, "events:show:" + std::to_string(other)));
    CHECK_FALSE(Contains(ids, "events:show:" + std::to_string(id)));
  }
  SUBCASE("a notice's sign-up button is refused politely") {
    (void)e.bot.Say("u3", "ciao");
    e.bot.GiveConsent("u3");
    auto join = e.bot.Press("u3", "events:join:" + std::to_string(id));
    REQUIRE(join.size() == 1);
    CHECK(Contains(join[0]["text"], "è stato annullato"));
    CHECK(e.bot.Count("SELECT count(*) FROM event_signups WHERE user_id = " +
                      std::to_string(e.UserId("u3"))) == 0);
  }
  SUBCASE("staff see it only among all events") {
    auto upcoming = Body(e.Call("GET", "/api/events", e.anna))["events"];
    REQUIRE(upcoming.size() == 1);
    CHECK(upcoming[0]["id"] == other);
    auto all = Body(e.Call("GET", "/api/events", e.anna, "", {{"all", "1"}}));
    REQUIRE(all["events"].size() == 2);
    CHECK(all["events"][0]["cancelled_at"] == "2026-11-16T09:00:00.000Z");
  }
  SUBCASE("it cannot be cancelled twice, nor edited") {
    CHECK(e.Call("POST", path + "/cancel", e.anna).status == 409);
    CHECK(e.Call("PATCH", path, e.anna, json{{"capacity", 5}}).status == 409);
    CHECK(e.Call("POST", "/api/events/999/cancel", e.anna).status == 404);
  }
}

TEST_CASE("cancelling an event calls back its notices not sent yet") {
  Events e;
  const int64_t id = e.Create();
  e.Subscriber("telegram", "5551");
  auto notice = e.Call("POST", "/api/broadcasts", e.anna,
                       json{{"event_id", id},
                            {"audience", json::object()},
                            {"send_at", "2026-11-20T10:00"}});
  REQUIRE(notice.status == 201);
  REQUIRE(
      e.Call("POST", "/api/events/" + std::to_string(id) + "/cancel", e.anna)
          .status == 200);
  auto b =
      e.Call("GET", "/api/broadcasts/" + Body(notice)["id"].dump(), e.anna);
  CHECK(Body(b)["status"] == "cancelled");
}

}  // namespace
}  // namespace sportello::testing
