// An installed sportello (`cmake --install`) is a binary and its intent data
// under one prefix: it must run from there, not from the source tree.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.h"

namespace sportello::e2e {
namespace {

namespace fs = std::filesystem;

TEST_CASE("an installed sportello reads its intent data from its own prefix") {
  support::TempDir dir;
  const fs::path prefix = fs::path(dir.File("prefix"));
  auto install =
      support::RunCommand({SPORTELLO_CMAKE_COMMAND, "--install",
                           SPORTELLO_BUILD_DIR, "--prefix", prefix.string()},
                          {}, "", std::chrono::seconds(120));
  REQUIRE_MESSAGE(install.exit_code == 0, (install.out + install.err));
  const fs::path data = prefix / "share" / "sportello" / "intents";
  CHECK(fs::is_regular_file(data / "model.tsv"));
  CHECK(fs::is_regular_file(data / "comuni.tsv"));
  CHECK(fs::is_regular_file(data / "comuni.NOTICE"));  // the licence travels
  CHECK_FALSE(fs::exists(data / "train.tsv"));         // only training reads it

  const int port = support::FreePort();
  support::ServiceProcess service(
      {"serve"},
      {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("installed.db"))},
       {"SPORTELLO_LISTEN", support::LoopbackAddress(port)},
       {"SPORTELLO_DEMO", "1"}},
      dir.File("installed.log"), (prefix / "bin" / "sportello").string());
  REQUIRE_MESSAGE(service.WaitHealthy(), service.LogText());
  CHECK(service.LogText().find("intent data " + data.string()) !=
        std::string::npos);

  auto r = support::HttpClient(port).Post(
      "/api/chat",
      R"({"user":"u1","text":"ciao cerco lavoro come cameriere a Bari"})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.body.find("Cameriere") != std::string::npos);  // a demo offer
  CHECK(service.Terminate() == 0);
}

TEST_CASE("a service without its intent data says where it looked and stops") {
  support::TempDir dir;
  auto run = support::RunSportello(
      {"serve"}, {{"SPORTELLO_DB", support::TestDatabaseAt(dir.File("s.db"))},
                  {"SPORTELLO_LISTEN", "127.0.0.1:0"},
                  {"SPORTELLO_INTENTS_DIR", dir.File("missing")}});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find(dir.File("missing")) != std::string::npos);
  CHECK(run.err.find("SPORTELLO_INTENTS_DIR") != std::string::npos);
}

}  // namespace
}  // namespace sportello::e2e
