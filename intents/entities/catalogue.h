// A closed list of values and the phrases that name them: job roles
// ("cameriera" -> cameriere), contract kinds ("part-time" -> part_time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "intents/entities/phrase_index.h"
#include "intents/entities/tokens.h"

namespace sportello::intents::entities {

class Catalogue {
 public:
  // Typos are forgiven in words and phrases of `min_typo_word` letters or
  // more (at least 7: see Typo()). `lexicon_bit` is this catalogue's
  // Token::lexicon bit (kStartsRole...).
  Catalogue(size_t min_typo_word, uint8_t lexicon_bit);

  // `phrase` (any case and accents, words separated by spaces, apostrophes or
  // hyphens) names `value`. An empty `value` makes a phrase that names
  // nothing but hides the shorter ones inside it ("real estate" hides
  // "estate"). The first value given for a phrase wins.
  void Add(std::string_view value, std::string_view phrase);

  // The value named first in `tokens`, preferring the longest phrase at a
  // position. When no phrase is written exactly, a long enough word with one
  // letter missing, extra or swapped from a long enough one-word phrase counts
  // ("magaziniere", "camerire"), unless `is_other_word` says the word means
  // something else.
  std::optional<std::string_view> Find(
      const std::vector<Token>& tokens,
      const std::function<bool(const Token&)>& is_other_word) const;

  // Every word of every phrase (folded): what a typo in another entity must
  // not be taken for.
  std::vector<std::string> Words() const;
  uint8_t lexicon_bit() const { return lexicon_bit_; }
  // Calls `fn` with each word that starts a phrase (Token::lexicon).
  template <typename Fn>
  void ForEachFirstWord(Fn&& fn) const {
    phrases_.ForEachFirstWord(fn);
  }

 private:
  // One edit leaves either the first three or the last four letters of a
  // word of seven or more intact, so typo targets are filed by those (and
  // their length): a word is compared only with the few that share one.
  // Bit sets over letter triples and quadruples skip most words at once.
  static uint32_t Code(std::string_view letters);
  static uint64_t AffixKey(bool suffix, uint32_t code, size_t length) {
    return (suffix ? 1ull << 63 : 0) | static_cast<uint64_t>(code) << 8 |
           (length & 0xFF);
  }
  std::optional<uint32_t> Typo(std::string_view word) const;

  struct Target {
    std::string word;
    uint32_t value;
  };

  PhraseIndex phrases_;
  size_t min_typo_word_;
  uint8_t lexicon_bit_;
  std::vector<std::string> values_;         // by PhraseMatch::value
  std::vector<std::string> phrases_added_;  // folded, for Words()
  // One-word phrases of min_typo_word_ letters or more, and by AffixKey.
  std::vector<Target> targets_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_affix_;
  std::vector<bool> prefixes_;  // Code(first 3 letters) of targets
  std::vector<bool> suffixes_;  // Code(last 4 letters) of targets
};

}  // namespace sportello::intents::entities
