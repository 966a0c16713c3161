// `sportello centres` and `sportello users add --centre`: how a region sets
// up its network, run against the real binary on a temp database. The
// lines `centres list` prints are an interface other tools parse.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "storage/centres.h"
#include "storage/database.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::e2e {
namespace {

struct CentresCli {
  support::TempDir dir;
  support::Env env{
      {"SPORTELLO_DB", support::TestDatabaseAt(dir.File("centres.db"))},
      {"SPORTELLO_CENTRE_NAME", "Porta Futuro Bari"}};

  support::CommandResult Run(std::vector<std::string> args,
                             std::string_view stdin_text = "") {
    return support::RunSportello(args, env, stdin_text);
  }
  support::CommandResult AddUser(std::vector<std::string> args) {
    args.insert(args.begin(), {"users", "add"});
    return Run(args, "a-long-password\n");
  }
};

TEST_CASE("a new database has centre 1, named as configured") {
  CentresCli cli;
  auto list = cli.Run({"centres", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out == "1\tactive\tPorta Futuro Bari\t-\n");
}

TEST_CASE("the service gives centre 1 the configured details at start") {
  CentresCli cli;
  cli.env["SPORTELLO_CENTRE_ADDRESS"] = "Via Petroni 15/F, Bari";
  cli.env["SPORTELLO_OPENING_HOURS"] = "1-5 09:00-12:00";
  REQUIRE(cli.Run({"chat"}, "").exit_code == 0);

  auto db = storage::Database::Open(
      support::TestDatabaseAt(cli.dir.File("centres.db")));
  REQUIRE(db.ok());
  auto first = storage::FindCentre(**db, storage::kFirstCentre);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->name == "Porta Futuro Bari");
  CHECK((*first)->address == "Via Petroni 15/F, Bari");
  CHECK((*first)->opening_hours == "1-5 09:00-12:00");
  CHECK((*first)->from_config);
}

TEST_CASE("centres are added, edited and disabled, one line each") {
  CentresCli cli;
  auto added = cli.Run(
      {"centres", "add", "--name", "Molfetta", "--comuni", "Molfetta, 072022",
       "--services", "orientamento,curriculum", "--opening-hours",
       "1-5 09:00-12:00", "--whatsapp-phone-number-id", "106540352242922"});
  CHECK(added.exit_code == 0);
  CHECK(added.out == "2\tactive\tMolfetta\t072022,072029\n");

  auto altamura = cli.Run({"centres", "add", "--name", "Altamura", "--address",
                           "Piazza Duomo 1, Altamura"});
  CHECK(altamura.exit_code == 0);
  CHECK(altamura.out == "3\tactive\tAltamura\t-\n");

  auto edited = cli.Run({"centres", "edit", "3", "--comuni", "072004"});
  CHECK(edited.exit_code == 0);
  CHECK(edited.out == "3\tactive\tAltamura\t072004\n");

  auto disabled = cli.Run({"centres", "disable", "3"});
  CHECK(disabled.exit_code == 0);
  CHECK(disabled.out == "3\tdisabled\tAltamura\t072004\n");

  CHECK(cli.Run({"centres", "list"}).out ==
        "1\tactive\tPorta Futuro Bari\t-\n"
        "2\tactive\tMolfetta\t072022,072029\n");
  CHECK(cli.Run({"centres", "list", "--all"}).out ==
        "1\tactive\tPorta Futuro Bari\t-\n"
        "2\tactive\tMolfetta\t072022,072029\n"
        "3\tdisabled\tAltamura\t072004\n");
}

TEST_CASE("centre 1 follows the configuration until edited") {
  CentresCli cli;
  auto edited = cli.Run(
      {"centres", "edit", "1", "--name", "Porta Futuro", "--comuni", "Bari"});
  CHECK(edited.exit_code == 0);
  CHECK(edited.out == "1\tactive\tPorta Futuro\t072006\n");
  CHECK(edited.err.find("no longer follows") != std::string::npos);
  // The environment still says "Porta Futuro Bari": the database wins now.
  CHECK(cli.Run({"centres", "list"}).out ==
        "1\tactive\tPorta Futuro\t072006\n");
  auto refused = cli.Run({"centres", "disable", "1"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("centre 1 cannot be disabled") != std::string::npos);
}

TEST_CASE("centres refuses what cannot be right, and says why") {
  CentresCli cli;
  REQUIRE(cli.Run({"centres", "add", "--name", "Bari", "--comuni", "Bari"})
              .exit_code == 0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {{"add"}, 2, "--name is required"},
           {{"add", "--name", "X", "--comuni", "Atlantide"}, 2, "Atlantide"},
           {{"add", "--name", "X", "--comuni", "Castro"}, 2, "075096 (LE)"},
           {{"add", "--name", "X", "--services", "magia"}, 2, "magia"},
           {{"add", "--name", "X", "--opening-hours", "sempre"},
            2,
            "--opening-hours"},
           {{"add", "--name", "X", "--telegram-bot-id", "abc"},
            2,
            "--telegram-bot-id"},
           {{"add", "--name", "X", "--colour", "red"}, 2, "--colour"},
           {{"add", "--name", "Bari"}, 1, "Bari"},
           {{"add", "--name", "Modugno", "--comuni", "072006"},
            1,
            "072006 is served by centre 2"},
           {{"edit", "9", "--name", "X"}, 1, "no centre 9"},
           {{"edit", "2"}, 2, "nothing to change"},
           {{"edit", "due", "--name", "X"}, 2, "ID"},
           {{"disable", "9"}, 1, "no centre 9"},
       }) {
    std::vector<std::string> args = c.args;
    args.insert(args.begin(), "centres");
    CAPTURE(args.size());
    CAPTURE(args.back());
    auto r = cli.Run(args);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK(cli.Run({"centres", "list"}).out ==
        "1\tactive\tPorta Futuro Bari\t-\n"
        "2\tactive\tBari\t072006\n");
}

TEST_CASE("centres --help says the flags and the list format") {
  CentresCli cli;
  auto help = cli.Run({"centres", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* flag :
       {"--name", "--address", "--hours", "--opening-hours", "--closures",
        "--contacts", "--services", "--comuni", "--telegram-bot-id",
        "--whatsapp-phone-number-id", "ID  STATE  NAME  COMUNI"}) {
    CAPTURE(flag);
    CHECK(help.out.find(flag) != std::string::npos);
  }
}

TEST_CASE("staff accounts are given their centres; an admin is regional") {
  CentresCli cli;

  SUBCASE("with one centre, a counsellor works for it unasked") {
    auto anna = cli.AddUser({"anna", "--role", "counsellor"});
    CHECK(anna.exit_code == 0);
    CHECK(anna.out == "added anna (counsellor, centre 1)\n");
  }
  SUBCASE("with several, the centres must be named") {
    REQUIRE(cli.Run({"centres", "add", "--name", "Molfetta"}).exit_code == 0);
    auto unnamed = cli.AddUser({"anna", "--role", "counsellor"});
    CHECK(unnamed.exit_code == 2);
    CHECK(unnamed.err.find("--centre ID[,ID...]") != std::string::npos);

    auto anna =
        cli.AddUser({"anna", "--role", "counsellor", "--centre", "1,2"});
    CHECK(anna.exit_code == 0);
    CHECK(anna.out == "added anna (counsellor, centre 1,2)\n");
    auto chiara =
        cli.AddUser({"chiara", "--role", "centre_admin", "--centre", "2"});
    CHECK(chiara.exit_code == 0);
    CHECK(chiara.out == "added chiara (centre_admin, centre 2)\n");
    auto capo = cli.AddUser({"capo", "--role", "admin"});
    CHECK(capo.exit_code == 0);
    CHECK(capo.out == "added capo (admin)\n");

    auto unknown =
        cli.AddUser({"dino", "--role", "counsellor", "--centre", "7"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("no centre 7") != std::string::npos);
    auto malformed =
        cli.AddUser({"dino", "--role", "counsellor", "--centre", "1,,2"});
    CHECK(malformed.exit_code == 2);
    auto bad_role = cli.AddUser({"dino", "--role", "boss", "--centre", "1"});
    CHECK(bad_role.exit_code == 2);
    CHECK(bad_role.err.find("centre_admin") != std::string::npos);

    // A refused account is not half made.
    auto list = cli.Run({"users", "list"});
    CHECK(list.out.find("dino") == std::string::npos);
    CHECK(list.out.find("chiara  centre_admin") != std::string::npos);
  }
}

}  // namespace
}  // namespace sportello::e2e
