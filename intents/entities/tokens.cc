#include "intents/entities/tokens.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "bot/core/numbers.h"
#include "bot/core/utf8.h"
#include "intents/normalize.h"

namespace sportello::intents::entities {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

// Latin letters with diacritics, and combining accents of decomposed text
// (Fold() drops those).
bool IsWordCodePoint(char32_t cp) {
  return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
         (cp >= 0x300 && cp <= 0x36F);
}

bool IsUpperCodePoint(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

bool EndsSentence(char c) {
  return c == '.' || c == '!' || c == '?' || c == '\n';
}

int ParseNumber(std::string_view word) {
  if (word.size() > 4) return -1;
  return static_cast<int>(core::ParseInt(word, 0, 9999).value_or(-1));
}

}  // namespace

std::vector<Token> Tokenize(std::string_view text, size_t max_words) {
  std::vector<Token> tokens;
  TokenizeInto(text, &tokens, max_words);
  return tokens;
}

void TokenizeInto(std::string_view text, std::vector<Token>* out,
                  size_t max_words) {
  // Words so far; (*out)[count...] are spare, to be reused or dropped.
  size_t count = 0;
  int upper = 0;  // ASCII capitals and small letters in words, to tell
  int lower = 0;  // "CERCO LAVORO A BARI", where capitals say nothing
  size_t pos = 0;
  size_t gap_start = 0;
  bool sentence_start = true;
  while (pos < text.size() && count < max_words) {
    // Find the start of the next word, noting what the gap says.
    const size_t word_start = pos;
    char32_t first = 0;
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      ++pos;
      if (!IsAsciiAlnum(static_cast<char>(byte))) {
        if (EndsSentence(static_cast<char>(byte))) sentence_start = true;
        continue;
      }
      first = byte;
    } else {
      first = core::utf8::Decode(text, &pos);
      if (!IsWordCodePoint(first) || (first >= 0x300 && first <= 0x36F)) {
        continue;
      }
    }
    // Extend the word.
    bool ascii = first < 0x80;
    while (pos < text.size()) {
      const auto c = static_cast<unsigned char>(text[pos]);
      if (c < 0x80) {
        if (!IsAsciiAlnum(static_cast<char>(c))) break;
        ++pos;
        continue;
      }
      size_t next = pos;
      if (!IsWordCodePoint(core::utf8::Decode(text, &next))) break;
      ascii = false;
      pos = next;
    }
    if (count == out->size()) out->emplace_back();
    Token& token = (*out)[count++];
    token.glue = ' ';
    const std::string_view word = text.substr(word_start, pos - word_start);
    token.lexicon = kAnyEntity;
    if (ascii) {
      token.text.assign(word);
      for (char& c : token.text) {
        if (c >= 'A' && c <= 'Z') {
          c = static_cast<char>(c - 'A' + 'a');
          ++upper;
        } else if (c >= 'a' && c <= 'z') {
          ++lower;
        }
      }
    } else {
      token.text = Fold(word);
    }
    token.hash = WordHash(token.text);
    token.number = ParseNumber(token.text);
    if (count > 1 && word_start == gap_start + 1 && text[gap_start] != ' ') {
      token.glue = text[gap_start];
    }
    token.capitalised = IsUpperCodePoint(first);
    token.sentence_start = sentence_start;
    sentence_start = false;
    gap_start = pos;
  }
  out->resize(count);
  if (upper >= 4 && upper > lower) {
    for (Token& token : *out) token.capitalised = false;
  }
}

namespace {

// EditDistance() for max == 1 in linear time: the common case.
int WithinOne(std::string_view a, std::string_view b, bool substitutions) {
  if (a.size() < b.size()) std::swap(a, b);  // a is the longer
  size_t i = 0;
  while (i < b.size() && a[i] == b[i]) ++i;
  if (i == b.size()) {
    return a.size() == b.size() ? 0 : (a.size() == b.size() + 1 ? 1 : 2);
  }
  if (a.size() == b.size() + 1) {
    return a.substr(i + 1) == b.substr(i) ? 1 : 2;  // one extra letter
  }
  if (a.size() != b.size()) return 2;
  if (i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
      a.substr(i + 2) == b.substr(i + 2)) {
    return 1;  // two letters swapped
  }
  return substitutions && a.substr(i + 1) == b.substr(i + 1) ? 1 : 2;
}

}  // namespace

int EditDistance(std::string_view a, std::string_view b, int max,
                 int substitution_cost) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > max) return max + 1;
  if (max <= 1) {
    return max == 1 ? WithinOne(a, b, substitution_cost == 1)
                    : (a == b ? 0 : 1);
  }
  constexpr int kMaxLen = 48;
  if (n > kMaxLen || m > kMaxLen) return a == b ? 0 : max + 1;
  // Three rolling rows of the dynamic programme.
  std::array<std::array<int, kMaxLen + 1>, 3> rows;
  int* before = rows[0].data();
  int* prev = rows[1].data();
  int* cur = rows[2].data();
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : substitution_cost;
      int d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d = std::min(d, before[j - 2] + 1);
      }
      cur[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > max) return max + 1;
    int* const spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  return std::min(prev[m], max + 1);
}

uint32_t LetterMask(std::string_view word) {
  uint32_t mask = 0;
  for (const char c : word) {
    if (c >= 'a' && c <= 'z') mask |= 1u << (c - 'a');
  }
  return mask;
}

int BitCount(uint32_t bits) {
  // SWAR count: no popcnt instruction is assumed of the target machine.
  bits = bits - ((bits >> 1) & 0x55555555u);
  bits = (bits & 0x33333333u) + ((bits >> 2) & 0x33333333u);
  return static_cast<int>(
      (((bits + (bits >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24);
}

bool IsConnector(std::string_view w) {
  static constexpr std::array<std::string_view, 27> kConnectors = {
      "a",  "ad",  "al",    "alla",  "alle",  "allo", "ai",    "agli",  "all",
      "di", "d",   "del",   "della", "dello", "dei",  "degli", "delle", "dell",
      "in", "nel", "nella", "per",   "da",    "l",    "of",    "the",   "for"};
  return std::find(kConnectors.begin(), kConnectors.end(), w) !=
         kConnectors.end();
}

}  // namespace sportello::intents::entities
