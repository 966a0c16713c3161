// Centres are isolated in the console API: staff of centre A never see,
// and cannot act on, centre B's conversations, profiles, appointments and
// slots. For each endpoint, B's object is answered exactly as an id that
// does not exist (404, same body), never 403: the API does not tell that it
// exists. A regional admin sees every centre, on record in the audit log.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bot/core/rome_time.h"
#include "bot/domain/broadcasts.h"
#include "storage/appointments.h"
#include "storage/centres.h"
#include "storage/events.h"
#include "storage/profiles.h"
#include "storage/staff.h"
#include "storage/vacancies.h"
#include "tests/bot/staff_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

constexpr int64_t kMissing = 987654;

int64_t Rome(int y, unsigned m, unsigned d, int hour, int minute) {
  return core::ToMillis(core::FromRome(
      std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                  std::chrono::day{d}},
      hour, minute));
}

// What each centre has: a person waiting for a counsellor (with a
// profile), a booked slot of today and a free one of tomorrow, an event, a
// notice and a job offer.
struct Objects {
  int64_t conversation = 0;
  int64_t user = 0;
  int64_t booked_slot = 0;
  int64_t booking = 0;
  int64_t free_slot = 0;
  int64_t event = 0;
  int64_t broadcast = 0;
  int64_t vacancy = 0;
};

// Centre A is centre 1 (Bari); centre B is Molfetta. anna works for A,
// bruno for B, carla is B's centre admin, capo the regional admin.
struct TwoCentres : StaffConsole {
  int64_t a = storage::kFirstCentre;
  int64_t b = 0;
  std::string anna, bruno, carla, capo;
  Objects in_a, in_b;
  int64_t regional_vacancy = 0;

  TwoCentres() {
    bot.clock.SetMillis(Rome(2026, 11, 16, 15, 0));
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  storage::Centre m;
                  m.name = "Molfetta";
                  auto id = storage::AddCentre(db, m, 1);
                  if (!id.ok()) return id.status();
                  b = *id;
                  return core::Status::Ok();
                })
                .ok());
    anna = Staff("anna");
    bruno = Member("bruno", storage::StaffRole::kCounsellor, {b});
    carla = Member("carla", storage::StaffRole::kCentreAdmin, {b});
    capo = Staff("capo", storage::StaffRole::kAdmin);
    in_a = Make("person-a", a, "Alba", 9);
    in_b = Make("person-b", b, "Bianca", 11);
    regional_vacancy = Vacancy("Region", std::nullopt);
  }

  int64_t Vacancy(const std::string& name, std::optional<int64_t> centre) {
    storage::Vacancy v;
    v.external_id = "offer-" + name;
    v.title = "Cameriere " + name;
    v.employer = "Trattoria " + name;
    v.comune = "Bari";
    v.contract = "part_time";
    v.how_to_apply = "in sede";
    v.published_at = bot.clock.NowMillis() - 86'400'000;
    v.expires_at = bot.clock.NowMillis() + 30 * 86'400'000LL;
    v.centre_id = centre;
    int64_t id = 0;
    const core::Status made =
        bot.store->Write([&](storage::Database& db) -> core::Status {
          auto up = storage::UpsertVacancy(db, v, bot.clock.NowMillis());
          if (!up.ok()) return up.status();
          auto found = storage::FindVacancyByExternalId(db, v.external_id);
          if (!found.ok()) return found.status();
          if (!*found) return core::Status::Internal("offer not stored");
          id = (*found)->id;
          return core::Status::Ok();
        });
    REQUIRE_MESSAGE(made.ok(), made.message());
    return id;
  }

  Objects Make(const std::string& user, int64_t centre, const std::string& name,
               int hour) {
    (void)bot.Say(user, "ciao");
    (void)bot.Press(user, "menu:human");
    // Two centres: the bot asks the comune first; skipping it queues them.
    (void)bot.Press(user, "centre:skip");
    Objects o;
    o.conversation = bot.Count(
        "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
        " WHERE u.external_id = '" +
        user + "'");
    o.user =
        bot.Count("SELECT id FROM users WHERE external_id = '" + user + "'");
    REQUIRE(o.conversation > 0);
    const int64_t now = bot.clock.NowMillis();
    const core::Status made =
        bot.store->Write([&](storage::Database& db) -> core::Status {
          auto st = db.Prepare(
              "UPDATE conversations SET centre_id = ?1 WHERE id = ?2");
          st.Bind(1, centre).Bind(2, o.conversation);
          if (auto s = st.Run(); !s.ok()) return s;
          if (auto s = storage::SaveAnswer(db, o.user, "name", name, now);
              !s.ok())
            return s;
          storage::NewSlot today;
          today.counsellor = name + "-counsellor";
          today.starts_at = Rome(2026, 11, 16, hour, 0);
          today.minutes = 45;
          today.place = "Via Roma 1";
          today.centre_id = centre;
          auto booked = storage::AddSlot(db, today, now);
          if (!booked.ok()) return booked.status();
          o.booked_slot = *booked;
          auto booking =
              storage::InsertBooking(db, *booked, o.user, "orientamento", now);
          if (!booking.ok()) return booking.status();
          o.booking = *booking;
          storage::NewSlot tomorrow = today;
          tomorrow.starts_at = Rome(2026, 11, 17, hour, 0);
          auto free = storage::AddSlot(db, tomorrow, now);
          if (!free.ok()) return free.status();
          o.free_slot = *free;
          storage::NewEvent e;
          e.title = "Recruiting day " + name;
          e.starts_at = Rome(2026, 11, 20, hour, 0);
          e.ends_at = Rome(2026, 11, 20, hour + 2, 0);
          e.place = "Via Roma 1";
          e.capacity = 10;
          e.centre_id = centre;
          auto event = storage::AddEvent(db, e, now);
          if (!event.ok()) return event.status();
          o.event = *event;
          BroadcastRequest notice;
          notice.text = "Avviso per " + name;
          notice.send_at = Rome(2026, 11, 18, 9, 0);
          notice.centre_id = centre;
          auto broadcast = CreateBroadcast(db, bot.catalog, notice, now);
          if (!broadcast.ok()) return broadcast.status();
          o.broadcast = *broadcast;
          return core::Status::Ok();
        });
    REQUIRE_MESSAGE(made.ok(), made.message());
    o.vacancy = Vacancy(name, centre);
    return o;
  }

  // The ids a list answers with, under `key` and then `field`.
  std::set<int64_t> Listed(const std::string& token, const std::string& path,
                           const std::string& key, const std::string& field,
                           std::map<std::string, std::string> query = {}) {
    auto r = Call("GET", path, token, "", std::move(query));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const json body = Body(r);
    std::set<int64_t> ids;
    for (const auto& item : body[key]) ids.insert(item[field].get<int64_t>());
    return ids;
  }

  // Every conversation in the three modes of the queue.
  std::set<int64_t> Conversations(
      const std::string& token, std::map<std::string, std::string> query = {}) {
    std::set<int64_t> all;
    for (const char* mode : {"waiting_for_human", "human", "bot"}) {
      auto q = query;
      q["mode"] = mode;
      auto ids = Listed(token, "/api/conversations", "conversations", "id", q);
      all.insert(ids.begin(), ids.end());
    }
    return all;
  }
  std::set<int64_t> Slots(const std::string& token,
                          std::map<std::string, std::string> query = {}) {
    query["date"] = "2026-11-16";
    return Listed(token, "/api/appointments", "appointments", "slot_id", query);
  }
  std::set<int64_t> Profiles(const std::string& token,
                             std::map<std::string, std::string> query = {}) {
    return Listed(token, "/api/profiles", "profiles", "user_id", query);
  }
  std::set<int64_t> Events(const std::string& token,
                           std::map<std::string, std::string> query = {}) {
    query["all"] = "1";
    return Listed(token, "/api/events", "events", "id", query);
  }
  std::set<int64_t> Broadcasts(const std::string& token,
                               std::map<std::string, std::string> query = {}) {
    return Listed(token, "/api/broadcasts", "broadcasts", "id", query);
  }
  std::set<int64_t> Vacancies(const std::string& token,
                              std::map<std::string, std::string> query = {}) {
    return Listed(token, "/api/vacancies", "vacancies", "id", query);
  }
};

// One endpoint acting on one object: its path and body for an object's
// ids, and what it answers staff of the object's own centre.
struct Endpoint {
  std::string name;
  std::string method;
  std::function<std::string(const Objects&)> path;
  std::function<json(const Objects&)> body;
  int own_status;
  // What another centre's object and a missing one are both answered.
  int foreign_status = 404;
};

std::string ConversationPath(int64_t id, const std::string& action = "") {
  return "/api/conversations/" + std::to_string(id) +
         (action.empty() ? "" : "/" + action);
}

Objects Missing() {
  return {kMissing, kMissing, kMissing, kMissing,
          kMissing, kMissing, kMissing, kMissing};
}

// In this order, so that each works on A's object after the one before
// (a reply and a booking need the conversation taken over).
std::vector<Endpoint> Endpoints() {
  const auto none = [](const Objects&) { return json(); };
  return {
      {"read a conversation", "GET",
       [](const Objects& o) { return ConversationPath(o.conversation); }, none,
       200},
      {"add a note", "POST",
       [](const Objects& o) {
         return ConversationPath(o.conversation, "notes");
       },
       [](const Objects&) {
         return json{{"text", "richiamare"}};
       },
       201},
      {"take over", "POST",
       [](const Objects& o) {
         return ConversationPath(o.conversation, "takeover");
       },
       none, 200},
      {"reply", "POST",
       [](const Objects& o) {
         return ConversationPath(o.conversation, "messages");
       },
       [](const Objects&) {
         return json{{"text", "Buongiorno"}};
       },
       202},
      {"book for the person", "POST",
       [](const Objects& o) {
         return ConversationPath(o.conversation, "appointments");
       },
       [](const Objects& o) {
         return json{{"slot_id", o.free_slot}, {"service", "orientamento"}};
       },
       201},
      {"release", "POST",
       [](const Objects& o) {
         return ConversationPath(o.conversation, "release");
       },
       none, 200},
      {"canned replies for a conversation", "GET",
       [](const Objects&) { return std::string("/api/canned-replies"); }, none,
       200},
      {"mark attendance", "POST",
       [](const Objects& o) {
         return "/api/bookings/" + std::to_string(o.booking) + "/attendance";
       },
       [](const Objects&) {
         return json{{"attendance", "attended"}};
       },
       200},
      {"read an event", "GET",
       [](const Objects& o) {
         return "/api/events/" + std::to_string(o.event);
       },
       none, 200},
      {"edit an event", "PATCH",
       [](const Objects& o) {
         return "/api/events/" + std::to_string(o.event);
       },
       [](const Objects&) {
         return json{{"title", "Nuovo titolo"}};
       },
       200},
      {"announce an event", "POST",
       [](const Objects&) { return std::string("/api/broadcasts"); },
       [](const Objects& o) {
         return json{{"event_id", o.event}, {"audience", json::object()}};
       },
       201, 422},
      {"count an event's people", "POST",
       [](const Objects&) { return std::string("/api/broadcasts/preview"); },
       [](const Objects& o) {
         return json{{"audience", {{"event_id", o.event}}}};
       },
       200, 422},
      {"send to an event's people", "POST",
       [](const Objects&) { return std::string("/api/broadcasts"); },
       [](const Objects& o) {
         return json{{"text", "Ricordate i documenti"},
                     {"audience", {{"event_id", o.event}}}};
       },
       201, 422},
      {"cancel an event", "POST",
       [](const Objects& o) {
         return "/api/events/" + std::to_string(o.event) + "/cancel";
       },
       none, 200},
      {"read a broadcast", "GET",
       [](const Objects& o) {
         return "/api/broadcasts/" + std::to_string(o.broadcast);
       },
       none, 200},
      {"cancel a broadcast", "POST",
       [](const Objects& o) {
         return "/api/broadcasts/" + std::to_string(o.broadcast) + "/cancel";
       },
       none, 200},
      {"read a job offer", "GET",
       [](const Objects& o) {
         return "/api/vacancies/" + std::to_string(o.vacancy);
       },
       none, 200},
  };
}

// The query some endpoints take their object's id in.
std::map<std::string, std::string> QueryFor(const Endpoint& e,
                                            const Objects& o) {
  if (e.name == "canned replies for a conversation")
    return {{"conversation", std::to_string(o.conversation)}};
  return {};
}

http::Response Send(TwoCentres& n, const std::string& token, const Endpoint& e,
                    const Objects& o) {
  const json body = e.body(o);
  return n.Call(e.method, e.path(o), token,
                body.is_null() ? std::string() : body.dump(), QueryFor(e, o));
}

TEST_CASE(
    "for every console endpoint, another centre's object is answered as one "
    "that does not exist, and the own centre's works") {
  TwoCentres n;
  for (const auto& e : Endpoints()) {
    CAPTURE(e.name);
    const auto theirs = Send(n, n.anna, e, n.in_b);
    const auto missing = Send(n, n.anna, e, Missing());
    CHECK(theirs.status == e.foreign_status);
    CHECK(theirs.body == missing.body);
    CHECK(missing.status == e.foreign_status);
    const auto own = Send(n, n.anna, e, n.in_a);
    CHECK_MESSAGE(own.status == e.own_status, own.body);
  }
  // Nothing was done to B's objects.
  CHECK(n.bot.Count(
            "SELECT count(*) FROM conversation_notes WHERE conversation_id = " +
            std::to_string(n.in_b.conversation)) == 0);
  CHECK(n.bot.Count("SELECT count(*) FROM conversations WHERE id = " +
                    std::to_string(n.in_b.conversation) +
                    " AND mode = 'waiting_for_human'") == 1);
  CHECK(n.bot.Count("SELECT count(*) FROM bookings WHERE id = " +
                    std::to_string(n.in_b.booking) +
                    " AND attendance IS NOT NULL") == 0);
  CHECK(n.bot.Count("SELECT count(*) FROM bookings WHERE slot_id = " +
                    std::to_string(n.in_b.free_slot)) == 0);
  CHECK(n.bot.Count("SELECT count(*) FROM events WHERE id = " +
                    std::to_string(n.in_b.event) +
                    " AND cancelled_at IS NULL AND title LIKE 'Recruiting%'") ==
        1);
  CHECK(n.bot.Count("SELECT count(*) FROM broadcasts WHERE id = " +
                    std::to_string(n.in_b.broadcast) +
                    " AND status = 'scheduled'") == 1);
  CHECK(n.bot.Count("SELECT count(*) FROM broadcasts WHERE centre_id = " +
                    std::to_string(n.b)) == 1);
  CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE centre_id = " +
                    std::to_string(n.b)) == 0);
}

TEST_CASE("a person is booked only into a slot of their own centre") {
  TwoCentres n;
  const std::string takeover =
      ConversationPath(n.in_a.conversation, "takeover");
  REQUIRE(n.Call("POST", takeover, n.anna).status == 200);
  const std::string book =
      ConversationPath(n.in_a.conversation, "appointments");
  auto theirs =
      n.Call("POST", book, n.anna,
             json{{"slot_id", n.in_b.free_slot}, {"service", "orientamento"}});
  auto missing =
      n.Call("POST", book, n.anna,
             json{{"slot_id", kMissing}, {"service", "orientamento"}});
  CHECK(theirs.status == 404);
  CHECK(theirs.body == missing.body);
  CHECK(n.bot.Count("SELECT count(*) FROM bookings WHERE slot_id = " +
                    std::to_string(n.in_b.free_slot)) == 0);
}

TEST_CASE("lists show the caller's centres only") {
  TwoCentres n;
  SUBCASE("a counsellor of A sees A's objects and never B's") {
    CHECK(n.Conversations(n.anna) == std::set{n.in_a.conversation});
    CHECK(n.Slots(n.anna) == std::set{n.in_a.booked_slot});
    CHECK(n.Profiles(n.anna) == std::set{n.in_a.user});
    CHECK(n.Events(n.anna) == std::set{n.in_a.event});
    CHECK(n.Broadcasts(n.anna) == std::set{n.in_a.broadcast});
    CHECK(n.Vacancies(n.anna) == std::set{n.in_a.vacancy, n.regional_vacancy});
  }
  SUBCASE("a counsellor of B sees B's") {
    CHECK(n.Conversations(n.bruno) == std::set{n.in_b.conversation});
    CHECK(n.Slots(n.bruno) == std::set{n.in_b.booked_slot});
    CHECK(n.Profiles(n.bruno) == std::set{n.in_b.user});
    CHECK(n.Events(n.bruno) == std::set{n.in_b.event});
    CHECK(n.Broadcasts(n.bruno) == std::set{n.in_b.broadcast});
    CHECK(n.Vacancies(n.bruno) == std::set{n.in_b.vacancy, n.regional_vacancy});
  }
  SUBCASE("another centre asked for by ?centre= lists nothing") {
    const std::map<std::string, std::string> b{{"centre", std::to_string(n.b)}};
    CHECK(n.Conversations(n.anna, b).empty());
    CHECK(n.Slots(n.anna, b).empty());
    CHECK(n.Profiles(n.anna, b).empty());
    CHECK(n.Events(n.anna, b).empty());
    CHECK(n.Broadcasts(n.anna, b).empty());
    // The regional offers are everyone's, whichever centre is asked for.
    CHECK(n.Vacancies(n.anna, b) == std::set{n.regional_vacancy});
    const std::map<std::string, std::string> none{{"centre", "4242"}};
    CHECK(n.Conversations(n.anna, none).empty());
  }
  SUBCASE("a regional admin sees every centre, or the one asked for") {
    CHECK(n.Conversations(n.capo) ==
          std::set{n.in_a.conversation, n.in_b.conversation});
    CHECK(n.Slots(n.capo) == std::set{n.in_a.booked_slot, n.in_b.booked_slot});
    CHECK(n.Profiles(n.capo) == std::set{n.in_a.user, n.in_b.user});
    CHECK(n.Events(n.capo) == std::set{n.in_a.event, n.in_b.event});
    CHECK(n.Broadcasts(n.capo) == std::set{n.in_a.broadcast, n.in_b.broadcast});
    CHECK(n.Vacancies(n.capo) ==
          std::set{n.in_a.vacancy, n.in_b.vacancy, n.regional_vacancy});
    const std::map<std::string, std::string> b{{"centre", std::to_string(n.b)}};
    CHECK(n.Conversations(n.capo, b) == std::set{n.in_b.conversation});
    CHECK(n.Slots(n.capo, b) == std::set{n.in_b.booked_slot});
    CHECK(n.Profiles(n.capo, b) == std::set{n.in_b.user});
    CHECK(n.Events(n.capo, b) == std::set{n.in_b.event});
    CHECK(n.Broadcasts(n.capo, b) == std::set{n.in_b.broadcast});
    CHECK(n.Vacancies(n.capo, b) ==
          std::set{n.in_b.vacancy, n.regional_vacancy});
  }
  SUBCASE("a centre that is not an id is a bad request") {
    auto r =
        n.Call("GET", "/api/conversations", n.anna, "", {{"centre", "bari"}});
    CHECK(r.status == 400);
  }
}

TEST_CASE("objects carry their centre") {
  TwoCentres n;
  CHECK(Body(n.Call("GET", "/api/me", n.bruno))["centres"] ==
        json::array({n.b}));
  auto conv = n.Call("GET", ConversationPath(n.in_b.conversation), n.bruno);
  REQUIRE(conv.status == 200);
  CHECK(Body(conv)["centre_id"] == n.b);
  auto list = n.Call("GET", "/api/conversations", n.bruno);
  CHECK(Body(list)["conversations"][0]["centre_id"] == n.b);
  auto day =
      n.Call("GET", "/api/appointments", n.bruno, "", {{"date", "2026-11-16"}});
  CHECK(Body(day)["appointments"][0]["centre_id"] == n.b);
  auto people = n.Call("GET", "/api/profiles", n.bruno);
  CHECK(Body(people)["profiles"][0]["centre_id"] == n.b);
  auto offer = n.Call("GET", "/api/vacancies/" + std::to_string(n.in_b.vacancy),
                      n.bruno);
  REQUIRE(offer.status == 200);
  CHECK(Body(offer)["centre_id"] == n.b);
  CHECK(Body(offer)["how_to_apply"] == "in sede");
  auto regional = n.Call(
      "GET", "/api/vacancies/" + std::to_string(n.regional_vacancy), n.bruno);
  REQUIRE(regional.status == 200);
  CHECK(Body(regional)["centre_id"].is_null());
  const json offers = Body(n.Call("GET", "/api/vacancies", n.bruno));
  REQUIRE(offers["vacancies"].size() == 2);
  for (const auto& v : offers["vacancies"])  // `offers` outlives the loop
    CHECK((v["centre_id"] == n.b || v["centre_id"].is_null()));
}

TEST_CASE("a canned reply names the person's centre") {
  TwoCentres n;
  const json list = {
      {"replies", {{{"title", "Saluto"}, {"text", "Qui {centro}."}}}}};
  REQUIRE(n.Call("PUT", "/api/canned-replies", n.capo, list).status == 200);
  auto b = n.Call("GET", "/api/canned-replies", n.bruno, "",
                  {{"conversation", std::to_string(n.in_b.conversation)}});
  REQUIRE(b.status == 200);
  CHECK(Body(b)["replies"][0]["filled"] == "Qui Molfetta.");
  auto a = n.Call("GET", "/api/canned-replies", n.anna, "",
                  {{"conversation", std::to_string(n.in_a.conversation)}});
  CHECK(Body(a)["replies"][0]["filled"] == "Qui Porta Futuro.");
}

TEST_CASE(
    "a regional admin's look into a centre's conversation is on record with "
    "the centre") {
  TwoCentres n;
  auto r = n.Call("GET", ConversationPath(n.in_b.conversation), n.capo);
  REQUIRE(r.status == 200);
  CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE actor = 'capo'"
                    " AND action = 'view_conversation' AND centre_id = " +
                    std::to_string(n.b) + " AND conversation_id = " +
                    std::to_string(n.in_b.conversation)) == 1);
  auto log = n.Call("GET", "/api/audit", n.capo);
  REQUIRE(log.status == 200);
  CHECK(Body(log)["entries"][0]["centre_id"] == n.b);
}

TEST_CASE(
    "a regional admin's look at a list of people is on record, once per list "
    "and centre while they keep it open") {
  TwoCentres n;
  const std::string views =
      "SELECT count(*) FROM audit_log WHERE actor = 'capo' AND action = "
      "'view_list'";
  REQUIRE(n.Call("GET", "/api/conversations", n.capo).status == 200);
  REQUIRE(n.Call("GET", "/api/conversations", n.capo).status == 200);
  CHECK(n.bot.Count(views) == 1);
  REQUIRE(n.Call("GET", "/api/conversations", n.capo, "",
                 {{"centre", std::to_string(n.b)}})
              .status == 200);
  CHECK(n.bot.Count(views + " AND centre_id = " + std::to_string(n.b)) == 1);
  // The same centre spelt otherwise is the same list.
  REQUIRE(n.Call("GET", "/api/conversations", n.capo, "",
                 {{"centre", "0" + std::to_string(n.b)}})
              .status == 200);
  CHECK(n.bot.Count(views + " AND centre_id = " + std::to_string(n.b)) == 1);
  REQUIRE(
      n.Call("GET", "/api/appointments", n.capo, "", {{"date", "2026-11-16"}})
          .status == 200);
  REQUIRE(n.Call("GET", "/api/reports/funnel", n.capo, "", {{"centre", "all"}})
              .status == 200);
  CHECK(n.bot.Count(views) == 4);
  CHECK(n.bot.Count(views + " AND detail LIKE '%/api/reports/funnel%'") == 1);

  // The same list later is a new look.
  n.bot.clock.Advance(std::chrono::minutes(16));
  REQUIRE(n.Call("GET", "/api/conversations", n.capo).status == 200);
  CHECK(n.bot.Count(views) == 5);

  // Staff reading their own centre's lists are not regional looks.
  REQUIRE(n.Call("GET", "/api/conversations", n.bruno).status == 200);
  CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE action = "
                    "'view_list' AND actor <> 'capo'") == 0);
}

TEST_CASE("new slots are for a centre of the caller's") {
  TwoCentres n;
  const json slot = {{"starts_at", "2026-11-20T09:00"},
                     {"minutes", 30},
                     {"place", "Via Roma 1"},
                     {"counsellor", "nuovo"}};
  const auto centre_of = [&](const http::Response& r) {
    return n.bot.Count("SELECT centre_id FROM slots WHERE id = " +
                       std::to_string(Body(r)["id"].get<int64_t>()));
  };
  SUBCASE("a centre admin's go to their only centre by default") {
    auto r = n.Call("POST", "/api/slots", n.carla, slot);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(Body(r)["centre_id"] == n.b);
    CHECK(centre_of(r) == n.b);
  }
  SUBCASE("a centre admin cannot make them for another centre") {
    json other = slot;
    other["centre_id"] = n.a;
    auto r = n.Call("POST", "/api/slots", n.carla, other);
    CHECK(r.status == 422);
    CHECK(Body(r)["field"] == "centre_id");
  }
  SUBCASE("a regional admin names the centre, centre 1 when not") {
    json other = slot;
    other["centre_id"] = n.b;
    auto r = n.Call("POST", "/api/slots", n.capo, other);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(centre_of(r) == n.b);
    other["centre_id"] = 4242;
    CHECK(n.Call("POST", "/api/slots", n.capo, other).status == 422);
    json plain = slot;
    plain["counsellor"] = "altro";
    auto first = n.Call("POST", "/api/slots", n.capo, plain);
    REQUIRE_MESSAGE(first.status == 201, first.body);
    CHECK(centre_of(first) == n.a);
  }
  SUBCASE("counsellors still make none") {
    CHECK(n.Call("POST", "/api/slots", n.anna, slot).status == 403);
  }
}

TEST_CASE(
    "regional events and broadcasts are shown to every centre and changed "
    "by regional admins only") {
  TwoCentres n;
  const json day = {{"title", "Fiera regionale"},
                    {"starts_at", "2026-11-25T09:00"},
                    {"ends_at", "2026-11-25T13:00"},
                    {"place", "Fiera del Levante"},
                    {"capacity", 500},
                    {"centre_id", nullptr}};
  SUBCASE("only a regional admin makes them") {
    auto refused = n.Call("POST", "/api/events", n.anna, day);
    CHECK(refused.status == 422);
    CHECK(Body(refused)["field"] == "centre_id");
  }
  auto made = n.Call("POST", "/api/events", n.capo, day);
  REQUIRE_MESSAGE(made.status == 201, made.body);
  CHECK(Body(made)["centre_id"].is_null());
  const int64_t regional = Body(made)["id"];
  const std::string path = "/api/events/" + std::to_string(regional);
  CHECK(n.Events(n.anna).contains(regional));
  CHECK(n.Events(n.bruno).contains(regional));
  auto seen = n.Call("GET", path, n.anna);
  REQUIRE(seen.status == 200);
  CHECK(Body(seen)["centre_id"].is_null());
  const json rename = {{"title", "Fiera del lavoro"}};
  CHECK(n.Call("PATCH", path, n.anna, rename).status == 403);
  CHECK(n.Call("POST", path + "/cancel", n.bruno).status == 403);
  CHECK(n.Call("PATCH", path, n.capo, rename).status == 200);

  const json notice = {{"text", "Tutti alla fiera"},
                       {"audience", json::object()},
                       {"centre_id", nullptr}};
  auto sent = n.Call("POST", "/api/broadcasts", n.capo, notice);
  REQUIRE_MESSAGE(sent.status == 201, sent.body);
  const int64_t broadcast = Body(sent)["id"];
  CHECK(n.Broadcasts(n.anna).contains(broadcast));
  CHECK(n.Call("POST",
               "/api/broadcasts/" + std::to_string(broadcast) + "/cancel",
               n.anna)
            .status == 403);
}

TEST_CASE("events and broadcasts made by staff are their centre's") {
  TwoCentres n;
  const json day = {{"title", "Laboratorio CV"},
                    {"starts_at", "2026-11-25T09:00"},
                    {"ends_at", "2026-11-25T11:00"},
                    {"place", "Via Roma 1"},
                    {"capacity", 12}};
  auto made = n.Call("POST", "/api/events", n.bruno, day);
  REQUIRE_MESSAGE(made.status == 201, made.body);
  CHECK(Body(made)["centre_id"] == n.b);
  CHECK_FALSE(n.Events(n.anna).contains(Body(made)["id"].get<int64_t>()));
  auto sent =
      n.Call("POST", "/api/broadcasts", n.bruno,
             json{{"text", "Nuovi corsi"}, {"audience", json::object()}});
  REQUIRE_MESSAGE(sent.status == 201, sent.body);
  CHECK(Body(sent)["centre_id"] == n.b);
  json elsewhere = day;
  elsewhere["centre_id"] = n.a;
  CHECK(n.Call("POST", "/api/events", n.bruno, elsewhere).status == 422);
}

TEST_CASE("a notice reaches the people of the centres it is for") {
  TwoCentres n;
  // Both people subscribe to notices, which go to Telegram and WhatsApp
  // only (the test bot speaks through the web chat).
  REQUIRE(n.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                for (int64_t user : {n.in_a.user, n.in_b.user}) {
                  auto on_telegram = db.Prepare(
                      "UPDATE users SET channel = 'telegram' WHERE id = ?1");
                  on_telegram.Bind(1, user);
                  if (auto s = on_telegram.Run(); !s.ok()) return s;
                  if (auto s = storage::RecordConsent(db, user, "v1", 1);
                      !s.ok())
                    return s;
                  if (auto s = storage::SetNotify(db, user, true); !s.ok())
                    return s;
                }
                return core::Status::Ok();
              })
              .ok());
  const auto preview = [&](const std::string& token, const json& body) {
    return n.Call("POST", "/api/broadcasts/preview", token, body);
  };
  const auto recipients = [&](const std::string& token, const json& body) {
    auto r = preview(token, body);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return Body(r)["recipients"].get<int64_t>();
  };

  SUBCASE("staff write to their own centre's people by default") {
    CHECK(recipients(n.bruno, {{"audience", json::object()}}) == 1);
    auto sent =
        n.Call("POST", "/api/broadcasts", n.bruno,
               json{{"text", "Nuovi corsi"}, {"audience", json::object()}});
    REQUIRE_MESSAGE(sent.status == 201, sent.body);
    CHECK(Body(sent)["recipients"] == 1);
    const int64_t id = Body(sent)["id"];
    auto read = n.Call("GET", "/api/broadcasts/" + std::to_string(id), n.bruno);
    REQUIRE(read.status == 200);
    CHECK(Body(read)["audience"]["centres"] == json::array({n.b}));
    REQUIRE(RunDueBroadcasts(*n.bot.store, n.bot.clock.NowMillis()).ok());
    const std::string rows =
        "SELECT count(*) FROM outbox WHERE broadcast_id = " +
        std::to_string(id);
    CHECK(n.bot.Count(rows) == 1);
    CHECK(n.bot.Count(rows + " AND user_id = " + std::to_string(n.in_b.user)) ==
          1);
  }
  SUBCASE("staff name only their own centres, never the region") {
    for (const json& centres : {json::array({n.a}), json::array({n.a, n.b}),
                                json::array(), json::array({kMissing})}) {
      auto r = preview(n.bruno, {{"audience", {{"centres", centres}}}});
      CHECK_MESSAGE(r.status == 422, centres.dump());
      CHECK(Body(r)["field"] == "audience.centres");
      auto sent = n.Call(
          "POST", "/api/broadcasts", n.bruno,
          json{{"text", "Nuovi corsi"}, {"audience", {{"centres", centres}}}});
      CHECK(sent.status == 422);
    }
    CHECK(n.bot.Count("SELECT count(*) FROM broadcasts WHERE created_by = "
                      "'bruno'") == 0);
  }
  SUBCASE("a regional admin writes to one centre, several, or the region") {
    CHECK(recipients(n.capo, {{"audience", {{"centres", {n.b}}}}}) == 1);
    CHECK(recipients(n.capo, {{"audience", {{"centres", {n.a, n.b}}}}}) == 2);
    CHECK(recipients(n.capo, {{"audience", {{"centres", json::array()}}}}) ==
          2);
    CHECK(recipients(n.capo, {{"audience", json::object()},
                              {"centre_id", nullptr}}) == 2);
    // Without a centre, a regional admin's notice is the first centre's,
    // as before there were centres.
    CHECK(recipients(n.capo, {{"audience", json::object()}}) == 1);
    auto unknown = preview(n.capo, {{"audience", {{"centres", {kMissing}}}}});
    CHECK(unknown.status == 422);
    CHECK(Body(unknown)["field"] == "audience.centres");
    CHECK(preview(n.capo, {{"audience", {{"centres", "2"}}}}).status == 422);
  }
}

}  // namespace
}  // namespace sportello::testing
