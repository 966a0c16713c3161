#include "bot/core/utf8.h"

namespace sportello::core::utf8 {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026 "…", one unit

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

char32_t Decode(std::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const size_t i = *pos;
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;  // a stray continuation byte or 0xF8..0xFF
    return kReplacementChar;
  }
  if (i + len > text.size()) {
    *pos = i + 1;
    return kReplacementChar;
  }
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return kReplacementChar;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return kReplacementChar;
  }
  *pos = i + len;
  return cp;
}

size_t SequenceLength(std::string_view s, size_t i) {
  size_t next = i;
  Decode(s, &next);
  return next - i;
}

void Append(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Repair(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t cp = Decode(text, &pos);
    if (cp == kReplacementChar && pos == start + 1) {
      Append(kReplacementChar, &out);  // an invalid byte
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

bool IsValid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) return false;
    i += n;
  }
  return true;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) i += SequenceLength(s, i);
  return n;
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

}  // namespace sportello::core::utf8
