// A small immutable map from words to values, built once, looked up often:
// open addressing over FNV-1a, so a miss costs one short hash and a probe or
// two (std::unordered_map's hashing was a tenth of the engine's time).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

namespace sportello::intents {

inline uint64_t HashWord(std::string_view w) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : w) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

template <typename V>
class WordMap {
 public:
  // Later duplicates replace earlier ones. Keys must outlive the map.
  WordMap(std::initializer_list<std::pair<std::string_view, V>> entries)
      : WordMap(entries.begin(), entries.end()) {}
  explicit WordMap(const std::vector<std::pair<std::string_view, V>>& entries)
      : WordMap(entries.begin(), entries.end()) {}
  // From any range of pair-like (key, value).
  template <typename It>
  WordMap(It begin, It end) {
    size_t size = 16;
    while (size < static_cast<size_t>(std::distance(begin, end)) * 3) size *= 2;
    slots_.resize(size);
    for (It it = begin; it != end; ++it) {
      const auto& [key, value] = *it;
      Slot& slot = slots_[IndexOf(key)];
      slot.key = key;
      slot.value = value;
      slot.used = true;
    }
  }

  // The value of `w`, or nullptr.
  const V* Find(std::string_view w) const {
    const Slot& slot = slots_[IndexOf(w)];
    return slot.used ? &slot.value : nullptr;
  }

 private:
  struct Slot {
    std::string_view key;
    V value{};
    bool used = false;
  };
  // The slot holding `w`, or the empty slot where it would go.
  size_t IndexOf(std::string_view w) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = HashWord(w) & mask;; i = (i + 1) & mask) {
      if (!slots_[i].used || slots_[i].key == w) return i;
    }
  }
  std::vector<Slot> slots_;
};

}  // namespace sportello::intents
