#include "bot/domain/questionnaire.h"

#include <algorithm>
#include <limits>
#include <set>

#include "bot/core/numbers.h"
#include "bot/core/utf8.h"
#include "intents/normalize.h"

namespace sportello {
namespace {

std::string Trim(std::string_view s) {
  const auto blank = [](char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
  };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> SplitValue(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    const std::string_view part = value.substr(
        start, comma == std::string_view::npos ? std::string_view::npos
                                               : comma - start);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}
// Normalize(), with spaces around, for whole-word search.
std::string Padded(std::string_view text) {
  return " " + intents::Normalize(text) + " ";
}

// The option a typed text names: the longest title, id or match word found
// in it as whole words; nullptr when none, or when two options tie.
const Option* MatchOption(const Question& q, std::string_view text,
                          const Catalog& catalog, std::string_view lang) {
  const std::string typed = Padded(text);
  const std::string digits = Trim(typed);
  if (!digits.empty() && digits.size() <= 2 &&
      std::all_of(digits.begin(), digits.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    const size_t n = static_cast<size_t>(*core::ParseInt(digits, 0, 99));
    return n >= 1 && n <= q.options.size() ? &q.options[n - 1] : nullptr;
  }
  const Option* best = nullptr;
  size_t best_len = 0;
  bool tie = false;
  for (const auto& option : q.options) {
    std::vector<std::string> phrases = option.match;
    phrases.push_back(option.id);
    const std::string key = Questionnaire::OptionKey(q.id, option.id);
    for (std::string_view l :
         {lang, std::string_view("it"), std::string_view("en")}) {
      phrases.push_back(catalog.Text(l, key));
    }
    for (const auto& phrase : phrases) {
      const std::string p = Trim(intents::Normalize(phrase));
      if (p.empty() || typed.find(" " + p + " ") == std::string::npos) continue;
      if (p.size() > best_len) {
        best = &option;
        best_len = p.size();
        tie = false;
      } else if (p.size() == best_len && best != &option) {
        tie = true;
      }
    }
  }
  return tie ? nullptr : best;
}

// "inglese, francese e tedesco" -> the three parts ("o" joins too: in a
// multiple choice "inglese o francese" means both).
std::vector<std::string> SplitList(std::string_view text) {
  std::string s = " " + intents::Fold(text) + " ";
  for (char& c : s) {
    if (c == ',' || c == ';' || c == '/' || c == '+' || c == '\n') c = '|';
  }
  for (std::string_view sep : {" e ", " ed ", " o ", " and ", " or ", " & "}) {
    for (size_t at = s.find(sep); at != std::string::npos;
         at = s.find(sep, at)) {
      s.replace(at, sep.size(), " | ");
    }
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t bar = s.find('|', start);
    std::string part = Trim(s.substr(
        start, bar == std::string::npos ? std::string::npos : bar - start));
    if (!part.empty()) parts.push_back(std::move(part));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return parts;
}

// A stored number ("2004"); nullopt for anything else, never a throw (the
// database may hold what an older questionnaire wrote).
std::optional<int> StoredNumber(std::string_view text) {
  const auto value = core::ParseInt(text, std::numeric_limits<int>::min(),
                                    std::numeric_limits<int>::max());
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

bool ValidName(std::string_view name) {
  int words = 0;
  bool in_word = false;
  for (unsigned char c : name) {
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (letter) {
      if (!in_word) ++words;
      in_word = true;
      continue;
    }
    if (c == ' ') {
      in_word = false;
      continue;
    }
    if (c != '\'' && c != '-' && c != '.') return false;
  }
  return words >= 1 && words <= 4;
}

}  // namespace

const Option* Question::FindOption(std::string_view option_id) const {
  for (const auto& o : options) {
    if (o.id == option_id) return &o;
  }
  return nullptr;
}
const Question* Questionnaire::Find(std::string_view id) const {
  for (const auto& q : questions_) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

bool Questionnaire::Holds(const Condition& c, const Answers& answers,
                          std::optional<int> age) const {
  if (c.age_min && (!age || *age < *c.age_min)) return false;
  if (c.age_max && (!age || *age > *c.age_max)) return false;
  if (!c.question.empty()) {
    auto it = answers.find(c.question);
    if (it == answers.end()) return false;
    bool found = false;
    for (const auto& v : SplitValue(it->second)) {
      found = found || std::find(c.in.begin(), c.in.end(), v) != c.in.end();
    }
    if (!found) return false;
  }
  if (!c.any.empty()) {
    return std::any_of(c.any.begin(), c.any.end(), [&](const Condition& sub) {
      return Holds(sub, answers, age);
    });
  }
  return true;
}

bool Questionnaire::Applies(const Question& q, const Answers& answers,
                            std::optional<int> age) const {
  return std::all_of(q.when.begin(), q.when.end(), [&](const Condition& c) {
    return Holds(c, answers, age);
  });
}

const Question* Questionnaire::NextOpen(const Answers& answers,
                                        std::optional<int> age) const {
  for (const auto& q : questions_) {
    if (!answers.count(q.id) && Applies(q, answers, age)) return &q;
  }
  return nullptr;
}

std::vector<std::string> Questionnaire::Stale(const Answers& answers,
                                              std::optional<int> age) const {
  // In order, forgetting as we go: a condition only looks at earlier answers.
  Answers kept = answers;
  std::vector<std::string> stale;
  for (const auto& q : questions_) {
    if (kept.count(q.id) && !Applies(q, kept, age)) {
      kept.erase(q.id);
      stale.push_back(q.id);
    }
  }
  return stale;
}

std::optional<int> Questionnaire::AgeOf(
    const Answers& answers, const std::optional<std::string>& age_band,
    int this_year) const {
  if (auto it = answers.find(gg_birth_year_); it != answers.end()) {
    if (auto year = StoredNumber(it->second)) return this_year - *year;
  }
  if (!age_band) return std::nullopt;
  if (*age_band == "14_15") return 14;
  if (*age_band == "16_29") return 16;
  if (*age_band == "30_39") return 30;
  if (*age_band == "40_plus") return 40;
  return std::nullopt;
}

Eligibility Questionnaire::GaranziaGiovani(const Answers& answers,
                                           int this_year) const {
  auto year = answers.find(gg_birth_year_);
  auto status = answers.find(gg_status_);
  const std::optional<int> born =
      year == answers.end() ? std::nullopt : StoredNumber(year->second);
  if (!born) return Eligibility::kUnknown;
  // Only the year is known: someone reaching gg_age_max_ + 1 this year may
  // not have had the birthday yet.
  const int age = this_year - *born;
  if (age < gg_age_min_) return Eligibility::kTooYoung;
  if (age > gg_age_max_ + 1) return Eligibility::kTooOld;
  if (status == answers.end() || status->second.empty())
    return Eligibility::kUnknown;
  if (std::find(gg_eligible_status_.begin(), gg_eligible_status_.end(),
                status->second) == gg_eligible_status_.end()) {
    return Eligibility::kInWorkOrEducation;
  }
  return age == gg_age_max_ + 1 ? Eligibility::kEligibleIfUnder30
                                : Eligibility::kEligible;
}

Parsed Questionnaire::ParseTyped(const Question& q, std::string_view text,
                                 const Catalog& catalog, std::string_view lang,
                                 int this_year) const {
  const std::string trimmed = Trim(text);
  if (trimmed.empty()) return {};
  switch (q.type) {
    case AnswerType::kText: {
      if (core::utf8::CodePoints(trimmed) > static_cast<size_t>(q.max_length))
        return {};
      if (q.format == "name" && !ValidName(trimmed)) return {};
      return {true, trimmed};
    }
    case AnswerType::kYear: {
      // The first run of exactly four digits.
      for (size_t i = 0; i < trimmed.size();) {
        size_t j = i;
        while (j < trimmed.size() && trimmed[j] >= '0' && trimmed[j] <= '9')
          ++j;
        if (j - i == 4) {
          const int year =
              static_cast<int>(*core::ParseInt(trimmed.substr(i, 4), 0, 9999));
          const int age = this_year - year;
          if (age < q.min_age || age > q.max_age) return {};
          return {true, std::to_string(year)};
        }
        i = j == i ? i + 1 : j;
      }
      return {};
    }
    case AnswerType::kChoice: {
      const Option* o = MatchOption(q, trimmed, catalog, lang);
      return o ? Parsed{true, o->id} : Parsed{};
    }
    case AnswerType::kMulti: {
      std::set<std::string> picked;
      for (const auto& part : SplitList(trimmed)) {
        const Option* o = MatchOption(q, part, catalog, lang);
        if (!o) return {};
        picked.insert(o->id);
      }
      std::string value;
      bool exclusive = false;
      for (const auto& o : q.options) {
        if (!picked.count(o.id)) continue;
        exclusive = exclusive || o.exclusive;
        value += (value.empty() ? "" : ",") + o.id;
      }
      if (value.empty() || (exclusive && picked.size() > 1)) return {};
      return {true, value};
    }
    case AnswerType::kComune:
      return {};
  }
  return {};
}

std::string Questionnaire::Display(const Question& q, std::string_view value,
                                   const Catalog& catalog,
                                   std::string_view lang) const {
  if (value.empty()) return catalog.Text(lang, "profile.skipped");
  if (q.type != AnswerType::kChoice && q.type != AnswerType::kMulti)
    return std::string(value);
  std::string out;
  for (const auto& id : SplitValue(value)) {
    const std::string key = OptionKey(q.id, id);
    out += (out.empty() ? "" : ", ") +
           (catalog.Has("it", key) ? catalog.Text(lang, key) : id);
  }
  return out;
}

std::string Questionnaire::QuestionKey(std::string_view id) {
  return "profile.q." + std::string(id);
}
std::string Questionnaire::LabelKey(std::string_view id) {
  return "profile.label." + std::string(id);
}
std::string Questionnaire::OptionKey(std::string_view question_id,
                                     std::string_view option_id) {
  return "profile.opt." + std::string(question_id) + "." +
         std::string(option_id);
}

}  // namespace sportello
