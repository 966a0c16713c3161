// GET /api/reports/funnel on a scripted population: ten people whose every
// step is known, so each figure of the report (total, weeks, channels,
// target groups, CSV) is checked against numbers worked out by hand. And
// POST /api/bookings/{id}/attendance, which feeds "attended".
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/rome_time.h"
#include "storage/appointments.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/profiles.h"
#include "storage/users.h"
#include "storage/vacancies.h"
#include "tests/bot/staff_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// Rome's wall clock -> unix ms.
int64_t Rome(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return core::ToMillis(
      core::FromRome(year_month_day{year{y}, month{m}, day{d}}, hour, minute));
}

// One person of the script: when they first wrote and how far they went.
struct Person {
  std::string channel;
  int64_t first_at = 0;
  bool consent = false;
  bool completed = false;
  std::optional<std::string> age_band = std::nullopt;
  std::optional<std::string> birth_year = std::nullopt;
  std::optional<std::string> status = std::nullopt;
  std::optional<int64_t> appointment_at = std::nullopt;  // booked for then
  bool cancelled = false;                                // and cancelled later
  std::optional<std::string> attendance =
      std::nullopt;         // marked through the API
  bool proposed = false;    // the bot showed an offer
  bool interested = false;  // they pressed "Mi interessa"
};

struct Reports : StaffConsole {
  std::string token;
  int64_t vacancy = 0;
  std::vector<int64_t> bookings;  // with attendance to mark, in order
  std::vector<std::string> marks;

  Reports() {
    // Mid-February 2027: the period's appointments are all in the past.
    bot.clock.SetMillis(Rome(2027, 2, 15, 10));
    token = Staff("anna");
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  storage::Vacancy v;
                  v.external_id = "demo-1";
                  v.title = "Cameriere";
                  v.employer = "Trattoria";
                  v.comune = "Bari";
                  v.contract = "full_time";
                  v.how_to_apply = "cv@example.org";
                  v.published_at = Rome(2026, 11, 1, 9);
                  v.expires_at = Rome(2027, 12, 1, 9);
                  auto r = storage::UpsertVacancy(db, v, bot.clock.NowMillis());
                  if (!r.ok()) return r.status();
                  auto found = storage::FindVacancyByExternalId(db, "demo-1");
                  if (!found.ok()) return found.status();
                  vacancy = (*found)->id;
                  return core::Status::Ok();
                })
                .ok());
  }

  void Add(const Person& p) {
    static int n = 0;
    const std::string ext = "person-" + std::to_string(++n);
    REQUIRE(
        bot.store
            ->Write([&](storage::Database& db) -> core::Status {
              auto u = storage::UpsertUserOnInbound(db, p.channel, ext, ext, "",
                                                    p.first_at);
              if (!u.ok()) return u.status();
              const int64_t user = u->id;
              auto c = storage::GetOrCreateConversation(db, user, p.first_at);
              if (!c.ok()) return c.status();
              storage::NewMessage in;
              in.conversation_id = c->id;
              in.direction = "in";
              in.author = "user";
              in.kind = "text";
              in.text = "ciao";
              in.status = core::DeliveryState::kRead;
              if (auto id = storage::InsertMessage(db, in, p.first_at);
                  !id.ok())
                return id.status();
              const int64_t later = p.first_at + 60'000;
              if (p.consent) {
                if (auto s = storage::RecordConsent(db, user, "v1", later);
                    !s.ok())
                  return s;
              }
              if (p.age_band) {
                if (auto s = storage::SetAgeBand(db, user, *p.age_band, later);
                    !s.ok())
                  return s;
              }
              if (p.birth_year) {
                if (auto s = storage::SaveAnswer(db, user, "birth_year",
                                                 *p.birth_year, later);
                    !s.ok())
                  return s;
              }
              if (p.status) {
                if (auto s = storage::SaveAnswer(db, user, "status", *p.status,
                                                 later);
                    !s.ok())
                  return s;
              }
              if (p.completed) {
                if (auto s = storage::MarkProfileCompleted(db, user, later);
                    !s.ok())
                  return s;
              }
              if (p.proposed) {
                storage::NewMessage out;
                out.conversation_id = c->id;
                out.direction = "out";
                out.author = "bot";
                out.kind = "text";
                out.text = "Cameriere · Trattoria";
                out.buttons = R"([{"id":"vacancies:interest:)" +
                              std::to_string(vacancy) +
                              R"(","title":"Mi interessa"}])";
                if (auto id = storage::InsertMessage(db, out, later); !id.ok())
                  return id.status();
              }
              if (p.interested) {
                auto r =
                    storage::RecordVacancyInterest(db, user, vacancy, later);
                if (!r.ok()) return r.status();
              }
              if (p.appointment_at) {
                storage::NewSlot s;
                s.service_code = "orientamento";
                s.counsellor = "c" + ext;
                s.starts_at = *p.appointment_at;
                s.minutes = 45;
                s.place = "Via Roma 1, Bari";
                auto slot = storage::AddSlot(db, s, later);
                if (!slot.ok()) return slot.status();
                auto b = storage::InsertBooking(db, *slot, user, "orientamento",
                                                later);
                if (!b.ok()) return b.status();
                if (p.cancelled) {
                  if (auto st = storage::MarkBookingCancelled(db, *b, later);
                      !st.ok())
                    return st;
                }
                if (p.attendance) {
                  bookings.push_back(*b);
                  marks.push_back(*p.attendance);
                }
              }
              return core::Status::Ok();
            })
            .ok());
  }

  json Funnel(std::map<std::string, std::string> query) {
    auto r =
        bot.Request("GET", "/api/reports/funnel", "",
                    {{"authorization", "Bearer " + token}}, std::move(query));
    REQUIRE(r.status == 200);
    return Body(r);
  }
};

// The counts of one group in the API's step order.
std::vector<int64_t> Figures(const json& counts) {
  std::vector<int64_t> out;
  for (const char* step :
       {"first_contact", "consent", "profile_completed", "booked", "attended",
        "taken_in_charge_60d", "vacancies_proposed", "vacancies_interested"})
    out.push_back(counts.at(step).get<int64_t>());
  return out;
}

using V = std::vector<int64_t>;

// The period: Monday 9 to Sunday 29 November 2026, three weeks.
void Script(Reports& t) {
  // 1. Telegram, week of 9 Nov: every step, seen 10 days later; Garanzia
  //    Giovani (25 in 2027, unemployed).
  t.Add({.channel = "telegram",
         .first_at = Rome(2026, 11, 10, 9),
         .consent = true,
         .completed = true,
         .birth_year = "2002",
         .status = "disoccupato",
         .appointment_at = Rome(2026, 11, 20, 10),
         .attendance = "attended",
         .proposed = true,
         .interested = true});
  // 2. Telegram: booked but did not come; employed: not Garanzia Giovani.
  t.Add({.channel = "telegram",
         .first_at = Rome(2026, 11, 11, 9),
         .consent = true,
         .completed = true,
         .birth_year = "2000",
         .status = "occupato",
         .appointment_at = Rome(2026, 11, 21, 10),
         .attendance = "no_show",
         .proposed = true});
  // 3. WhatsApp: consent with the 40+ band, stopped there.
  t.Add({.channel = "whatsapp",
         .first_at = Rome(2026, 11, 12, 9),
         .consent = true,
         .age_band = "40_plus"});
  // 4. Web, week of 9 Nov: came, but 68 days after first writing.
  t.Add({.channel = "web",
         .first_at = Rome(2026, 11, 13, 9),
         .consent = true,
         .completed = true,
         .age_band = "16_29",
         .appointment_at = Rome(2027, 1, 20, 10),
         .attendance = "attended"});
  // 5. WhatsApp, week of 16 Nov: 46 years old, every step.
  t.Add({.channel = "whatsapp",
         .first_at = Rome(2026, 11, 17, 9),
         .consent = true,
         .completed = true,
         .age_band = "40_plus",
         .birth_year = "1980",
         .status = "disoccupato",
         .appointment_at = Rome(2026, 11, 25, 10),
         .attendance = "attended",
         .proposed = true,
         .interested = true});
  // 6. Web: no consent, nothing more.
  t.Add({.channel = "web", .first_at = Rome(2026, 11, 18, 9)});
  // 7. Web, week of 23 Nov: NEET, came 9 days later.
  t.Add({.channel = "web",
         .first_at = Rome(2026, 11, 24, 9),
         .consent = true,
         .completed = true,
         .birth_year = "2004",
         .status = "neet",
         .appointment_at = Rome(2026, 12, 3, 10),
         .attendance = "attended"});
  // 8. Telegram, the period's last evening (Rome): booked, then cancelled.
  t.Add({.channel = "telegram",
         .first_at = Rome(2026, 11, 29, 23, 30),
         .consent = true,
         .appointment_at = Rome(2026, 12, 10, 10),
         .cancelled = true});
  // 9. and 10. Just outside: half an hour after the period (Rome), and the
  //    minute before it.
  t.Add({.channel = "telegram",
         .first_at = Rome(2026, 11, 30, 0, 30),
         .consent = true,
         .completed = true});
  t.Add({.channel = "web",
         .first_at = Rome(2026, 11, 8, 23, 59),
         .consent = true,
         .completed = true});
}

TEST_CASE("the funnel report counts each step of a scripted population") {
  Reports t;
  Script(t);
  for (size_t i = 0; i < t.bookings.size(); ++i) {
    auto r =
        t.Call("POST",
               "/api/bookings/" + std::to_string(t.bookings[i]) + "/attendance",
               t.token, json{{"attendance", t.marks[i]}});
    REQUIRE(r.status == 200);
  }
  const json f =
      t.Funnel({{"from", "2026-11-09"}, {"to", "2026-11-29"}, {"centre", ""}});
  CHECK(f["from"] == "2026-11-09");
  CHECK(f["to"] == "2026-11-29");
  CHECK(f["centre"].is_null());
  CHECK(f["centres"] == json::array({1}));
  //                          first consent profile booked attended 60d offers
  //                          interest
  CHECK(Figures(f["total"]) == V{8, 7, 5, 6, 4, 3, 3, 2});

  REQUIRE(f["weeks"].size() == 3);
  CHECK(f["weeks"][0]["week"] == "2026-11-09");
  CHECK(Figures(f["weeks"][0]) == V{4, 4, 3, 3, 2, 1, 2, 1});
  CHECK(f["weeks"][1]["week"] == "2026-11-16");
  CHECK(Figures(f["weeks"][1]) == V{2, 1, 1, 1, 1, 1, 1, 1});
  CHECK(f["weeks"][2]["week"] == "2026-11-23");
  CHECK(Figures(f["weeks"][2]) == V{2, 2, 1, 2, 1, 1, 0, 0});

  REQUIRE(f["channels"].size() == 3);
  CHECK(f["channels"][0]["channel"] == "telegram");
  CHECK(Figures(f["channels"][0]) == V{3, 3, 2, 3, 1, 1, 2, 1});
  CHECK(f["channels"][1]["channel"] == "whatsapp");
  CHECK(Figures(f["channels"][1]) == V{2, 2, 1, 1, 1, 1, 1, 1});
  CHECK(f["channels"][2]["channel"] == "web");
  CHECK(Figures(f["channels"][2]) == V{3, 2, 2, 2, 2, 1, 0, 0});

  REQUIRE(f["targets"].size() == 2);
  CHECK(f["targets"][0]["target"] == "garanzia_giovani");  // people 1 and 7
  CHECK(Figures(f["targets"][0]) == V{2, 2, 2, 2, 2, 2, 1, 1});
  CHECK(f["targets"][1]["target"] == "over_40");  // people 3 and 5
  CHECK(Figures(f["targets"][1]) == V{2, 2, 1, 1, 1, 1, 1, 1});

  SUBCASE("the CSV holds the same figures") {
    auto r = t.bot.Request(
        "GET", "/api/reports/funnel", "",
        {{"authorization", "Bearer " + t.token}},
        {{"from", "2026-11-09"}, {"to", "2026-11-29"}, {"format", "csv"}});
    REQUIRE(r.status == 200);
    CHECK(r.content_type.starts_with("text/csv"));
    std::string disposition;
    for (const auto& [name, value] : r.headers) {
      if (name == "Content-Disposition") disposition = value;
    }
    CHECK(
        disposition ==
        "attachment; filename=\"funnel-centre-all-2026-11-09-2026-11-29.csv\"");
    CHECK(
        r.body ==
        "group,key,first_contact,consent,profile_completed,booked,attended,"
        "taken_in_charge_60d,vacancies_proposed,vacancies_interested,centre\r\n"
        "total,all,8,7,5,6,4,3,3,2,all\r\n"
        "week,2026-11-09,4,4,3,3,2,1,2,1,all\r\n"
        "week,2026-11-16,2,1,1,1,1,1,1,1,all\r\n"
        "week,2026-11-23,2,2,1,2,1,1,0,0,all\r\n"
        "channel,telegram,3,3,2,3,1,1,2,1,all\r\n"
        "channel,whatsapp,2,2,1,1,1,1,1,1,all\r\n"
        "channel,web,3,2,2,2,2,1,0,0,all\r\n"
        "target,garanzia_giovani,2,2,2,2,2,2,1,1,all\r\n"
        "target,over_40,2,2,1,1,1,1,1,1,all\r\n");
  }
  SUBCASE("a one-day period has the people of that Rome day only") {
    const json day = t.Funnel({{"from", "2026-11-30"}, {"to", "2026-11-30"}});
    CHECK(day["total"]["first_contact"] == 1);  // person 9
    CHECK(day["weeks"].size() == 1);
    CHECK(day["weeks"][0]["week"] == "2026-11-30");
  }
  SUBCASE("a no-show marked again as attended counts as attended") {
    auto r =
        t.Call("POST",
               "/api/bookings/" + std::to_string(t.bookings[1]) + "/attendance",
               t.token, json{{"attendance", "attended"}});
    REQUIRE(r.status == 200);
    const json again = t.Funnel({{"from", "2026-11-09"}, {"to", "2026-11-29"}});
    CHECK(again["total"]["attended"] == 5);
    CHECK(again["total"]["taken_in_charge_60d"] == 4);
  }
}

TEST_CASE("the funnel report refuses a bad period and needs a session") {
  Reports t;
  auto call = [&](std::map<std::string, std::string> q) {
    return t.bot
        .Request("GET", "/api/reports/funnel", "",
                 {{"authorization", "Bearer " + t.token}}, std::move(q))
        .status;
  };
  CHECK(call({{"from", "2026-11-30"}, {"to", "2026-11-01"}}) == 400);
  CHECK(call({{"from", "2025-01-01"}, {"to", "2026-11-01"}}) == 400);
  CHECK(call({{"from", "2026-02-30"}}) == 400);
  CHECK(call({{"centre", "<script>"}}) == 400);
  CHECK(call({{"centre", "bari-porta-futuro"}}) == 400);
  CHECK(call({{"centre", "0"}}) == 400);
  CHECK(call({{"centre", "1"}}) == 200);
  CHECK(call({{"centre", "all"}}) == 200);
  CHECK(call({{"format", "xml"}}) == 400);
  CHECK(t.bot.Request("GET", "/api/reports/funnel", "", {}, {}).status == 401);
  // The default period: the four weeks up to today.
  const json f = t.Funnel({});
  CHECK(f["to"] == "2027-02-15");
  CHECK(f["from"] == "2027-01-19");
}

TEST_CASE("attendance is marked on the day, not before") {
  Reports t;
  t.Add({.channel = "web",
         .first_at = Rome(2027, 2, 10, 9),
         .consent = true,
         .appointment_at = Rome(2027, 2, 15, 16),
         .attendance = "attended"});
  t.Add({.channel = "web",
         .first_at = Rome(2027, 2, 10, 9),
         .consent = true,
         .appointment_at = Rome(2027, 2, 16, 9),
         .attendance = "attended"});
  const std::string today =
      "/api/bookings/" + std::to_string(t.bookings[0]) + "/attendance";
  const std::string tomorrow =
      "/api/bookings/" + std::to_string(t.bookings[1]) + "/attendance";
  // Later today is fine (a counsellor marks the afternoon in the morning's
  // list); tomorrow is not.
  CHECK(
      t.Call("POST", today, t.token, json{{"attendance", "no_show"}}).status ==
      200);
  CHECK(t.Call("POST", tomorrow, t.token, json{{"attendance", "attended"}})
            .status == 422);
  CHECK(t.Call("POST", today, t.token, json{{"attendance", "maybe"}}).status ==
        422);
  CHECK(t.Call("POST", "/api/bookings/999/attendance", t.token,
               json{{"attendance", "attended"}})
            .status == 404);
  CHECK(t.Call("GET", today, t.token).status == 405);
  CHECK(t.Audited("attendance", "anna") == 1);
  // The day's list shows the mark.
  auto r =
      t.Call("GET", "/api/appointments", t.token, "", {{"date", "2027-02-15"}});
  REQUIRE(r.status == 200);
  const json list = Body(r)["appointments"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["booking"]["attendance"] == "no_show");
}

}  // namespace
}  // namespace sportello::testing
