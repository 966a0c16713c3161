// UTF-8 decoding that never fails: invalid input is repaired, not rejected.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sportello::intents {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at `text[*pos]` and advances `*pos`. Overlong forms,
// surrogates, values past U+10FFFF and truncated sequences give U+FFFD and
// advance one byte, so every byte of the input is consumed exactly once.
// REQUIRES: *pos < text.size().
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// Appends `cp` encoded as UTF-8.
void AppendUtf8(char32_t cp, std::string* out);

// `text` with every invalid sequence replaced by U+FFFD.
std::string RepairUtf8(std::string_view text);

}  // namespace sportello::intents
