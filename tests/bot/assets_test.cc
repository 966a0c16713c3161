// GET /assets/NAME: the pages' scripts and styles, and nothing else the
// binary embeds.
#include <doctest/doctest.h>

#include <string>

#include "tests/bot/test_bot.h"

namespace sportello::testing {
namespace {

TEST_CASE(
    "the pages' scripts and styles are served, the other embedded files not") {
  TestBot bot;
  auto js = bot.Request("GET", "/assets/console.js", "");
  CHECK(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  CHECK(js.body.find("textContent") != std::string::npos);
  auto css = bot.Request("GET", "/assets/reports.css", "");
  CHECK(css.status == 200);
  CHECK(css.content_type == "text/css; charset=utf-8");
  CHECK(bot.Request("GET", "/console/reports", "").status == 200);
  // Catalogues and data are embedded too, but are not for the web.
  CHECK(bot.Request("GET", "/assets/profile.json", "").status == 404);
  CHECK(bot.Request("GET", "/assets/console.html", "").status == 404);
  CHECK(bot.Request("GET", "/assets/../console.js", "").status == 404);
  CHECK(bot.Request("GET", "/assets/missing.js", "").status == 404);
  CHECK(bot.Request("GET", "/assets/", "").status == 404);
  CHECK(bot.Request("POST", "/assets/console.js", "").status == 405);
}

}  // namespace
}  // namespace sportello::testing
