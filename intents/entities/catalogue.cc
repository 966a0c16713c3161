#include "intents/entities/catalogue.h"

#include <algorithm>

namespace sportello::intents::entities {
namespace {

constexpr uint32_t kLetters = 26;

bool IsAlphabetic(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(),
                                   [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

Catalogue::Catalogue(size_t min_typo_word, uint8_t lexicon_bit)
    : phrases_(/*skip_connectors=*/true),
      min_typo_word_(std::max<size_t>(min_typo_word, 7)),
      lexicon_bit_(lexicon_bit),
      prefixes_(kLetters * kLetters * kLetters),
      suffixes_(kLetters * kLetters * kLetters * kLetters) {}

uint32_t Catalogue::Code(std::string_view letters) {
  uint32_t code = 0;
  for (const char c : letters) {
    code = code * kLetters + static_cast<uint32_t>(c - 'a');
  }
  return code;
}

std::optional<uint32_t> Catalogue::Typo(std::string_view word) const {
  const uint32_t prefix = Code(word.substr(0, 3));
  const uint32_t suffix = Code(word.substr(word.size() - 4));
  if (!prefixes_[prefix] && !suffixes_[suffix]) return std::nullopt;
  for (size_t length = word.size() - 1; length <= word.size() + 1; ++length) {
    for (const uint64_t key :
         {AffixKey(false, prefix, length), AffixKey(true, suffix, length)}) {
      const auto it = by_affix_.find(key);
      if (it == by_affix_.end()) continue;
      for (const uint32_t index : it->second) {
        // A changed letter mostly makes another word ("artista" is not
        // "autista", "salvatore" not "saldatore"); a missing, extra or
        // swapped one rarely does.
        if (EditDistance(word, targets_[index].word, 1,
                         /*substitution_cost=*/2) <= 1) {
          return targets_[index].value;
        }
      }
    }
  }
  return std::nullopt;
}

void Catalogue::Add(std::string_view value, std::string_view phrase) {
  std::string folded;
  for (const Token& token : Tokenize(phrase)) {
    if (!folded.empty()) folded.push_back(' ');
    folded.append(token.text);
  }
  if (folded.empty()) return;
  auto it = std::find(values_.begin(), values_.end(), value);
  if (it == values_.end()) {
    it = values_.insert(values_.end(), std::string(value));
  }
  // Only one-word phrases are typo targets: Find() looks at one word at a time.
  const auto value_index = static_cast<uint32_t>(it - values_.begin());
  const std::string key =
      phrases_.Add(folded, value_index, /*typo_target=*/false);
  if (key == folded && folded.size() >= min_typo_word_ &&
      IsAlphabetic(folded)) {
    const auto index = static_cast<uint32_t>(targets_.size());
    targets_.push_back({folded, value_index});
    const uint32_t prefix = Code(std::string_view(folded).substr(0, 3));
    const uint32_t suffix =
        Code(std::string_view(folded).substr(folded.size() - 4));
    prefixes_[prefix] = true;
    suffixes_[suffix] = true;
    by_affix_[AffixKey(false, prefix, folded.size())].push_back(index);
    by_affix_[AffixKey(true, suffix, folded.size())].push_back(index);
  }
  phrases_added_.push_back(std::move(folded));
}

std::optional<std::string_view> Catalogue::Find(
    const std::vector<Token>& tokens,
    const std::function<bool(const Token&)>& is_other_word) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if ((tokens[i].lexicon & lexicon_bit_) == 0) continue;
    const auto match = phrases_.LongestAt(tokens, i);
    if (!match) continue;
    const std::string& value = values_[match->value];
    if (!value.empty()) return value;
    i = match->end - 1;  // a phrase that names nothing: skip its words
  }
  for (const Token& token : tokens) {
    const std::string& word = token.text;
    if (word.size() < min_typo_word_ || !IsAlphabetic(word)) continue;
    const auto value = Typo(word);
    if (value && !values_[*value].empty() && !is_other_word(token)) {
      return values_[*value];
    }
  }
  return std::nullopt;
}

std::vector<std::string> Catalogue::Words() const {
  std::vector<std::string> words;
  for (const std::string& phrase : phrases_added_) {
    size_t pos = 0;
    while (pos <= phrase.size()) {
      size_t end = phrase.find(' ', pos);
      if (end == std::string::npos) end = phrase.size();
      if (end > pos) words.emplace_back(phrase.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace sportello::intents::entities
