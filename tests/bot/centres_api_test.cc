// GET /api/centres: staff see the centres they work for, a regional admin
// every centre.
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

TEST_CASE("GET /api/centres needs a session and only reads") {
  Network n;
  CHECK(n.bot.Request("GET", "/api/centres", "").status == 401);
  const std::string capo = n.Staff("capo", storage::StaffRole::kAdmin);
  CHECK(n.Call("POST", "/api/centres", capo, "{}").status == 405);
}

}  // namespace
}  // namespace sportello::testing
