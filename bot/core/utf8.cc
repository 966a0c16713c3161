#include "bot/core/utf8.h"

namespace sportello::channels::utf8 {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026 "…", one unit

bool InRange(std::string_view s, size_t i, unsigned char lo, unsigned char hi) {
  if (i >= s.size()) return false;
  const auto c = static_cast<unsigned char>(s[i]);
  return c >= lo && c <= hi;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

// Where to cut `text`, whose first `fits` bytes fit, so the part before the
// cut is as long as possible while ending at a natural boundary: a paragraph
// break, else a line break (either in the second half of what fits), else a
// space, else between characters. Never 0 when fits > 0.
size_t BestCut(std::string_view text, size_t fits) {
  const std::string_view window = text.substr(0, fits);
  const size_t half = fits / 2;
  if (size_t p = window.rfind("\n\n");
      p != std::string_view::npos && p >= half && p > 0)
    return p;
  if (size_t p = window.rfind('\n');
      p != std::string_view::npos && p >= half && p > 0)
    return p;
  if (fits < text.size() && IsSpace(text[fits]))
    return fits;  // a break right after it
  if (size_t p = window.rfind(' '); p != std::string_view::npos && p > 0)
    return p;
  return fits;
}

}  // namespace

size_t SequenceLength(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return InRange(s, i + 1, 0x80, 0xBF) ? 2 : 1;
  if (b >= 0xE0 && b <= 0xEF) {
    const unsigned char lo = b == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b == 0xED ? 0x9F : 0xBF;  // no surrogates
    return InRange(s, i + 1, lo, hi) && InRange(s, i + 2, 0x80, 0xBF) ? 3 : 1;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const unsigned char lo = b == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    return InRange(s, i + 1, lo, hi) && InRange(s, i + 2, 0x80, 0xBF) &&
                   InRange(s, i + 3, 0x80, 0xBF)
               ? 4
               : 1;
  }
  return 1;
}

bool IsValid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) return false;
    i += n;
  }
  return true;
}

size_t Units(std::string_view s) {
  size_t units = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

size_t PrefixWithinUnits(std::string_view s, size_t max_units) {
  size_t units = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = SequenceLength(s, i);
    const size_t u = n == 4 ? 2 : 1;
    if (units + u > max_units) break;
    units += u;
    i += n;
  }
  return i;
}

size_t PrefixWithinBytes(std::string_view s, size_t max_bytes) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = SequenceLength(s, i);
    if (i + n > max_bytes) break;
    i += n;
  }
  return i;
}

std::string Truncate(std::string_view s, size_t max_units) {
  if (Units(s) <= max_units) return std::string(s);
  std::string out(TrimRight(s.substr(0, PrefixWithinUnits(s, max_units - 1))));
  out += kEllipsis;
  return out;
}

std::vector<std::string> Split(std::string_view text, size_t max_units) {
  std::vector<std::string> parts;
  std::string_view rest = TrimLeft(text);
  while (true) {
    const size_t fits =
        PrefixWithinUnits(rest, max_units);  // O(limit), not O(text)
    if (fits == rest.size()) break;
    // A lone character wider than the limit (max_units 1, an emoji): take it
    // anyway rather than loop forever.
    const size_t cut =
        fits == 0 ? SequenceLength(rest, 0) : BestCut(rest, fits);
    const std::string_view head = TrimRight(rest.substr(0, cut));
    if (!head.empty()) parts.emplace_back(head);
    rest = TrimLeft(rest.substr(cut));
  }
  rest = TrimRight(rest);
  if (!rest.empty()) parts.emplace_back(rest);
  return parts;
}

HeadTail SplitTail(std::string_view text, size_t max_units) {
  text = TrimRight(TrimLeft(text));
  const size_t total = Units(text);
  if (total <= max_units) return {"", std::string(text)};
  // The earliest byte offset whose suffix fits: skip (total - max_units) units.
  size_t start = 0;
  for (size_t skipped = 0; skipped < total - max_units;) {
    const size_t n = SequenceLength(text, start);
    skipped += n == 4 ? 2 : 1;
    start += n;
  }
  // Any paragraph or line break in the window makes a natural tail (often
  // the question the buttons answer); a space only when it keeps half of it.
  const std::string_view window = text.substr(start);
  size_t cut = 0;
  if (size_t p = window.find("\n\n"); p != std::string_view::npos) {
    cut = p;
  } else if (size_t q = window.find('\n'); q != std::string_view::npos) {
    cut = q;
  } else if (size_t r = window.find(' ');
             r != std::string_view::npos && r <= window.size() / 2) {
    cut = r;
  }
  std::string_view tail = TrimLeft(window.substr(cut));
  if (tail.empty()) {
    cut = 0;
    tail = window;
  }
  return {std::string(TrimRight(text.substr(0, start + cut))),
          std::string(tail)};
}

std::string ForLog(std::string_view s, size_t max_bytes) {
  const size_t keep = PrefixWithinBytes(s, max_bytes);
  std::string out(s.substr(0, keep));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  if (keep < s.size()) out += kEllipsis;
  return out;
}

}  // namespace sportello::channels::utf8
