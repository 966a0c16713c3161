// Fold(): case and accent folding over the scripts our users write in.
#include <string>
#include <string_view>

#include "bot/core/utf8.h"
#include "intents/normalize.h"

namespace sportello::intents {
namespace {

// Base letters of U+00C0..U+00FF and U+0100..U+017F. Upper-case letters here
// stand for two-letter folds ('A' -> "ae", 'T' -> "th", 'S' -> "ss",
// 'J' -> "ij", 'O' -> "oe"); '#' keeps the character (the signs x and /).
constexpr std::string_view kLatin1 =
    "aaaaaaAceeeeiiiidnooooo#ouuuuyTSaaaaaaAceeeeiiiidnooooo#ouuuuyTy";
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiJJjjkkkllllllllllnnnnnnn"
    "nn"
    "ooooooOOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatin1.size() == 0x40);
static_assert(kLatinExtA.size() == 0x80);

void AppendFoldedLetter(char c, std::string* out) {
  switch (c) {
    case 'A':
      out->append("ae");
      break;
    case 'T':
      out->append("th");
      break;
    case 'S':
      out->append("ss");
      break;
    case 'J':
      out->append("ij");
      break;
    case 'O':
      out->append("oe");
      break;
    default:
      out->push_back(c);
  }
}

bool IsSpaceLike(char32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0x2028 || cp == 0x2029;
}

bool IsInvisible(char32_t cp) {
  return (cp >= 0x0300 &&
          cp <= 0x036F) ||  // combining accents of decomposed text
         cp == 0x200B ||
         cp == 0x2060 || cp == 0xFEFF || cp == 0xAD;
}

}  // namespace

std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (static_cast<unsigned char>(c) < 0x80) {  // the common case, kept fast
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                         : c);
      ++pos;
      continue;
    }
    const char32_t cp = core::utf8::Decode(text, &pos);
    if (cp >= 0xC0 && cp < 0x100 && kLatin1[cp - 0xC0] != '#') {
      AppendFoldedLetter(kLatin1[cp - 0xC0], &out);
    } else if (cp >= 0x100 && cp < 0x180) {
      AppendFoldedLetter(kLatinExtA[cp - 0x100], &out);
    } else if (cp == 0x218 || cp == 0x219) {  // Romanian s and t with comma
      out.push_back('s');
    } else if (cp == 0x21A || cp == 0x21B) {
      out.push_back('t');
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032 ||
               cp == 0x02BC) {
      out.push_back('\'');  // typographic apostrophes: "Sant’Agata", "c’è"
    } else if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB ||
               cp == 0xBB) {
      out.push_back('"');
    } else if (cp >= 0x2010 && cp <= 0x2015) {
      out.push_back('-');
    } else if (cp == 0x2026) {
      out.append("...");
    } else if (IsSpaceLike(cp)) {
      out.push_back(' ');
    } else if (IsInvisible(cp)) {
      // dropped
    } else if (cp >= 0xFF01 && cp <= 0xFF5E) {  // full-width ASCII
      const char a = static_cast<char>(cp - 0xFF01 + 0x21);
      out.push_back(a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a')
                                         : a);
    } else if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F)) {
      core::utf8::Append(cp + 0x20, &out);  // Greek and Cyrillic capitals
    } else if (cp >= 0x400 && cp <= 0x40F) {
      core::utf8::Append(cp + 0x50, &out);
    } else {
      // Emoji and other scripts pass through, repaired.
      core::utf8::Append(cp, &out);
    }
  }
  return out;
}

}  // namespace sportello::intents
