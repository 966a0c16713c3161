// GET /api/centres: staff see the centres they work for, a regional admin
// every centre. A regional admin adds, edits and disables centres by the
// rules `sportello centres` follows, each change on the audit log.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/centres.h"
#include "tests/bot/staff_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

struct Network : StaffConsole {
  int64_t molfetta = 0;
  int64_t altamura = 0;

  Network() {
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  storage::Centre m;
                  m.name = "Molfetta";
                  m.address = "Via Cifariello 29";
                  m.services = {"orientamento"};
                  m.comuni = {"072029"};
                  m.whatsapp_phone_number_id = "106540352242922";
                  auto id = storage::AddCentre(db, m, 1);
                  if (!id.ok()) return id.status();
                  molfetta = *id;
                  storage::Centre a;
                  a.name = "Altamura";
                  id = storage::AddCentre(db, a, 1);
                  if (!id.ok()) return id.status();
                  altamura = *id;
                  return storage::DisableCentre(db, altamura, 2);
                })
                .ok());
  }

  std::vector<int64_t> Ids(const std::string& token) {
    auto r = Call("GET", "/api/centres", token);
    REQUIRE(r.status == 200);
    const json body = Body(r);  // outlives the loop over its array
    std::vector<int64_t> ids;
    for (const auto& c : body["centres"]) ids.push_back(c["id"]);
    return ids;
  }
};

TEST_CASE("a counsellor sees only the centres they work for") {
  Network n;
  const std::string anna =
      n.Member("anna", storage::StaffRole::kCounsellor, {n.molfetta});
  const std::string chiara =
      n.Member("chiara", storage::StaffRole::kCentreAdmin, {1, n.molfetta});

  CHECK(n.Ids(anna) == std::vector<int64_t>{n.molfetta});
  CHECK(n.Ids(chiara) == std::vector<int64_t>{1, n.molfetta});

  auto r = n.Call("GET", "/api/centres", anna);
  const json molfetta = Body(r)["centres"][0];
  CHECK(molfetta["name"] == "Molfetta");
  CHECK(molfetta["address"] == "Via Cifariello 29");
  CHECK(molfetta["services"] == json{"orientamento"});
  CHECK(molfetta["comuni"] == json{"072029"});
  CHECK(molfetta["whatsapp_phone_number_id"] == "106540352242922");
  CHECK(molfetta["telegram_bot_id"].is_null());
  CHECK(molfetta["disabled"] == false);
  CHECK(molfetta["from_config"] == false);
}

TEST_CASE("a regional admin sees every centre, disabled ones included") {
  Network n;
  const std::string capo = n.Staff("capo", storage::StaffRole::kAdmin);

  auto r = n.Call("GET", "/api/centres", capo);

  REQUIRE(r.status == 200);
  const json centres = Body(r)["centres"];
  REQUIRE(centres.size() == 3);
  CHECK(centres[0]["id"] == 1);
  CHECK(centres[0]["from_config"] == true);
  CHECK(centres[2]["name"] == "Altamura");
  CHECK(centres[2]["disabled"] == true);
}

TEST_CASE("an account with no centre sees none") {
  Network n;
  const std::string solo =
      n.Member("solo", storage::StaffRole::kCounsellor, {});
  CHECK(n.Ids(solo).empty());
}

TEST_CASE("the centres' endpoints need a session and their own methods") {
  Network n;
  CHECK(n.bot.Request("GET", "/api/centres", "").status == 401);
  CHECK(n.bot.Request("POST", "/api/centres", "{}").status == 401);
  const std::string capo = n.Staff("capo", storage::StaffRole::kAdmin);
  CHECK(n.Call("PUT", "/api/centres", capo, "{}").status == 405);
  CHECK(n.Call("GET", "/api/centres/1/disable", capo).status == 405);
  CHECK(n.Call("POST", "/api/centres/1", capo, "{}").status == 405);
  CHECK(n.Call("PATCH", "/api/centres/1/close", capo, "{}").status == 404);
}

TEST_CASE(
    "a regional admin adds, edits and disables a centre, and the bot "
    "places people by it") {
  Network n;
  const std::string capo = n.Staff("capo", storage::StaffRole::kAdmin);

  auto added = n.Call("POST", "/api/centres", capo,
                      json{{"name", "CPI Gravina"},
                           {"address", "Via Roma 1, Gravina in Puglia"},
                           {"opening_hours", "1-5 09:00-12:00"},
                           {"services", {"orientamento"}},
                           {"comuni", {"Gravina in Puglia"}}});
  REQUIRE_MESSAGE(added.status == 201, added.body);
  const json centre = Body(added);
  const int64_t gravina = centre["id"];
  CHECK(centre["name"] == "CPI Gravina");
  CHECK(centre["comuni"] == json{"072023"});  // the name, as its ISTAT code
  CHECK(centre["services"] == json{"orientamento"});
  CHECK(centre["disabled"] == false);
  CHECK(n.Ids(capo) ==
        std::vector<int64_t>{1, n.molfetta, n.altamura, gravina});
  auto served =
      n.bot.Count("SELECT centre_id FROM centre_comuni WHERE istat = '072023'");
  CHECK(served == gravina);

  auto edited = n.Call("PATCH", "/api/centres/" + std::to_string(gravina), capo,
                       json{{"hours", "lun-ven 9-12"},
                            {"telegram_bot_id", "7000001"},
                            {"comuni", {"072023", "Poggiorsini"}}});
  REQUIRE_MESSAGE(edited.status == 200, edited.body);
  CHECK(Body(edited)["hours"] == "lun-ven 9-12");
  CHECK(Body(edited)["address"] == "Via Roma 1, Gravina in Puglia");
  CHECK(Body(edited)["telegram_bot_id"] == "7000001");
  CHECK(Body(edited)["comuni"].size() == 2);
  auto cleared = n.Call("PATCH", "/api/centres/" + std::to_string(gravina),
                        capo, json{{"telegram_bot_id", nullptr}});
  REQUIRE(cleared.status == 200);
  CHECK(Body(cleared)["telegram_bot_id"].is_null());

  auto disabled = n.Call(
      "POST", "/api/centres/" + std::to_string(gravina) + "/disable", capo);
  REQUIRE_MESSAGE(disabled.status == 200, disabled.body);
  CHECK(Body(disabled)["disabled"] == true);
  auto network = n.Call("GET", "/api/centres", capo, "", {{"all", "1"}});
  const json enabled = Body(network);  // outlives the loop over its array
  REQUIRE(enabled["centres"].size() == 2);
  for (const auto& c : enabled["centres"]) CHECK(c["id"] != gravina);

  for (const char* action :
       {"create_centre", "edit_centre", "disable_centre"}) {
    CAPTURE(action);
    CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE actor = 'capo'"
                      " AND action = '" +
                      std::string(action) +
                      "' AND centre_id = " + std::to_string(gravina)) >= 1);
  }
}

TEST_CASE("only a regional admin changes centres, and what is wrong is named") {
  Network n;
  const std::string capo = n.Staff("capo", storage::StaffRole::kAdmin);
  const std::string chiara =
      n.Member("chiara", storage::StaffRole::kCentreAdmin, {n.molfetta});
  const std::string molfetta = "/api/centres/" + std::to_string(n.molfetta);
  const int64_t centres_before = n.bot.Count("SELECT count(*) FROM centres");

  CHECK(n.Call("POST", "/api/centres", chiara, json{{"name", "X"}}).status ==
        403);
  CHECK(n.Call("PATCH", molfetta, chiara, json{{"hours", "mai"}}).status ==
        403);
  CHECK(n.Call("POST", molfetta + "/disable", chiara).status == 403);

  struct Case {
    std::string method, path;
    json body;
    int status;
    const char* field;  // the 422's, or what the error says
  };
  for (const Case& c : std::vector<Case>{
           {"POST", "/api/centres", json::object(), 422, "name"},
           {"POST", "/api/centres", json{{"name", 5}}, 422, "name"},
           {"POST", "/api/centres", json{{"name", "X"}, {"colour", "red"}}, 422,
            "colour"},
           {"POST", "/api/centres",
            json{{"name", "X"}, {"comuni", {"Atlantide"}}}, 422, "comuni"},
           {"POST", "/api/centres", json{{"name", "X"}, {"comuni", {"Castro"}}},
            422, "comuni"},
           {"POST", "/api/centres", json{{"name", "X"}, {"comuni", "Bari"}},
            422, "comuni"},
           {"POST", "/api/centres",
            json{{"name", "X"}, {"opening_hours", "sempre"}}, 422,
            "opening_hours"},
           {"POST", "/api/centres",
            json{{"name", "X"}, {"services", {"magia"}}}, 422, "services"},
           {"POST", "/api/centres",
            json{{"name", "X"}, {"whatsapp_phone_number_id", "+39 080"}}, 422,
            "whatsapp_phone_number_id"},
           {"POST", "/api/centres", json{{"name", "Riga\nnuova"}}, 422, "name"},
           {"POST", "/api/centres", json{{"name", "Molfetta"}}, 409,
            "Molfetta"},
           {"POST", "/api/centres",
            json{{"name", "Y"}, {"comuni", {"Molfetta"}}}, 409, "072029"},
           {"PATCH", "/api/centres/999", json{{"hours", "x"}}, 404, "centre"},
           {"PATCH", molfetta, json::object(), 400, "nothing"},
           {"POST", "/api/centres/1/disable", json(), 409, "1"},
           {"POST", "/api/centres/999/disable", json(), 404, "centre"},
       }) {
    CAPTURE(c.method);
    CAPTURE(c.body.dump());
    auto r = n.Call(c.method, c.path, capo,
                    c.body.is_null() ? std::string() : c.body.dump());
    CHECK_MESSAGE(r.status == c.status, r.body);
    if (c.status == 422) {
      CHECK(Body(r)["field"] == c.field);
    } else {
      CHECK(r.body.find(c.field) != std::string::npos);
    }
  }
  CHECK(n.Call("POST", "/api/centres", capo, "not json").status == 400);
  CHECK(n.bot.Count("SELECT count(*) FROM centres") == centres_before);
  CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE action LIKE "
                    "'%_centre'") == 0);
}

}  // namespace
}  // namespace sportello::testing
