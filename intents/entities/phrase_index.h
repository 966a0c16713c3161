// Exact and approximate lookup of multi-word phrases ("reggio nell emilia",
// "addetto pulizie", "tempo pieno") in a tokenized message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "intents/entities/tokens.h"

namespace sportello::intents::entities {

struct PhraseMatch {
  uint32_t value = 0;  // what Add() stored for the phrase
  size_t begin = 0;    // first token of the match
  size_t end = 0;      // one past the last token
  int distance = 0;    // edits between the message and the phrase (0 or 1)
};

// How far Near() may look: one edit, in phrases and queries long enough.
struct TypoLimits {
  size_t min_length = 5;      // letters of both the phrase and the query
  bool substitutions = true;  // false: only missing, extra or swapped letters
};

class PhraseIndex {
 public:
  // `skip_connectors`: connector words (IsConnector) inside a phrase are
  // ignored on both sides, so "addetto alle pulizie" matches "addetto pulizie".
  explicit PhraseIndex(bool skip_connectors)
      : skip_connectors_(skip_connectors) {}

  // Adds `phrase` (folded words separated by spaces) for `value`. The first
  // value added for a phrase wins. `typo_target`: Near() may return it.
  // Returns the normalised key, "" if the phrase has no words.
  std::string Add(std::string_view phrase, uint32_t value,
                  bool typo_target = true);

  // The longest phrase starting exactly at tokens[begin].
  std::optional<PhraseMatch> LongestAt(const std::vector<Token>& tokens,
                                       size_t begin) const;

  // Phrases of `words` words one edit (within `limits`) from tokens[begin,
  // begin + words) joined by spaces. Only phrases that share the query's
  // first two letters are considered: typos there are rare, and the buckets
  // keep this fast.
  std::vector<PhraseMatch> Near(const std::vector<Token>& tokens, size_t begin,
                                size_t words, const TypoLimits& limits) const;

  // Calls `fn` with each word that starts a phrase.
  template <typename Fn>
  void ForEachFirstWord(Fn&& fn) const {
    for (const auto& [word, words] : max_words_) fn(word);
  }

  // The value of exactly `key` (folded words separated by spaces).
  std::optional<uint32_t> Find(std::string_view key) const {
    const auto it = keys_.find(key);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }

  // Whether some phrase starts with `word`.
  bool StartsPhrase(const Token& word) const {
    return max_words_.find(KeyOf(word)) != max_words_.end();
  }

  bool Contains(std::string_view key) const {
    return keys_.find(key) != keys_.end();
  }
  bool Contains(const Token& word) const {
    return keys_.find(KeyOf(word)) != keys_.end();
  }
  size_t size() const { return keys_.size(); }

 private:
  struct Entry {  // for Near()
    std::string key;
    uint32_t value;
    uint32_t mask;  // LetterMask(key)
    uint8_t words;  // how many words the key has
  };
  // Bucket keys: two leading letters and the length.
  static uint32_t BucketId(char a, char b, size_t length) {
    return static_cast<uint32_t>(static_cast<unsigned char>(a)) << 24 |
           static_cast<uint32_t>(static_cast<unsigned char>(b)) << 16 |
           static_cast<uint32_t>(std::min<size_t>(length, 0xFFFF));
  }
  void Consider(const Entry& entry, std::string_view query, uint32_t query_mask,
                size_t words, const TypoLimits& limits,
                std::vector<PhraseMatch>* found) const;

  bool skip_connectors_;
  WordMap<uint32_t> keys_;  // phrase -> value
  // First word -> the most words of a phrase starting with it.
  WordMap<uint8_t> max_words_;
  std::vector<Entry> entries_;
  // Indexes into entries_ by (first two letters, length).
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_first_two_;
};

}  // namespace sportello::intents::entities
