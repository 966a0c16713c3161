// Dates in a message, resolved against the reference day (Europe/Rome):
//
//   oggi, today, stasera                    -> today
//   domani, tomorrow / dopodomani           -> today + 1 / + 2
//   lunedì, lun, monday, "lunedì prossimo"  -> the next such day, strictly
//   after
//                                              today (on a Monday, "lunedì" is
//                                              the Monday a week later)
//   3 dicembre, 3 dic, december 3, 3rd of december, 3/12, 3-12, 3.12.2026,
//   3/12/26, 2026-12-03, "lunedì 3", "il 3" -> that day; without a year, the
//                                              next one from today on (a past
//                                              day-month rolls to next year)
//   la settimana prossima, next week        -> Monday of next week
//   il mese prossimo, next month            -> the 1st of next month
//   weekend, fine settimana                 -> the coming Saturday (today on a
//                                              Saturday or Sunday)
//   tra 3 giorni, in 2 weeks                -> today + 3 / + 14
//
// Impossible dates ("31/02", "30 febbraio") give nothing. The first date
// written wins.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "intents/entities/tokens.h"

namespace sportello::intents::entities {

// REQUIRES: today.ok().
std::optional<std::chrono::year_month_day> FindDate(
    const std::vector<Token>& tokens, std::chrono::year_month_day today);

// "2026-12-03".
std::string FormatIsoDate(std::chrono::year_month_day date);

// The words FindDate reads (folded): no other entity should take them for a
// misspelt name.
std::vector<std::string> DateWords();

}  // namespace sportello::intents::entities
