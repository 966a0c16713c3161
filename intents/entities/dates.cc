#include "intents/entities/dates.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace sportello::intents::entities {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::weekday;
using std::chrono::year_month_day;

enum class Kind : uint8_t {
  kRelative,      // oggi, domani: value = days from today
  kWeekday,       // lunedi, monday, lun: value = 0 (Sunday) .. 6
  kWeekdayShort,  // gio, dom, thu: a weekday only before a day number
  kMonth,         // dicembre, dic, december: value = 1..12
  kCount,         // tre, third: value = the number (day or count)
  kNext,          // prossimo, next
  kWeek,          // settimana, week
  kWeekend,       // weekend
  kEnd,           // fine ("fine settimana")
  kMonthWord,     // mese, month
  kWithin,        // tra, fra, in ("tra 3 giorni")
  kDays,          // giorni, days
  kWeeks,         // settimane, weeks
  kDayAnchor,     // il, giorno, the, on: "il 3"
};

struct DateWord {
  Kind kind;
  int value = 0;
};

using WordTable = WordMap<DateWord>;

const WordTable& Words() {
  static const WordTable kWords = [] {
    WordTable t;
    for (auto [w, v] : std::initializer_list<std::pair<std::string_view, int>>{
             {"oggi", 0},
             {"stasera", 0},
             {"stamattina", 0},
             {"stamani", 0},
             {"stamane", 0},
             {"stanotte", 0},
             {"today", 0},
             {"tonight", 0},
             {"domani", 1},
             {"domattina", 1},
             {"tomorrow", 1},
             {"dopodomani", 2}}) {
      t[std::string(w)] = {Kind::kRelative, v};
    }
    for (auto [w, v] : std::initializer_list<std::pair<std::string_view, int>>{
             {"domenica", 0},
             {"lunedi", 1},
             {"martedi", 2},
             {"mercoledi", 3},
             {"giovedi", 4},
             {"venerdi", 5},
             {"sabato", 6},
             {"sunday", 0},
             {"monday", 1},
             {"tuesday", 2},
             {"wednesday", 3},
             {"thursday", 4},
             {"friday", 5},
             {"saturday", 6},
             {"lun", 1},
             {"merc", 3},
             {"mer", 3},
             {"ven", 5},
             {"sab", 6}}) {
      t[std::string(w)] = {Kind::kWeekday, v};
    }
    for (auto [w, v] :
         std::initializer_list<std::pair<std::string_view, int>>{{"dom", 0},
                                                                 {"gio", 4},
                                                                 {"giov", 4},
                                                                 {"sun", 0},
                                                                 {"mon", 1},
                                                                 {"tue", 2},
                                                                 {"tues", 2},
                                                                 {"wed", 3},
                                                                 {"thu", 4},
                                                                 {"thur", 4},
                                                                 {"thurs", 4},
                                                                 {"fri", 5},
                                                                 {"sat", 6}}) {
      t[std::string(w)] = {Kind::kWeekdayShort, v};
    }
    constexpr std::array<std::string_view, 12> kIt = {
        "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
        "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
    constexpr std::array<std::string_view, 12> kEn = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    constexpr std::array<std::string_view, 12> kItShort = {
        "gen", "feb", "mar", "apr", "mag", "giu",
        "lug", "ago", "set", "ott", "nov", "dic"};
    constexpr std::array<std::string_view, 12> kEnShort = {
        "jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int m = 0; m < 12; ++m) {
      for (const auto& names : {kIt, kEn, kItShort, kEnShort}) {
        t[std::string(names[m])] = {Kind::kMonth, m + 1};
      }
    }
    t["sett"] = t["sept"] = {Kind::kMonth, 9};
    constexpr std::array<std::string_view, 31> kItNumbers = {
        "primo",    "due",         "tre",      "quattro",      "cinque",
        "sei",      "sette",       "otto",     "nove",         "dieci",
        "undici",   "dodici",      "tredici",  "quattordici",  "quindici",
        "sedici",   "diciassette", "diciotto", "diciannove",   "venti",
        "ventuno",  "ventidue",    "ventitre", "ventiquattro", "venticinque",
        "ventisei", "ventisette",  "ventotto", "ventinove",    "trenta",
        "trentuno"};
    for (int n = 0; n < 31; ++n) {
      t[std::string(kItNumbers[n])] = {Kind::kCount, n + 1};
    }
    constexpr std::array<std::string_view, 20> kEnOrdinals = {
        "first",     "second",      "third",      "fourth",     "fifth",
        "sixth",     "seventh",     "eighth",     "ninth",      "tenth",
        "eleventh",  "twelfth",     "thirteenth", "fourteenth", "fifteenth",
        "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"};
    for (int n = 0; n < 20; ++n) {
      t[std::string(kEnOrdinals[n])] = {Kind::kCount, n + 1};
    }
    t["thirtieth"] = {Kind::kCount, 30};
    for (auto [w, v] :
         std::initializer_list<std::pair<std::string_view, int>>{{"uno", 1},
                                                                 {"un", 1},
                                                                 {"una", 1},
                                                                 {"one", 1},
                                                                 {"two", 2},
                                                                 {"three", 3},
                                                                 {"four", 4},
                                                                 {"five", 5},
                                                                 {"six", 6},
                                                                 {"seven", 7},
                                                                 {"eight", 8},
                                                                 {"nine", 9},
                                                                 {"ten", 10}}) {
      t[std::string(w)] = {Kind::kCount, v};
    }
    for (const std::string_view w :
         {"prossimo", "prossima", "prossimi", "prox", "next", "entrante"}) {
      t[std::string(w)] = {Kind::kNext};
    }
    t["settimana"] = t["week"] = {Kind::kWeek};
    t["weekend"] = {Kind::kWeekend};
    t["fine"] = {Kind::kEnd};
    t["mese"] = t["month"] = {Kind::kMonthWord};
    t["tra"] = t["fra"] = t["in"] = {Kind::kWithin};
    t["giorni"] = t["days"] = {Kind::kDays};
    t["settimane"] = t["weeks"] = {Kind::kWeeks};
    for (const std::string_view w : {"il", "l", "giorno", "the", "on"}) {
      t[std::string(w)] = {Kind::kDayAnchor};
    }
    return t;
  }();
  return kWords;
}

std::optional<DateWord> Lookup(const std::vector<Token>& tokens, size_t i) {
  if (i >= tokens.size()) return std::nullopt;
  const auto& words = Words();
  const auto it = words.find(KeyOf(tokens[i]));
  if (it == words.end()) return std::nullopt;
  return it->second;
}

bool Is(const std::vector<Token>& tokens, size_t i, Kind kind) {
  const auto word = Lookup(tokens, i);
  return word && word->kind == kind;
}

bool IsText(const std::vector<Token>& tokens, size_t i, std::string_view text) {
  return i < tokens.size() && tokens[i].text == text;
}

// A day of the month written as a number ("3"), an ordinal ("3rd") or a word
// ("tre", "primo").
std::optional<int> DayAt(const std::vector<Token>& tokens, size_t i) {
  if (i >= tokens.size()) return std::nullopt;
  const std::string& w = tokens[i].text;
  int day = -1;
  if (tokens[i].number >= 0 && w.size() <= 2) {
    day = tokens[i].number;
  } else if (w.size() >= 3 && w.size() <= 4 && w[0] >= '0' && w[0] <= '9') {
    const std::string_view suffix = std::string_view(w).substr(w.size() - 2);
    const std::string_view digits = std::string_view(w).substr(0, w.size() - 2);
    if ((suffix == "st" || suffix == "nd" || suffix == "rd" ||
         suffix == "th") &&
        (digits.size() == 1 || (digits[1] >= '0' && digits[1] <= '9'))) {
      day = digits.size() == 1 ? digits[0] - '0'
                               : (digits[0] - '0') * 10 + (digits[1] - '0');
    }
  } else if (const auto word = Lookup(tokens, i);
             word && word->kind == Kind::kCount) {
    day = word->value;
  }
  if (day < 1 || day > 31) return std::nullopt;
  return day;
}

// A four-digit year after a date ("3 dicembre 2026").
std::optional<int> YearAt(const std::vector<Token>& tokens, size_t i) {
  if (i >= tokens.size() || tokens[i].text.size() != 4) return std::nullopt;
  const int y = tokens[i].number;
  if (y < 1900 || y > 2200) return std::nullopt;
  return y;
}

year_month_day Plus(year_month_day d, int n) {
  return year_month_day{sys_days{d} + days{n}};
}

// Days until the next `target` weekday, 1..7 (never 0: "lunedì" said on a
// Monday is next week's).
int DaysUntil(year_month_day today, int target) {
  const weekday from{sys_days{today}};
  const int delta =
      static_cast<int>((weekday{static_cast<unsigned>(target)} - from).count());
  return delta == 0 ? 7 : delta;
}

// The next `day`/`month` from today on, or nothing if no year has it.
std::optional<year_month_day> NextDayMonth(int day, int month,
                                           year_month_day today) {
  const std::chrono::day d{static_cast<unsigned>(day)};
  const std::chrono::month m{static_cast<unsigned>(month)};
  if (!year_month_day{std::chrono::year{2000}, m, d}.ok()) {
    return std::nullopt;  // 2000 was leap
  }
  for (int y = static_cast<int>(today.year());
       y <= static_cast<int>(today.year()) + 8; ++y) {
    const year_month_day candidate{std::chrono::year{y}, m, d};
    if (candidate.ok() && sys_days{candidate} >= sys_days{today}) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::optional<year_month_day> Dated(int day, int month, std::optional<int> year,
                                    year_month_day today) {
  if (!year) return NextDayMonth(day, month, today);
  const year_month_day date{std::chrono::year{*year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool IsQuantityWord(std::string_view w) {
  static constexpr std::array<std::string_view, 34> kUnits = {
      "per",    "percento", "euro",   "eur",     "anni",   "anno",      "ore",
      "ora",    "mesi",     "mese",   "giorni",  "giorno", "settimane", "volte",
      "km",     "minuti",   "min",    "persone", "posti",  "pezzi",     "x",
      "h",      "years",    "year",   "hours",   "hour",   "days",      "weeks",
      "months", "times",    "people", "euros",   "o",      "or"};
  return std::find(kUnits.begin(), kUnits.end(), w) != kUnits.end();
}

// "3/12", "3-12", "3/12/2026", "3.12.26", "2026-12-03".
std::optional<year_month_day> NumericDate(const std::vector<Token>& tokens,
                                          size_t i, year_month_day today) {
  const Token& t = tokens[i];
  if (t.number < 0 || i + 1 >= tokens.size() || t.glue != ' ') {
    return std::nullopt;
  }
  const char glue = tokens[i + 1].glue;
  if (glue != '/' && glue != '-' && glue != '.') return std::nullopt;
  const bool has_third = i + 2 < tokens.size() && tokens[i + 2].glue == glue &&
                         tokens[i + 2].number >= 0;
  if (t.text.size() == 4) {  // ISO: year-month-day
    if (glue != '-' || !has_third) return std::nullopt;
    return Dated(tokens[i + 2].number, tokens[i + 1].number, t.number, today);
  }
  if (t.text.size() > 2 || tokens[i + 1].text.size() > 2 ||
      tokens[i + 1].number < 0) {
    return std::nullopt;
  }
  const int day = t.number;
  const int month = tokens[i + 1].number;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (has_third) {
    const Token& y = tokens[i + 2];
    if (y.text.size() == 4) return Dated(day, month, y.number, today);
    if (y.text.size() == 2) return Dated(day, month, 2000 + y.number, today);
    return std::nullopt;
  }
  if (glue == '.') {
    return std::nullopt;  // "3.12" reads as a number, "10.30" as a time
  }
  if (i + 2 < tokens.size() && IsQuantityWord(tokens[i + 2].text)) {
    return std::nullopt;  // "3-4 giorni", "2/3 volte": a range
  }
  return Dated(day, month, std::nullopt, today);
}

// "3 dicembre", "3 dic 2026", "3rd of december".
std::optional<year_month_day> DayMonthDate(const std::vector<Token>& tokens,
                                           size_t i, year_month_day today) {
  const auto day = DayAt(tokens, i);
  if (!day) return std::nullopt;
  size_t j = i + 1;
  if (IsText(tokens, j, "di") || IsText(tokens, j, "of")) ++j;
  const auto month = Lookup(tokens, j);
  if (!month || month->kind != Kind::kMonth) return std::nullopt;
  return Dated(*day, month->value, YearAt(tokens, j + 1), today);
}

// "december 3", "dec 3rd, 2026".
std::optional<year_month_day> MonthDayDate(const std::vector<Token>& tokens,
                                           size_t i, year_month_day today) {
  const auto month = Lookup(tokens, i);
  if (!month || month->kind != Kind::kMonth) return std::nullopt;
  size_t j = i + 1;
  if (IsText(tokens, j, "the")) ++j;
  const auto day = DayAt(tokens, j);
  if (!day || tokens[j].number > 31 ||
      (j + 1 < tokens.size() && tokens[j + 1].glue == ':')) {
    return std::nullopt;
  }
  return Dated(*day, month->value, YearAt(tokens, j + 1), today);
}

// "il 3", "giovedì 3", "on the 3rd": that day of this month, or of the next
// month once it has passed.
std::optional<year_month_day> DayOnlyDate(const std::vector<Token>& tokens,
                                          size_t i, year_month_day today) {
  if (i == 0 || i >= tokens.size() || tokens[i].text.size() > 4) {
    return std::nullopt;
  }
  const auto day = DayAt(tokens, i);
  if (!day || tokens[i].text[0] < '0' || tokens[i].text[0] > '9') {
    return std::nullopt;
  }
  const auto before = Lookup(tokens, i - 1);
  if (!before ||
      (before->kind != Kind::kDayAnchor && before->kind != Kind::kWeekday &&
       before->kind != Kind::kWeekdayShort)) {
    return std::nullopt;
  }
  if (i + 1 < tokens.size() &&
      (tokens[i + 1].glue != ' ' || IsQuantityWord(tokens[i + 1].text))) {
    return std::nullopt;
  }
  std::chrono::year_month ym = today.year() / today.month();
  for (int k = 0; k < 3; ++k, ym += std::chrono::months{1}) {
    const year_month_day candidate =
        ym / std::chrono::day{static_cast<unsigned>(*day)};
    if (candidate.ok() && sys_days{candidate} >= sys_days{today}) {
      return candidate;
    }
  }
  return std::nullopt;
}

year_month_day Weekend(year_month_day today) {
  const unsigned wd = weekday{sys_days{today}}.c_encoding();
  if (wd == 6 || wd == 0) return today;
  return Plus(today, DaysUntil(today, 6));
}

year_month_day FirstOfNextMonth(year_month_day today) {
  return (today.year() / today.month() + std::chrono::months{1}) /
         std::chrono::day{1};
}

// "tra 3 giorni", "fra una settimana", "in 2 weeks".
std::optional<year_month_day> InDays(const std::vector<Token>& tokens, size_t i,
                                     year_month_day today) {
  if (i + 2 >= tokens.size()) return std::nullopt;
  int count = -1;
  if (tokens[i + 1].number >= 0 && tokens[i + 1].number <= 366) {
    count = tokens[i + 1].number;
  } else if (const auto w = Lookup(tokens, i + 1);
             w && w->kind == Kind::kCount) {
    count = w->value;
  } else if (tokens[i + 1].text == "a" || tokens[i + 1].text == "an") {
    count = 1;
  }
  if (count < 0) return std::nullopt;
  const auto unit = Lookup(tokens, i + 2);
  const bool one = count == 1;
  if (unit && unit->kind == Kind::kDays) return Plus(today, count);
  if (unit && unit->kind == Kind::kWeeks) return Plus(today, 7 * count);
  if (one && IsText(tokens, i + 2, "giorno")) return Plus(today, 1);
  if (one &&
      (IsText(tokens, i + 2, "settimana") || IsText(tokens, i + 2, "week"))) {
    return Plus(today, 7);
  }
  return std::nullopt;
}

// The date at tokens[i], if one starts there.
std::optional<year_month_day> DateAt(const std::vector<Token>& tokens, size_t i,
                                     year_month_day today) {
  const char lead = tokens[i].text[0];
  if (lead >= '0' &&
      lead <= '9') {  // "3/12", "3 dicembre", "il 3", "3rd of May"
    if (auto d = NumericDate(tokens, i, today)) return d;
    if (auto d = DayMonthDate(tokens, i, today)) return d;
    return DayOnlyDate(tokens, i, today);
  }
  if ((tokens[i].lexicon & kDateWord) == 0) return std::nullopt;  // most words
  const auto word = Lookup(tokens, i);
  if (!word) return std::nullopt;
  switch (word->kind) {
    case Kind::kRelative:
      if (word->value == 1 && i > 0 && IsText(tokens, i - 1, "dopo")) {
        return Plus(today, 2);
      }
      if (word->value == 1 && i > 1 && IsText(tokens, i - 1, "after") &&
          IsText(tokens, i - 2, "day")) {
        return Plus(today, 2);
      }
      return Plus(today, word->value);
    case Kind::kWeekday:
    case Kind::kWeekdayShort:
      if (auto d = DayMonthDate(tokens, i + 1, today)) return d;
      if (auto d = DayOnlyDate(tokens, i + 1, today)) return d;
      if (word->kind == Kind::kWeekdayShort) return std::nullopt;
      return Plus(today, DaysUntil(today, word->value));
    case Kind::kMonth:
      return MonthDayDate(tokens, i, today);
    case Kind::kNext: {  // "prossima settimana", "next month", "prossimo
                         // weekend"
      const auto next = Lookup(tokens, i + 1);
      if (!next) return std::nullopt;
      if (next->kind == Kind::kWeek || IsText(tokens, i + 1, "sett")) {
        return Plus(today, DaysUntil(today, 1));
      }
      if (next->kind == Kind::kMonthWord) return FirstOfNextMonth(today);
      if (next->kind == Kind::kWeekend) return Weekend(today);
      return std::nullopt;
    }
    case Kind::kWeek:  // "settimana prossima", "week end"
      if (Is(tokens, i + 1, Kind::kNext)) {
        return Plus(today, DaysUntil(today, 1));
      }
      if (IsText(tokens, i + 1, "end")) return Weekend(today);
      return std::nullopt;
    case Kind::kMonthWord:
      if (Is(tokens, i + 1, Kind::kNext)) return FirstOfNextMonth(today);
      return std::nullopt;
    case Kind::kWeekend:
      return Weekend(today);
    case Kind::kEnd:
      if (Is(tokens, i + 1, Kind::kWeek)) return Weekend(today);
      return std::nullopt;
    case Kind::kWithin:
      return InDays(tokens, i, today);
    case Kind::kCount:  // "tre dicembre", "primo dicembre"
      return DayMonthDate(tokens, i, today);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<year_month_day> FindDate(const std::vector<Token>& tokens,
                                       year_month_day today) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (auto date = DateAt(tokens, i, today)) return date;
  }
  return std::nullopt;
}

std::string FormatIsoDate(year_month_day date) {
  // Years here are 1900-2200 (explicit) or near `today`: four digits.
  const auto y = static_cast<unsigned>(static_cast<int>(date.year()));
  const auto m = static_cast<unsigned>(date.month());
  const auto d = static_cast<unsigned>(date.day());
  std::string iso = "0000-00-00";
  const auto put = [&iso](size_t at, unsigned digit) {
    iso[at] = static_cast<char>('0' + digit % 10);
  };
  put(0, y / 1000), put(1, y / 100), put(2, y / 10), put(3, y);
  put(5, m / 10), put(6, m);
  put(8, d / 10), put(9, d);
  return iso;
}

std::vector<std::string> DateWords() {
  std::vector<std::string> words;
  for (const auto& [word, meaning] : Words()) words.emplace_back(word);
  return words;
}

}  // namespace sportello::intents::entities
