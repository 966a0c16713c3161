// `sportello vacancies ...`: import feeds, list, load the demo, try a search.
#include "storage/vacancies.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "bot/app/cli/cli.h"
#include "bot/app/cli/flags.h"
#include "bot/app/config.h"
#include "bot/app/demo_data.h"
#include "bot/core/clock.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/domain/vacancy_search.h"
#include "intents/engine.h"
#include "storage/centres.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/vacancy_import.h"

namespace sportello {
namespace {

// The page for `vacancies --help` (and each verb's): a synopsis from the
// table of verbs, then these details.
std::string Usage();

constexpr const char* kDetails =
    "import FILE  adds or updates offers from a CSV file with a header row,\n"
    "             or a JSON array of objects, matched by external_id:\n"
    "             importing a file twice changes nothing. Each invalid row\n"
    "             is reported on stderr with its line (CSV) or array index\n"
    "             (JSON) and field; the valid rows are imported anyway, and\n"
    "             the exit code is then 1. A file that is not a feed at all\n"
    "             (no header, unknown column, not an array) imports\n"
    "             nothing: exit code 2.\n"
    "             Prints: imported N, updated M, rejected K (unchanged U)\n"
    "             Required fields: external_id, title, employer, comune\n"
    "             (official name), contract (full_time, part_time,\n"
    "             tirocinio, stagionale, apprendistato), how_to_apply,\n"
    "             expires_at (YYYY-MM-DD, DD/MM/YYYY or ISO 8601).\n"
    "             Optional: province, sector, description, requirements,\n"
    "             partner (true/false), published_at (default: first\n"
    "             import). An offer already expired is rejected, unless it\n"
    "             updates a stored one (that withdraws it).\n"
    "             --centre ID: the file's offers are that centre's (shown\n"
    "             to its people); --centre regional: everyone's. Default:\n"
    "             centre 1. Importing again moves them as the flag says.\n"
    "list [--all] active offers (published, not expired), one a line, with\n"
    "             their centre or \"regional\"; --all lists every offer.\n"
    "demo         loads the demo offers (Bari, Puglia, a few elsewhere),\n"
    "             dated so that the newest is published today.\n"
    "search       ranks the active offers as the bot does, with reasons.\n";

int Fail(const std::string& what) {
  std::fprintf(stderr, "sportello vacancies: %s\n", what.c_str());
  return 1;
}

core::Result<std::unique_ptr<storage::Database>> OpenDatabase() {
  auto config = LoadConfigFromEnvironment();
  if (!config.ok()) return config.status();
  auto db = storage::Database::Open(config->db_path);
  if (!db.ok()) return db.status();
  if (auto s = storage::Migrate(**db); !s.ok()) return s;
  return db;
}

core::Result<VacancyVocabulary> Vocabulary() {
  return VacancyVocabulary::Load(intents::DefaultDataDir());
}

std::string Date(int64_t ms) {
  const auto d = core::RomeDate(core::FromMillis(ms));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::string Where(const std::string& comune,
                  const std::optional<std::string>& province) {
  return province ? comune + " (" + *province + ")" : comune;
}

int PrintSummary(const storage::ImportSummary& s) {
  for (const auto& e : s.rejected)
    std::fprintf(stderr, "%s\n", storage::ToString(e).c_str());
  std::printf("imported %d, updated %d, rejected %d (unchanged %d)\n",
              s.inserted, s.updated, storage::RejectedRows(s.rejected),
              s.unchanged);
  return s.rejected.empty() ? 0 : 1;
}

int Import(storage::Database& db, const std::string& path,
           std::optional<int64_t> centre, int64_t now_ms) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "sportello vacancies: cannot read %s\n", path.c_str());
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto feed = storage::ParseVacancyFeed(text.str(), now_ms);
  if (!feed.ok()) {
    std::fprintf(stderr, "sportello vacancies: %s: %s\n", path.c_str(),
                 feed.status().message().c_str());
    return 2;
  }
  auto vocabulary = Vocabulary();
  if (!vocabulary.ok()) return Fail(vocabulary.status().ToString());
  CheckFeedPlaces(*feed, *vocabulary);
  for (auto& row : feed->rows) row.vacancy.centre_id = centre;
  storage::Transaction txn(db);
  if (!txn.status().ok()) return Fail(txn.status().ToString());
  auto summary = storage::ImportFeed(db, *feed, now_ms);
  if (!summary.ok()) return Fail(summary.status().ToString());
  if (auto s = txn.Commit(); !s.ok()) return Fail(s.ToString());
  return PrintSummary(*summary);
}

int List(storage::Database& db, bool all, int64_t now_ms) {
  storage::VacancyFilter filter;
  filter.include_expired = all;
  auto found = storage::FindVacancies(db, filter, now_ms);
  if (!found.ok()) return Fail(found.status().ToString());
  for (const auto& v : *found) {
    std::string state;
    if (v.expires_at <= now_ms) state = " | expired";
    if (v.published_at > now_ms) state = " | not yet published";
    const std::string centre =
        v.centre_id ? "centre " + std::to_string(*v.centre_id) : "regional";
    std::printf("#%lld %s | %s | %s | %s | %s | %s..%s | %s%s%s\n",
                static_cast<long long>(v.id), v.external_id.c_str(),
                v.title.c_str(), v.employer.c_str(),
                Where(v.comune, v.province).c_str(), v.contract.c_str(),
                Date(v.published_at).c_str(), Date(v.expires_at - 1).c_str(),
                centre.c_str(), v.partner ? " | partner" : "", state.c_str());
  }
  std::printf("%zu %s\n", found->size(), all ? "offers" : "active offers");
  return 0;
}

int Search(storage::Database& db, int argc, char** argv, int64_t now_ms) {
  VacancyQuery q;
  int page = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "sportello vacancies search: '%s' needs a value\n%s",
                   argv[i], Usage().c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (a == "--role") {
      q.role = value;
    } else if (a == "--city") {
      q.city = value;
    } else if (a == "--contract") {
      q.contract = value;
    } else if (a == "--text") {
      q.text = value;
    } else if (a == "--page") {
      // Anything but a page number shows the first page.
      page = static_cast<int>(
          core::ParseInt(value, 1, std::numeric_limits<int>::max())
              .value_or(1));
    } else {
      std::fprintf(stderr,
                   "sportello vacancies search: unexpected argument '%s'\n%s",
                   std::string(a).c_str(), Usage().c_str());
      return 2;
    }
  }
  q.offset = (page - 1) * kVacancyPageSize;
  auto vocabulary = Vocabulary();
  if (!vocabulary.ok()) return Fail(vocabulary.status().ToString());
  auto result = SearchVacancies(db, *vocabulary, q, now_ms);
  if (!result.ok()) return Fail(result.status().ToString());
  std::printf("%d found%s, page %d\n", result->total,
              result->widened ? " (none nearby: from anywhere)" : "", page);
  for (const auto& item : result->items) {
    const auto& v = item.vacancy;
    std::printf(
        "#%lld %s | %s | %s | %s | score %d:", static_cast<long long>(v.id),
        v.title.c_str(), v.employer.c_str(),
        Where(v.comune, v.province).c_str(), v.contract.c_str(), item.score);
    for (const auto& r : item.reasons) {
      std::printf(" %s%s%s(%d)", r.code.c_str(), r.detail.empty() ? "" : "=",
                  r.detail.c_str(), r.points);
    }
    std::printf("\n");
  }
  return 0;
}

int BadArguments() {
  std::fprintf(stderr, "sportello vacancies: bad arguments\n%s",
               Usage().c_str());
  return 2;
}

int RunImport(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  const bool flag = argc == 4 && std::string_view(argv[2]) == "--centre";
  if (argc != 2 && !flag) return BadArguments();
  std::optional<int64_t> centre = storage::kFirstCentre;
  if (flag && std::string_view(argv[3]) == "regional") {
    centre.reset();
  } else if (flag) {
    centre = core::ParseInt(argv[3], 1, std::numeric_limits<int64_t>::max());
    if (!centre) {
      std::fprintf(stderr,
                   "sportello vacancies import: --centre takes a centre's id "
                   "or 'regional', not '%s'\n",
                   argv[3]);
      return 2;
    }
  }
  auto db = OpenDatabase();
  if (!db.ok()) return Fail(db.status().ToString());
  if (centre) {
    auto found = storage::FindCentre(**db, *centre);
    if (!found.ok()) return Fail(found.status().ToString());
    if (!found->has_value() || (*found)->disabled) {
      std::fprintf(stderr,
                   "sportello vacancies import: no active centre %lld "
                   "(sportello centres list)\n",
                   static_cast<long long>(*centre));
      return 2;
    }
  }
  return Import(**db, argv[1], centre, core::SystemClock().NowMillis());
}

int RunList(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  const bool all = argc == 2 && std::string_view(argv[1]) == "--all";
  if (argc > 1 && !all) return BadArguments();
  auto db = OpenDatabase();
  if (!db.ok()) return Fail(db.status().ToString());
  return List(**db, all, core::SystemClock().NowMillis());
}

int RunSearch(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  auto db = OpenDatabase();
  if (!db.ok()) return Fail(db.status().ToString());
  return Search(**db, argc, argv, core::SystemClock().NowMillis());
}

int RunDemo(int argc, char** argv) {
  if (cli::WantsHelp(argc, argv, Usage())) return 0;
  if (argc != 1) return BadArguments();
  auto db = OpenDatabase();
  if (!db.ok()) return Fail(db.status().ToString());
  storage::Transaction txn(**db);
  if (!txn.status().ok()) return Fail(txn.status().ToString());
  auto summary = ImportDemoVacancies(**db, core::SystemClock().NowMillis());
  if (!summary.ok()) return Fail(summary.status().ToString());
  if (auto s = txn.Commit(); !s.ok()) return Fail(s.ToString());
  return PrintSummary(*summary);
}

constexpr cli::Command kVerbs[] = {
    {"import", "FILE [--centre ID|regional]",
     "add or update offers from a CSV or JSON feed (line-numbered errors, "
     "idempotent by external_id), centre 1's unless --centre says",
     RunImport},
    {"list", "[--all]", "active offers, one a line; --all: every offer",
     RunList},
    {"demo", "", "load the demo offers, the newest published today", RunDemo},
    {"search", "[--role R] [--city C] [--contract K] [--text WORDS] [--page N]",
     "rank the active offers as the bot does, with reasons", RunSearch},
};

// "usage: sportello vacancies import FILE", then a line for each other verb,
// its arguments wrapped under themselves, whole "[--flag VALUE]"s, to fit
// 80 columns.
std::string Usage() {
  std::string page;
  for (const cli::Command& verb : kVerbs) {
    std::string line = page.empty() ? "usage: " : "       ";
    (line += "sportello vacancies ") += verb.name;
    const size_t indent = line.size();
    std::string_view rest = verb.args;
    while (!rest.empty()) {
      const size_t end = std::min(rest.find(" ["), rest.size());
      if (line.size() + 1 + end >= 80) {
        (page += line) += '\n';
        line.assign(indent, ' ');
      }
      (line += ' ') += rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    (page += line) += '\n';
  }
  return page + "\nJob offers in the database SPORTELLO_DB.\n\n" + kDetails;
}

}  // namespace

std::span<const cli::Command> cli::VacanciesVerbs() { return kVerbs; }

int RunVacancies(int argc, char** argv) {
  return cli::Dispatch(kVerbs, "sportello vacancies", "subcommand", Usage(),
                       argc, argv);
}

}  // namespace sportello
