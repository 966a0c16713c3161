// The profiling questionnaire as data (bot/domain/data/profile.json): its
// questions in order, each with an answer type, validation, options (the
// buttons) and conditions; and the pure rules over a person's answers: which
// questions apply, what a typed answer means, Garanzia Giovani eligibility.
// Immutable once loaded; the profile flow reads it.
//
//   auto q = Questionnaire::LoadEmbedded();   // or Parse(json_text)
//   if (!q.ok()) ...;                         // says which question is wrong
//   if (auto s = q->CheckTexts(catalog); !s.ok()) ...;  // a text is missing
//   const Question* next = q->NextOpen(answers, age);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/catalog.h"

namespace sportello {

enum class AnswerType { kChoice, kMulti, kText, kYear, kComune };

struct Option {
  std::string id;                  // [a-z0-9_]+, stored as the answer
  std::vector<std::string> match;  // more words a typed answer may use
  bool exclusive = false;          // multi: stands alone ("nessuna")
};

// Holds when every part that is set holds.
struct Condition {
  std::optional<int> age_min;
  std::optional<int> age_max;
  std::string question;  // with `in`: that answer is one of them (multi: any)
  std::vector<std::string> in;
  std::vector<Condition> any;  // at least one of them holds
};

struct Question {
  std::string id;  // [a-z0-9_]+
  AnswerType type = AnswerType::kText;
  bool optional = false;        // offers "Salta"
  std::vector<Option> options;  // kChoice, kMulti
  std::vector<Condition> when;  // all hold, else the question is not asked
  std::string format;           // kText: "" or "name" (letters, up to 4 words)
  int max_length = 200;         // kText, in characters
  int min_age = 14;             // kYear: the birth year gives an age in range
  int max_age = 99;
  std::string entity;  // kText: "role" -> the engine's role entity answers it

  const Option* FindOption(std::string_view option_id) const;
};

// Answers as stored (storage::Profile::answers): question id -> value.
using Answers = std::map<std::string, std::string>;

// What a typed answer means for one question.
struct Parsed {
  bool ok = false;
  std::string value;  // the value to store when ok
};

enum class Eligibility {
  kEligible,
  kEligibleIfUnder30,  // turns 30 this year: eligible until the birthday
  kTooYoung,
  kTooOld,
  kInWorkOrEducation,
  kUnknown,  // age or status not answered
};

class Questionnaire {
 public:
  // InvalidArgument naming the question and the field for anything the flow
  // could not use: unknown type or key, duplicate ids, a condition on a later
  // or unknown question or option, too many options for a phone's list.
  static core::Result<Questionnaire> Parse(std::string_view json_text);
  // bot/domain/data/profile.json as compiled into the binary.
  static core::Result<Questionnaire> LoadEmbedded();

  // Every text the questionnaire needs exists in Italian and English, and
  // button titles fit WhatsApp (<= 20 characters). NotFound names the key.
  core::Status CheckTexts(const Catalog& catalog) const;

  const std::vector<Question>& questions() const { return questions_; }
  const Question* Find(std::string_view id) const;

  // `age`: the person's age this year (AgeOf), nullopt when unknown: age
  // conditions then do not hold.
  bool Applies(const Question& q, const Answers& answers,
               std::optional<int> age) const;
  // The first question that applies and has no answer; nullptr when done.
  const Question* NextOpen(const Answers& answers,
                           std::optional<int> age) const;
  // Answered questions whose conditions no longer hold (after an edit), in
  // order: their answers should go.
  std::vector<std::string> Stale(const Answers& answers,
                                 std::optional<int> age) const;

  // Age reached this year from the birth-year answer, else the lower bound
  // of the age band ("40_plus" -> 40).
  std::optional<int> AgeOf(const Answers& answers,
                           const std::optional<std::string>& age_band,
                           int this_year) const;
  Eligibility GaranziaGiovani(const Answers& answers, int this_year) const;

  // A typed answer to `q`. kComune is never parsed here (the engine's city
  // entity answers it); kMulti splits on commas and "e"/"and" and reads
  // option numbers (1-based) too. `lang` picks the titles to match first.
  Parsed ParseTyped(const Question& q, std::string_view text,
                    const Catalog& catalog, std::string_view lang,
                    int this_year) const;
  // How a stored value reads in a summary ("Diploma", "Inglese, Francese").
  std::string Display(const Question& q, std::string_view value,
                      const Catalog& catalog, std::string_view lang) const;

  // Catalogue keys.
  static std::string QuestionKey(std::string_view question_id);
  static std::string LabelKey(std::string_view question_id);
  static std::string OptionKey(std::string_view question_id,
                               std::string_view option_id);

 private:
  bool Holds(const Condition& c, const Answers& answers,
             std::optional<int> age) const;

  std::vector<Question> questions_;
  // Garanzia Giovani: which answers say the age and the status.
  std::string gg_birth_year_;
  std::string gg_status_;
  int gg_age_min_ = 15;
  int gg_age_max_ = 29;
  std::vector<std::string> gg_eligible_status_;
};

}  // namespace sportello
