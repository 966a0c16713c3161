// The project's one UTF-8 helper: decoding, validating, counting and cutting
// text. Everything here works on bytes as received, valid or not, and never
// crashes on bad input:
// - an invalid byte (a stray continuation byte, 0xF5-0xFF, the start of an
//   overlong form, a surrogate, a value past U+10FFFF or a truncated
//   sequence) is one character of its own, one byte long;
// - nothing here cuts inside a valid sequence, so output is as valid as input.
//
//   utf8::Units("caff\xC3\xA8")             // 5, as Telegram counts
//   utf8::Truncate(long_text, 64)           // at most 64 units, ends in "…"
//   for (size_t i = 0; i < s.size();) {     // code point by code point
//     const char32_t cp = utf8::Decode(s, &i);  // U+FFFD for a bad byte
//   }
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::core::utf8 {

// U+FFFD, what Decode returns and Repair writes for an invalid byte.
inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decoding and encoding.

// Decodes the code point at `text[*pos]` and advances `*pos` past it. An
// invalid byte gives U+FFFD and advances one byte, so every byte of the input
// is consumed exactly once. REQUIRES: *pos < text.size().
char32_t Decode(std::string_view text, size_t* pos);

// Length in bytes of the sequence starting at s[i]: 1 for an invalid byte.
// The same step Decode takes. REQUIRES: i < s.size().
size_t SequenceLength(std::string_view s, size_t i);

// Appends `cp` encoded as UTF-8. REQUIRES: cp <= U+10FFFF and not a surrogate
// (anything Decode returns qualifies).
void Append(char32_t cp, std::string* out);

// `text` with every invalid byte replaced by U+FFFD (a valid U+FFFD already
// there is kept as is): for output that must be valid, such as JSON.
std::string Repair(std::string_view text);

// Checking and counting.

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValid(std::string_view s);

// Characters in `s`: its code points, each invalid byte counting one. For
// limits stated in characters ("at most 24 characters").
size_t CodePoints(std::string_view s);

// How Telegram counts: UTF-16 code units (a code point above U+FFFF counts 2,
// an invalid byte 1). We count every channel's limits this way: it is never
// below the number of code points, so a text that fits in UTF-16 units fits
// everywhere.
size_t Units(std::string_view s);

// Cutting. None cuts inside a valid sequence.

// The longest prefix of `s` of at most `max_units` units. Returns its length
// in bytes.
size_t PrefixWithinUnits(std::string_view s, size_t max_units);

// The longest prefix of at most `max_bytes` bytes. Returns its length.
size_t PrefixWithinBytes(std::string_view s, size_t max_bytes);

// `s` if it fits in `max_units`, else its start (trailing spaces dropped) +
// "…". REQUIRES: max_units >= 1.
std::string Truncate(std::string_view s, size_t max_units);

// Splits `text` into parts of at most `max_units` units each, cutting at a
// paragraph break, else a line break, else a space, else between characters.
// Whitespace at each cut is dropped; empty parts are not returned.
std::vector<std::string> Split(std::string_view text, size_t max_units);

// Splits `text` into a head and a tail of at most `max_units` units, the tail
// starting at the first paragraph break that leaves it short enough, else the
// first line break, else a space, else between characters. The head is empty
// when the whole text fits.
struct HeadTail {
  std::string head;
  std::string tail;
};
HeadTail SplitTail(std::string_view text, size_t max_units);

// `s` cut to `max_bytes`, with ASCII control characters replaced by '?' and
// "…" added when cut: safe to put in a one-line log or reason. Invalid bytes
// are kept as they are.
std::string ForLog(std::string_view s, size_t max_bytes = 80);

}  // namespace sportello::core::utf8
