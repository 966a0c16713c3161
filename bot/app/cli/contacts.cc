// `sportello contacts import FILE`: front-desk contacts who agreed to notices.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/core/clock.h"
#include "storage/contacts_import.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace sportello {
namespace {

constexpr const char* kUsage =
    "usage: sportello contacts import FILE.csv\n"
    "\n"
    "Adds people who gave their contact and consent at the front desk to\n"
    "the database SPORTELLO_DB, as subscribers to notices.\n"
    "\n"
    "FILE.csv has a header row; columns:\n"
    "  channel      telegram or whatsapp (required)\n"
    "  address      WhatsApp number as wa_id (393331234567) or Telegram\n"
    "               chat id (required)\n"
    "  consent_at   when they consented: YYYY-MM-DD, DD/MM/YYYY or ISO 8601\n"
    "               (required: contacts without consent are not imported)\n"
    "  name, comune, birth_year, topics (separated by ';')   optional\n"
    "\n"
    "Each invalid row is reported on stderr with its line and field; the\n"
    "valid rows are imported anyway, and the exit code is then 1. A file\n"
    "that is not such a CSV imports nothing: exit code 2. Importing a file\n"
    "again changes nothing; people already known keep their own choices.\n"
    "Prints: imported N, already known M, rejected K\n";

int Fail(const std::string& what) {
  std::fprintf(stderr, "sportello contacts: %s\n", what.c_str());
  return 1;
}

int Import(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "sportello contacts: cannot read %s\n", path.c_str());
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const int64_t now_ms = core::SystemClock().NowMillis();
  auto parsed = storage::ParseContactsCsv(text.str(), now_ms);
  if (!parsed.ok()) {
    std::fprintf(stderr, "sportello contacts: %s: %s\n", path.c_str(),
                 parsed.status().message().c_str());
    return 2;
  }
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) return Fail(config.status().ToString());
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) return Fail(db.status().ToString());
  if (auto s = storage::Migrate(**db); !s.ok()) return Fail(s.ToString());
  storage::Transaction txn(**db);
  if (!txn.status().ok()) return Fail(txn.status().ToString());
  auto summary = storage::ImportContacts(**db, *parsed, now_ms);
  if (!summary.ok()) return Fail(summary.status().ToString());
  if (auto s = txn.Commit(); !s.ok()) return Fail(s.ToString());
  for (const auto& e : summary->rejected)
    std::fprintf(stderr, "%s\n", storage::ToString(e).c_str());
  std::printf("imported %d, already known %d, rejected %d\n", summary->inserted,
              summary->existing, storage::RejectedRows(summary->rejected));
  return summary->rejected.empty() ? 0 : 1;
}

int RunImport(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, kUsage)) return 0;
  if (argc != 2) {
    std::fprintf(stderr, "sportello contacts: bad arguments\n%s", kUsage);
    return 2;
  }
  return Import(argv[1]);
}

constexpr cli::Command kVerbs[] = {
    {"import", "FILE.csv",
     "add front-desk contacts who consented to notices (idempotent; an "
     "opt-out is never undone)",
     RunImport},
};

}  // namespace

std::span<const cli::Command> cli::ContactsVerbs() { return kVerbs; }

int RunContacts(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello contacts", "subcommand", kUsage, argc,
                       argv);
}

}  // namespace sportello
