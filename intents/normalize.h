// Text normalisation for matching informal Italian and English chat.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::intents {

// Lowercase (Latin letters with diacritics too), accents folded ("è" -> "e"),
// invalid UTF-8 repaired. Words are kept as written: for gazetteers and dates.
std::string Fold(std::string_view text);

// Fold, then: repeated letters collapsed ("ciaooo" -> "ciao"), chat
// abbreviations expanded ("x" -> "per", "nn" -> "non", "cmq" -> "comunque"),
// emoji mapped to words where they carry meaning ("👍" -> "si"),
// punctuation turned to spaces and spaces collapsed. For rules and the model.
std::string Normalize(std::string_view text);

// Normalize()'s result with where its words and clauses start, for scoping
// negation: a clause ends at , ; . ! ? : and before "ma", "pero", "but".
struct NormalizedText {
  std::string text;                  // exactly Normalize(input)
  std::vector<uint32_t> word_begin;  // byte offset of each word in `text`
  std::vector<uint32_t> word_end;    // one past its last byte
  std::vector<bool> clause_start;    // per word: a clause starts here
  std::string folded;                // Fold(input): the words as written
};
NormalizedText NormalizeDetailed(std::string_view text);

}  // namespace sportello::intents
