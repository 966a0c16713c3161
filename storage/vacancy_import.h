// Reading vacancy feeds: CSV (RFC 4180, a header row naming the fields) or a
// JSON array of objects, validated row by row. A bad row is reported with
// where it is (CSV line, JSON array index) and which field, and does not stop
// the good ones; a file that cannot be read as a feed at all (no header,
// unknown column, not an array) is refused as a whole.
//
// Fields (CSV header names = JSON keys):
//   external_id   required, unique in the file, at most 100 characters
//   title, employer, comune, how_to_apply   required
//   contract      required:
//   full_time|part_time|tirocinio|stagionale|apprendistato
//                 (case, "-" and " " forgiven: "Part-time" is part_time)
//   expires_at    required; published_at optional (first import time)
//                 dates: YYYY-MM-DD or DD/MM/YYYY (a whole day in Europe/Rome:
//                 an offer expiring on 2026-12-31 is shown through that day),
//                 or YYYY-MM-DDTHH:MM[:SS] with Z or +HH:MM (Rome time without)
//   province      optional two-letter code ("BA")
//   sector, description, requirements   optional
//   partner       optional: true/false, 1/0, si/sì/no, yes/no (default false)
// Every text must be valid UTF-8 without control characters (newlines and
// tabs are allowed in description, requirements and how_to_apply).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/vacancies.h"

namespace sportello::storage {

// One CSV record: its fields and the line it starts on (1-based; a quoted
// field may span lines).
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180: fields separated by commas, records by CRLF or LF; a field in
// double quotes may hold commas, newlines and "" for a quote. A leading UTF-8
// BOM is skipped, blank lines are ignored. InvalidArgument (with the line)
// for a quote that never closes or text after a closing quote.
core::Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

// A feed's date or time (formats as expires_at below) as unix ms: a bare
// date is the start of that day in Rome. nullopt when it is not one.
std::optional<int64_t> ParseFeedTime(std::string_view text);

enum class FeedFormat { kCsv, kJson };

struct RowError {
  FeedFormat format = FeedFormat::kCsv;
  int where = 0;      // CSV line (1-based) or JSON array index (0-based)
  std::string field;  // "" when about the whole row
  std::string message;
};
// "line 4: contract: 'fisso' is not one of ..." / "index 3: title: missing".
std::string ToString(const RowError& e);
// How many rows `errors` are about (a row may have several).
int RejectedRows(const std::vector<RowError>& errors);

struct FeedRow {
  int where = 0;  // as in RowError
  Vacancy vacancy;
  // False when the feed gave no published_at: vacancy.published_at is then
  // the parse time, and ImportFeed keeps a stored offer's own instead (so
  // re-importing the feed changes nothing).
  bool published_given = true;
};

struct ParsedFeed {
  FeedFormat format = FeedFormat::kCsv;
  std::vector<FeedRow> rows;     // valid rows, in file order
  std::vector<RowError> errors;  // invalid rows, in file order
};

// `now_ms` is the default publication time. Does not judge expiry (see
// ImportFeed) nor whether the comune exists (the caller's gazetteer does).
core::Result<ParsedFeed> ParseVacancyCsv(std::string_view text, int64_t now_ms);
core::Result<ParsedFeed> ParseVacancyJson(std::string_view text,
                                          int64_t now_ms);
// JSON when the first character that is not a space or a BOM is '[' or '{'.
core::Result<ParsedFeed> ParseVacancyFeed(std::string_view text,
                                          int64_t now_ms);

struct ImportSummary {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;               // already stored exactly so
  std::vector<RowError> rejected;  // by row: the feed's and the import's
};

// Stores the feed's valid rows by external_id (UpsertVacancy) and carries its
// errors over. A row without published_at keeps the stored offer's, or is
// published now. A row already expired at `now_ms` is rejected when new (it
// would never be shown) but applied when it updates a stored offer: that is
// how a feed withdraws one. REQUIRES: inside a Transaction, so the import is
// applied whole; a non-OK status means a storage failure (roll back).
core::Result<ImportSummary> ImportFeed(Database& db, const ParsedFeed& feed,
                                       int64_t now_ms);

}  // namespace sportello::storage
