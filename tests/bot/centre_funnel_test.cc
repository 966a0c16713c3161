// GET /api/reports/funnel for one centre or all of the caller's: a centre's
// figures are its people's, staff of one centre never see another's (404,
// as a centre that does not exist), and the region sees every centre.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "tests/bot/network_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

struct Funnels : NetworkConsole {
  Funnels() {
    (void)Person("alba", bari);
    (void)Person("bianca", molfetta);
    (void)Person("bruna", molfetta);
  }

  http::Response Report(const std::string& token,
                        std::map<std::string, std::string> query = {}) {
    return Call("GET", "/api/reports/funnel", token, "", std::move(query));
  }
  // The report's first contacts; REQUIRES a 200.
  int64_t People(const std::string& token,
                 std::map<std::string, std::string> query = {}) {
    auto r = Report(token, std::move(query));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return Body(r)["total"]["first_contact"].get<int64_t>();
  }
};

TEST_CASE("a counsellor's funnel has their centre's people only") {
  Funnels f;
  const json mine = Body(f.Report(f.anna));
  CHECK(mine["centre"].is_null());
  CHECK(mine["centres"] == json::array({f.bari}));
  CHECK(mine["total"]["first_contact"] == 1);
  CHECK(f.People(f.anna, {{"centre", "1"}}) == 1);
  CHECK(f.People(f.anna, {{"centre", "all"}}) == 1);
  CHECK(f.People(f.bruno) == 2);
  const json theirs =
      Body(f.Report(f.bruno, {{"centre", std::to_string(f.molfetta)}}));
  CHECK(theirs["centre"] == f.molfetta);
  CHECK(theirs["centres"] == json::array({f.molfetta}));
  CHECK(theirs["total"]["first_contact"] == 2);
}

TEST_CASE("another centre's funnel is answered as one that does not exist") {
  Funnels f;
  auto other = f.Report(f.anna, {{"centre", std::to_string(f.molfetta)}});
  CHECK(other.status == 404);
  CHECK(other.body == f.Report(f.anna, {{"centre", "987654"}}).body);
  CHECK(f.Report(f.anna,
                 {{"centre", std::to_string(f.molfetta)}, {"format", "csv"}})
            .status == 404);
  CHECK(f.Report(f.bruno, {{"centre", "1"}}).status == 404);
  CHECK(f.Report(f.anna, {{"centre", "Molfetta"}}).status == 400);
  CHECK(f.Report(f.anna, {{"centre", "-2"}}).status == 400);
}

TEST_CASE("the region's funnel has every centre, or the one asked for") {
  Funnels f;
  const json region = Body(f.Report(f.capo));
  CHECK(region["centre"].is_null());
  CHECK(region["centres"] == json::array({f.bari, f.molfetta}));
  CHECK(region["total"]["first_contact"] == 3);
  CHECK(f.People(f.capo, {{"centre", "all"}}) == 3);
  CHECK(f.People(f.capo, {{"centre", "1"}}) == 1);
  CHECK(f.People(f.capo, {{"centre", std::to_string(f.molfetta)}}) == 2);
  CHECK(f.Report(f.capo, {{"centre", "987654"}}).status == 404);
  // Staff of both centres see both, together or one at a time.
  const std::string both =
      f.Member("ugo", storage::StaffRole::kCentreAdmin, {f.bari, f.molfetta});
  CHECK(f.People(both) == 3);
  CHECK(f.People(both, {{"centre", "1"}}) == 1);
}

TEST_CASE("a centre's CSV names the centre on every line and in its name") {
  Funnels f;
  const std::string m = std::to_string(f.molfetta);
  auto r = f.Report(f.bruno, {{"centre", m},
                              {"format", "csv"},
                              {"from", "2026-01-01"},
                              {"to", "2026-01-07"}});
  REQUIRE(r.status == 200);
  CHECK(r.body.starts_with("group,key,first_contact,"));
  size_t lines = 0;
  for (size_t at = 0; (at = r.body.find("\r\n", at)) != std::string::npos;
       at += 2, ++lines) {
    const size_t start = r.body.rfind("\n", at - 1);
    const std::string line =
        r.body.substr(start == std::string::npos ? 0 : start + 1,
                      at - (start == std::string::npos ? 0 : start + 1));
    CHECK(line.ends_with(lines == 0 ? ",centre" : "," + m));
  }
  CHECK(lines >= 4);
  std::string disposition;
  for (const auto& [name, value] : r.headers) {
    if (name == "Content-Disposition") disposition = value;
  }
  CHECK(disposition == "attachment; filename=\"funnel-centre-" + m +
                           "-2026-01-01-2026-01-07.csv\"");
}

}  // namespace
}  // namespace sportello::testing
