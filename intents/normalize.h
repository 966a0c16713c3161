// Text normalisation for matching informal Italian and English chat.
#pragma once

#include <string>
#include <string_view>

namespace sportello::intents {

// Lowercase (Latin letters with diacritics too), accents folded ("è" -> "e"),
// invalid UTF-8 repaired. Words are kept as written: for gazetteers and dates.
std::string Fold(std::string_view text);

// Fold, then: repeated letters collapsed ("ciaooo" -> "ciao"), chat
// abbreviations expanded ("x" -> "per", "nn" -> "non", "cmq" -> "comunque"),
// emoji mapped to words where they carry meaning ("👍" -> "si"),
// punctuation turned to spaces and spaces collapsed. For rules and the model.
std::string Normalize(std::string_view text);

}  // namespace sportello::intents
