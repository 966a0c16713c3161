// Words of a message as the entity finders see them: folded for matching, with
// what the original spelling said (capital letter, sentence start) and the
// character that glued a word to the previous one ("3/12", "3-12").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sportello::intents::entities {

// FNV-1a of a folded word: computed once per token (Token::hash) and shared
// by every word table below.
inline uint64_t WordHash(std::string_view word) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : word) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return h;
}

// Token::lexicon bits: which entity finders may start a match at a word.
inline constexpr uint8_t kStartsCity = 1;
inline constexpr uint8_t kStartsRole = 2;
inline constexpr uint8_t kStartsContract = 4;
inline constexpr uint8_t kDateWord = 8;
// "a", "in", "vicino": a place may follow.
inline constexpr uint8_t kPlaceCue = 16;
// Not looked up (the finders used on their own): every finder checks.
inline constexpr uint8_t kAnyEntity = 0xFF;

struct Token {
  std::string text;   // folded: "Molfetta" -> "molfetta", "lunedì" -> "lunedi"
  uint64_t hash = 0;  // WordHash(text)
  // Which finders may start a match here; set by the extractor from one
  // lookup per word.
  uint8_t lexicon = kAnyEntity;
  int number = -1;  // value of an all-digit word of 1-4 digits, else -1
  char glue = ' ';  // the one non-space character between this word and the
                    // previous one ('/', '-', '.', ':'...), ' ' otherwise
  bool capitalised = false;     // written with a capital initial, in a message
                                // that is not all capitals
  bool sentence_start = false;  // first word of the message or of a sentence
};

// A word with its hash, to look it up without hashing it again.
struct WordKey {
  std::string_view text;
  uint64_t hash;
};
inline WordKey KeyOf(const Token& token) { return {token.text, token.hash}; }

// Transparent hashing for tables of words: look up a std::string,
// std::string_view or WordKey.
struct WordHasher {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return WordHash(s); }
  size_t operator()(const WordKey& k) const { return k.hash; }
};
struct WordEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return a == b;
  }
  bool operator()(const WordKey& a, std::string_view b) const {
    return a.text == b;
  }
  bool operator()(std::string_view a, const WordKey& b) const {
    return a == b.text;
  }
};
template <typename V>
using WordMap = std::unordered_map<std::string, V, WordHasher, WordEqual>;
using WordSet = std::unordered_set<std::string, WordHasher, WordEqual>;

// Splits `text` (UTF-8, possibly invalid) into words: runs of ASCII letters and
// digits and Latin letters with diacritics. Apostrophes, hyphens, punctuation
// and emoji separate words ("nell'Emilia" -> "nell", "emilia"). At most
// `max_words` words are kept: entities sit early in a chat message.
std::vector<Token> Tokenize(std::string_view text, size_t max_words = 256);
// The same into `*tokens`, reusing its words' storage: no allocation once
// warm, for the per-message path.
void TokenizeInto(std::string_view text, std::vector<Token>* tokens,
                  size_t max_words = 256);

// Optimal string alignment distance (Levenshtein plus adjacent
// transpositions) between `a` and `b`, or `max + 1` as soon as it is known to
// exceed `max`. A substitution costs `substitution_cost` (2: only insertions,
// deletions and swaps count as one). Bytes are compared: callers pass folded
// ASCII words.
int EditDistance(std::string_view a, std::string_view b, int max,
                 int substitution_cost = 1);

// Bit i set when letter 'a' + i occurs in `word`: a cheap filter before
// EditDistance (one edit changes at most two bits).
uint32_t LetterMask(std::string_view word);
int BitCount(uint32_t bits);

// Words that tie the parts of a phrase ("addetto alle pulizie", "aiuto in
// cucina"): phrase indexes skip them so "addetto pulizie" matches too.
bool IsConnector(std::string_view word);

}  // namespace sportello::intents::entities
