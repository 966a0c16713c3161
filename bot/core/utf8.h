// UTF-8 text helpers for fitting texts into channel limits. Internal to
// channels. Invalid bytes never crash these functions: each one counts as one
// character and is never split from nothing, so output stays as valid as input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::channels::utf8 {

// Length of the sequence starting at s[i] (1 for an invalid or truncated one).
size_t SequenceLength(std::string_view s, size_t i);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValid(std::string_view s);

// How Telegram counts: UTF-16 code units (a code point above U+FFFF counts 2).
// We count every channel's limits this way: it is never below the number of
// code points, so a text that fits in UTF-16 units fits everywhere.
size_t Units(std::string_view s);

// The longest prefix of `s` of at most `max_units` units; never cuts inside a
// sequence. Returns its length in bytes.
size_t PrefixWithinUnits(std::string_view s, size_t max_units);

// The longest prefix of at most `max_bytes` bytes that doesn't cut a sequence.
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

// `s` cut to `max_bytes` at a character boundary, with ASCII control
// characters replaced by '?': safe to put in a one-line log or reason.
std::string ForLog(std::string_view s, size_t max_bytes = 80);

}  // namespace sportello::channels::utf8
