// Features of the linear model: words, word pairs (with start and end marks)
// and character 3- and 4-grams of each word ("<ca", "cao>"), which survive
// typos ("appuntameto") and unseen inflections.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::intents {

// Texts past this many bytes contribute only their beginning.
inline constexpr size_t kMaxFeatureBytes = 1024;

// The features of a normalised text as readable strings: "wlavoro",
// "bcerco lavoro", "c<la". Used by the trainer and the model file.
std::vector<std::string> FeatureStrings(std::string_view normalized);

// The key of a feature string in the model. Computed from the string's parts
// (words hashed once, n-grams packed into one integer) so that
// ForEachFeatureHash below needs no byte-at-a-time hashing.
uint64_t FeatureHash(std::string_view feature);

// Calls `fn(FeatureHash(s))` for each s of FeatureStrings(normalized), in
// the same order, without building the strings or allocating.
template <typename Fn>
void ForEachFeatureHash(std::string_view normalized, Fn&& fn);

// ---------------------------------------------------------------------------
// Implementation, inline because it runs ~100 times per message. A test checks
// that it agrees with FeatureStrings() + FeatureHash() on sample texts.
namespace features_internal {

// A strong 64-bit mixer (from splitmix64).
inline uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Up to 8 bytes of `s` from `at`, little-endian, zero-padded.
inline uint64_t Load8(std::string_view s, size_t at) {
  uint64_t v = 0;
  const size_t n = std::min<size_t>(8, s.size() - at);
  for (size_t i = 0; i < n; ++i)
    v |= uint64_t{static_cast<unsigned char>(s[at + i])} << (8 * i);
  return v;
}

inline uint64_t WordHash(std::string_view w) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ w.size();
  for (size_t at = 0; at < w.size(); at += 8) h = Mix(h ^ Load8(w, at));
  return h;
}

inline constexpr uint64_t kWordKind = 0x77;    // 'w'
inline constexpr uint64_t kBigramKind = 0x62;  // 'b'
inline constexpr uint64_t kNgramKind = 0x63;   // 'c'
inline uint64_t WordFeature(uint64_t word_hash) {
  return Mix(word_hash + kWordKind);
}
inline uint64_t BigramFeature(uint64_t first, uint64_t second) {
  return Mix(first * 31 + second + kBigramKind);
}
// `gram` is at most 4 bytes.
inline uint64_t NgramFeature(std::string_view gram) {
  return Mix(Load8(gram, 0) | (gram.size() << 40) | (kNgramKind << 48));
}
inline const uint64_t kStartHash = WordHash("^");
inline const uint64_t kEndHash = WordHash("$");

}  // namespace features_internal

template <typename Fn>
void ForEachFeatureHash(std::string_view text, Fn&& fn) {
  namespace fi = features_internal;
  if (text.size() > kMaxFeatureBytes) text = text.substr(0, kMaxFeatureBytes);
  uint64_t prev = fi::kStartHash;
  bool any = false;
  size_t start = 0;
  char padded[72];
  std::string long_padded;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view w = text.substr(start, end - start);
    start = end + 1;
    if (w.empty()) continue;
    const uint64_t h = fi::WordHash(w);
    fn(fi::BigramFeature(prev, h));
    fn(fi::WordFeature(h));
    std::string_view p;
    if (w.size() + 2 <= sizeof padded) {
      padded[0] = '<';
      w.copy(padded + 1, w.size());
      padded[w.size() + 1] = '>';
      p = std::string_view(padded, w.size() + 2);
    } else {
      long_padded = "<" + std::string(w) + ">";
      p = long_padded;
    }
    for (size_t n = 3; n <= 4; ++n) {
      for (size_t k = 0; k + n <= p.size(); ++k)
        fn(fi::NgramFeature(p.substr(k, n)));
    }
    prev = h;
    any = true;
  }
  if (any) fn(fi::BigramFeature(prev, fi::kEndHash));
}

}  // namespace sportello::intents
