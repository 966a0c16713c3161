// FTS5 match expressions, as SQLite's full-text index reads them, translated
// into PostgreSQL's tsquery text, so that code builds one expression and
// both engines search with it. Only storage/vacancies.cc uses it.
//
// What is translated, and how (tsquery operators in brackets):
//   "word"  "two words"       a word [ 'word' ], a phrase [ 'two' <-> 'words' ]
//   "word"*                   a prefix [ 'word':* ]
//   a b, a AND b, a OR b      [ & ], [ | ]
//   a NOT b                   [ a & !b ]
//   ( ... )                   grouping
//   NEAR(p q ..., n)          the phrases in any order, at most n words
//                             from the end of the first to the start of the
//                             last (default 10): every order and spacing
//                             spelled out [ 'p' <2> 'q' | ... ], up to
//                             kMaxNearSpellings; beyond that, only "all of
//                             them" (looser)
//   {col col} : x, col : x    x only in those columns [ weights: 'word':AB ]
//   -{col} : x                x in the other columns
// Anything else (^, +, an unknown column) is refused as InvalidArgument.
//
// Words are split as FTS5's unicode61 splits them (letters and digits;
// PostgreSQL folds case and accents when it reads the tsquery, with the
// same configuration that built the indexed vector).
//
// Columns: PostgreSQL knows a lexeme's weight (A-D), not its column, so each
// searchable column belongs to one weight, and a column filter must name
// every column of each weight it touches (a weight holding description and
// sector cannot tell them apart): otherwise InvalidArgument.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"

namespace sportello::storage {

struct WeightedColumn {
  std::string_view name;  // as the FTS5 table names it
  char weight;            // 'A'..'D', as the tsvector was built
};

inline constexpr int kMaxNearSpellings = 200;

// `fts`: REQUIRES built by code, never raw user input.
core::Result<std::string> FtsToTsquery(
    std::string_view fts, const std::vector<WeightedColumn>& columns);

}  // namespace sportello::storage
