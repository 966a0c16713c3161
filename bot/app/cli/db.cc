// `sportello db copy --to URI`: moves a centre's SQLite database into an
// empty PostgreSQL database (storage/db_copy.h does the work).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "storage/db_copy.h"
#include "storage/pg_connection.h"

namespace sportello {
namespace {

constexpr const char* kCopyUsage =
    "usage: sportello db copy --to "
    "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB\n"
    "\n"
    "Copies the SQLite database SPORTELLO_DB into an empty PostgreSQL "
    "database, in one\n"
    "transaction: the target gets the schema and every row, ids kept, or "
    "nothing.\n"
    "Prints each table's rows in the source and in the target, then the "
    "rate.\n"
    "\n"
    "Refused, with nothing written: a target that already has Sportello's "
    "schema or\n"
    "tables (do not run migrate on it first), a SQLite file a `sportello "
    "serve` is\n"
    "using (stop it; a serve cannot start during the copy either), a source "
    "at another\n"
    "schema version than this sportello's (run `sportello migrate` on it "
    "first), an\n"
    "unreachable target. The source is only read. Afterwards, set "
    "SPORTELLO_DB to the\n"
    "URI.\n";

int RunCopy(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kCopyUsage)) return 0;
  auto flags = cli::ParseFlags(argc, argv, {"--to"}, "db copy", kCopyUsage);
  if (!flags) return 2;
  const auto to = flags->find("--to");
  if (to == flags->end()) {
    std::fprintf(stderr, "sportello db copy: --to is required\n%s", kCopyUsage);
    return 2;
  }
  auto source = DatabaseFromEnvironment();
  if (!source.ok()) {
    std::fprintf(stderr, "sportello db copy: %s\n",
                 source.status().message().c_str());
    return 2;
  }
  auto report = storage::CopySqliteToPostgres(*source, to->second);
  if (!report.ok()) {
    // The message says what was refused and why; it starts "db copy: ".
    std::fprintf(stderr, "sportello %s\n", report.status().message().c_str());
    return 1;
  }
  for (const storage::TableCopy& t : report->tables) {
    std::printf("%s %lld = %lld\n", t.table.c_str(),
                static_cast<long long>(t.source_rows),
                static_cast<long long>(t.target_rows));
  }
  const auto seconds = [](std::chrono::milliseconds ms) {
    return std::max(0.001, static_cast<double>(ms.count()) / 1000);
  };
  std::printf(
      "copied %lld rows in %zu tables to %s (schema version %d) in %.2f s; "
      "rows: %.2f s, %.0f rows/s\n",
      static_cast<long long>(report->rows), report->tables.size(),
      storage::pg::RedactUri(to->second).c_str(), report->schema_version,
      seconds(report->elapsed), seconds(report->copy_elapsed),
      static_cast<double>(report->rows) / seconds(report->copy_elapsed));
  return 0;
}

constexpr cli::Command kVerbs[] = {
    {"copy", "--to URI",
     "copy the SQLite database into an empty PostgreSQL one", RunCopy},
};

std::string Usage() {
  return "usage: sportello db " + cli::JoinNames(kVerbs) +
         "\n"
         "\n"
         "The database SPORTELLO_DB as a whole.\n" +
         cli::ListCommands(kVerbs, /*with_args=*/true, /*gap=*/3);
}

}  // namespace

std::span<const cli::Command> cli::DbVerbs() { return kVerbs; }

int RunDb(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello db", "subcommand", Usage(), argc,
                       argv);
}

}  // namespace sportello
