// Intent rules: staff-editable pattern files (intents/data/rules.*.txt; the
// format is documented at the top of each file), compiled once into one
// RE2::Set that matches all rules in a single pass over the normalised text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "intents/normalize.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace sportello::intents {

struct Rule {
  int intent = 0;  // index into kIntentLabels
  int priority =
      0;  // 1..99: between intents whose rules match, the highest wins
  std::string pattern;  // RE2 syntax, {NAME} definitions expanded
  std::string where;    // "rules.it.txt:42", for error messages and tests
  std::vector<std::string> examples;  // "+ ..." lines: messages it must match
  std::vector<std::string>
      counterexamples;  // "- ..." lines: messages it must not match
};

struct RuleSource {
  std::string name;  // shown in errors: "rules.it.txt"
  std::string text;
};

class RuleSet {
 public:
  // Parses and compiles the rules; InvalidArgument names file:line and says
  // what is wrong (unknown intent, bad priority, bad pattern, unknown {NAME}).
  static core::Result<std::unique_ptr<RuleSet>> Compile(
      const std::vector<RuleSource>& sources);
  // Every rules.*.txt in `dir`, in name order. NotFound if there is none.
  static core::Result<std::unique_ptr<RuleSet>> LoadDir(const std::string& dir);

  class Matcher;  // the RE2::Set, hidden from includers
  RuleSet(std::vector<Rule> rules,
          std::unique_ptr<Matcher> matcher);  // use Compile()
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  const std::vector<Rule>& rules() const { return rules_; }

  // Indexes of the rules whose pattern matches `normalized` (Normalize()'s
  // output), in no particular order. Thread-safe.
  std::vector<int> Match(std::string_view normalized) const;

  // The rules that apply to a message once negation is taken into account: a
  // rule that matches with or without the negation word ("non", "not", "mai",
  // ...), but not once the negated words are removed, spoke about something
  // the user negated ("non cerco lavoro") and is dropped; a rule that needs
  // the negation word ("non voglio piu le notifiche") is kept. Negation reaches
  // to the end of its clause, five words at most; "non so", "non ho capito"
  // and the like negate nothing ("non so dove siete"). Thread-safe.
  std::vector<int> Apply(const NormalizedText& text) const;

 private:
  std::vector<Rule> rules_;
  std::unique_ptr<Matcher> matcher_;
};

}  // namespace sportello::intents
