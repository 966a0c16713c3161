// `sportello slots`: how staff put counsellors' availability in the
// database, typed in Rome's wall clock. Run against the real binary on a
// temp database. Dates are far in the future so "in the past" never bites.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bot/domain/holidays.h"
#include "storage/database.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sportello::e2e {
namespace {

struct SlotsCli {
  support::TempDir dir;
  std::string db_path = dir.File("slots.db");
  support::Env env{{"SPORTELLO_DB", support::TestDatabaseAt(db_path)}};

  support::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "slots");
    return support::RunSportello(args, env);
  }

  std::unique_ptr<storage::Database> Open() const {
    auto db = storage::Database::Open(support::TestDatabaseAt(db_path));
    REQUIRE(db.ok());
    return std::move(*db);
  }

  std::vector<int64_t> Starts() const {
    auto db = Open();
    storage::Statement st =
        db->Prepare("SELECT starts_at FROM slots ORDER BY starts_at");
    std::vector<int64_t> starts;
    while (st.Step()) starts.push_back(st.Int(0));
    return starts;
  }
};

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("sportello slots and each of its subcommands explain themselves") {
  SlotsCli cli;
  auto help = support::RunSportello({"--help"});
  CHECK(help.out.find("slots") != std::string::npos);
  for (const char* sub :
       {"--help", "add --help", "list --help", "demo --help"}) {
    CAPTURE(sub);
    std::vector<std::string> args;
    std::string word;
    for (const char* p = sub;; ++p) {
      if (*p == ' ' || *p == '\0') {
        args.push_back(word);
        word.clear();
        if (*p == '\0') break;
      } else {
        word += *p;
      }
    }
    auto r = cli.Run(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("usage: sportello slots") != std::string::npos);
  }
  CHECK(cli.Run({}).exit_code == 2);
  auto unknown = cli.Run({"juggle"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("juggle") != std::string::npos);
}

TEST_CASE(
    "sportello slots add keeps a weekly series on Rome's wall clock across the "
    "change of time") {
  SlotsCli cli;
  // Tuesday 20 October 2099 is summer time; the next Tuesday is winter time
  // (clocks go back on Sunday 25 October).
  auto r =
      cli.Run({"add", "--service", "orientamento", "--at", "2099-10-20 10:30",
               "--minutes", "45", "--place", "Sede Porta Futuro",
               "--counsellor", "Giulia Rossi", "--repeat-weekly", "2"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(Count(r.out, "added slot") == 3);
  CHECK(r.out.find("2099-10-20 10:30") != std::string::npos);
  CHECK(r.out.find("2099-10-27 10:30") != std::string::npos);
  CHECK(r.out.find("2099-11-03 10:30") != std::string::npos);

  const auto starts = cli.Starts();
  REQUIRE(starts.size() == 3);
  constexpr int64_t kHour = 3'600'000;
  CHECK(starts[1] - starts[0] ==
        (7 * 24 + 1) * kHour);  // an hour longer: CEST -> CET
  CHECK(starts[2] - starts[1] == 7 * 24 * kHour);

  auto list = cli.Run({"list", "--from", "2099-10-01"});
  CHECK(list.exit_code == 0);
  CHECK(Count(list.out, "  free ") == 3);
  CHECK(list.out.find("Giulia Rossi") != std::string::npos);
  CHECK(list.out.find("total 3, booked 0, free 3") != std::string::npos);
}

TEST_CASE(
    "sportello slots add uses the service's usual length and takes an online "
    "link") {
  SlotsCli cli;
  auto r =
      cli.Run({"add", "--service", "bilancio_competenze", "--at",
               "2099-12-03 10:30", "--online", "https://meet.example.org/pf"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("60 min") != std::string::npos);
  CHECK(r.out.find("online https://meet.example.org/pf") != std::string::npos);
  auto any = cli.Run({"add", "--service", "any", "--at", "2099-12-04 09:00",
                      "--place", "Sede"});
  CHECK_MESSAGE(any.exit_code == 0, any.err);
  CHECK(any.out.find(" any ") != std::string::npos);
}

TEST_CASE("sportello slots add refuses what cannot work and says why") {
  SlotsCli cli;
  REQUIRE(cli.Run({"add", "--service", "curriculum", "--at", "2099-12-03 10:30",
                   "--place", "Sede", "--counsellor", "Rossi"})
              .exit_code == 0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{"--service", "astrologia", "--at", "2099-12-03 10:30", "--place",
        "Sede"},
       2,
       "orientamento"},
      {{"--service", "curriculum", "--at", "3 dicembre", "--place", "Sede"},
       2,
       "YYYY-MM-DD"},
      {{"--service", "curriculum", "--at", "2099-02-30 10:30", "--place",
        "Sede"},
       2,
       "YYYY-MM-DD"},
      {{"--service", "curriculum", "--at", "2099-03-29 02:30", "--place",
        "Sede"},
       2,
       "does not exist"},
      {{"--service", "curriculum", "--at", "2001-12-03 10:30", "--place",
        "Sede"},
       1,
       "in the past"},
      {{"--service", "curriculum", "--at", "2099-12-03 10:30"},
       2,
       "--place or --online"},
      {{"--service", "curriculum", "--at", "2099-12-03 10:30", "--place",
        "Sede", "--online", "https://x"},
       2,
       "not both"},
      {{"--at", "2099-12-03 10:30", "--place", "Sede"}, 2, "--service"},
      {{"--service", "curriculum", "--at", "2099-12-03 10:30", "--place",
        "Sede", "--minutes", "0"},
       2,
       "--minutes"},
      {{"--service", "curriculum", "--at", "2099-12-03 10:30", "--place"},
       2,
       "needs a value"},
      {{"--service", "curriculum", "--at", "2099-12-03 10:15", "--place",
        "Sede", "--counsellor", "Rossi"},
       1,
       "overlaps"},
      {{"--service", "curriculum", "--at", "2099-11-26 10:30", "--place",
        "Sede", "--counsellor", "Rossi", "--repeat-weekly", "3"},
       1,
       "nothing added"},
  };
  for (const Case& c : cases) {
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    CAPTURE(line);
    std::vector<std::string> args = c.args;
    args.insert(args.begin(), "add");
    auto r = cli.Run(args);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.out.empty());
  }
  // The series clashing in its second week added nothing at all.
  CHECK(cli.Starts().size() == 1);
}

TEST_CASE("sportello slots list shows which slots are booked") {
  SlotsCli cli;
  REQUIRE(
      cli.Run({"add", "--service", "orientamento", "--at", "2099-12-03 10:30",
               "--place", "Sede", "--repeat-weekly", "1"})
          .exit_code == 0);
  {
    auto db = cli.Open();
    REQUIRE(
        db->Exec(
              "INSERT INTO users(id, channel, external_id, chat_id, created_at)"
              " VALUES(1, 'web', 'u1', 'u1', 0);"
              "INSERT INTO bookings(slot_id, user_id, service_code, created_at)"
              " SELECT min(id), 1, 'orientamento', 0 FROM slots;")
            .ok());
  }
  auto list = cli.Run({"list", "--from", "2099-12-01"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("booked #1") != std::string::npos);
  CHECK(list.out.find("total 2, booked 1, free 1") != std::string::npos);
  auto later = cli.Run({"list", "--from", "2099-12-04"});
  CHECK(later.out.find("total 1, booked 0, free 1") != std::string::npos);
  CHECK(cli.Run({"list", "--from", "dicembre"}).exit_code == 2);
}

TEST_CASE("sportello slots demo fills the next three weeks once") {
  SlotsCli cli;
  auto first = cli.Run({"demo"});
  CHECK_MESSAGE(first.exit_code == 0, first.err);
  const auto starts = cli.Starts();
  const size_t added = starts.size();
  // At most 15 weekdays of 5 slots in person, plus 6 Tuesdays and Thursdays
  // online: fewer when a holiday or Bari's closure (the default) falls in
  // the next three weeks, and none on those days. The exact count for a
  // fixed date is in the demo data's own tests.
  CHECK(added <= 15 * 5 + 6 * 5);
  CHECK(added >= 10 * 5);
  const ClosedDays closed = ClosedDays::Parse("12-06").value();
  for (int64_t at : starts) {
    CAPTURE(at);
    CHECK_FALSE(closed.ContainsInstant(at));
  }
  CHECK(first.out.find("added " + std::to_string(added)) != std::string::npos);
  auto again = cli.Run({"demo"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("added 0") != std::string::npos);
  CHECK(cli.Starts().size() == added);
  auto list = cli.Run({"list"});
  CHECK(list.out.find("online https://") != std::string::npos);
  CHECK(list.out.find("Porta Futuro") != std::string::npos);
}

}  // namespace
}  // namespace sportello::e2e
