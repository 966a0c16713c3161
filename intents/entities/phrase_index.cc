#include "intents/entities/phrase_index.h"

#include <algorithm>

namespace sportello::intents::entities {
namespace {

constexpr size_t kMaxPhraseWords = 8;
constexpr int kMaxConnectorRun = 2;  // "addetto alla (del) ..." at most

}  // namespace

std::string PhraseIndex::Add(std::string_view phrase, uint32_t value,
                             bool typo_target) {
  std::string key;
  size_t words = 0;
  size_t pos = 0;
  while (pos < phrase.size()) {
    size_t end = phrase.find(' ', pos);
    if (end == std::string_view::npos) end = phrase.size();
    const std::string_view word = phrase.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    // Connectors count only inside a phrase: a leading one could never match.
    if (skip_connectors_ && IsConnector(word) && words > 0) continue;
    if (!key.empty()) key.push_back(' ');
    key.append(word);
    ++words;
  }
  if (words == 0 || words > kMaxPhraseWords) return "";
  if (!keys_.emplace(key, value).second) return key;
  uint8_t& max_words = max_words_[key.substr(0, key.find(' '))];
  max_words = std::max(max_words, static_cast<uint8_t>(words));
  if (!typo_target) return key;
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back(
      {key, value, LetterMask(key), static_cast<uint8_t>(words)});
  if (key.size() >= 2) {
    by_first_two_[BucketId(key[0], key[1], key.size())].push_back(index);
  }
  return key;
}

std::optional<PhraseMatch> PhraseIndex::LongestAt(
    const std::vector<Token>& tokens, size_t begin) const {
  const auto it = max_words_.find(KeyOf(tokens[begin]));
  if (it == max_words_.end()) return std::nullopt;
  const size_t max_words = it->second;
  std::optional<PhraseMatch> best;
  if (const auto hit = keys_.find(KeyOf(tokens[begin])); hit != keys_.end()) {
    best = PhraseMatch{hit->second, begin, begin + 1, 0};
  }
  if (max_words == 1) return best;
  std::string key = tokens[begin].text;
  size_t words = 1;
  int connectors = 0;
  for (size_t j = begin + 1; j < tokens.size() && words < max_words; ++j) {
    const std::string& word = tokens[j].text;
    if (skip_connectors_ && IsConnector(word)) {
      if (++connectors > kMaxConnectorRun) break;
      continue;
    }
    connectors = 0;
    key.push_back(' ');
    key.append(word);
    ++words;
    if (const auto hit = keys_.find(std::string_view(key));
        hit != keys_.end()) {
      best = PhraseMatch{hit->second, begin, j + 1, 0};
    }
  }
  return best;
}

void PhraseIndex::Consider(const Entry& entry, std::string_view query,
                           uint32_t query_mask, size_t words,
                           const TypoLimits& limits,
                           std::vector<PhraseMatch>* found) const {
  if (entry.words != words) return;
  if (std::min(entry.key.size(), query.size()) < limits.min_length) return;
  if (BitCount(entry.mask ^ query_mask) > 2) return;  // one edit: two letters
  const int distance =
      EditDistance(query, entry.key, 1, limits.substitutions ? 1 : 2);
  if (distance > 1) return;
  for (PhraseMatch& m : *found) {
    if (m.value == entry.value) {  // another spelling of the same thing
      m.distance = std::min(m.distance, distance);
      return;
    }
  }
  found->push_back({entry.value, 0, 0, distance});
}

std::vector<PhraseMatch> PhraseIndex::Near(const std::vector<Token>& tokens,
                                           size_t begin, size_t words,
                                           const TypoLimits& limits) const {
  std::vector<PhraseMatch> found;
  if (words == 0 || begin + words > tokens.size()) return found;
  std::string query = tokens[begin].text;
  for (size_t j = begin + 1; j < begin + words; ++j) {
    query.push_back(' ');
    query.append(tokens[j].text);
  }
  if (query.size() < 2) return found;
  const uint32_t query_mask = LetterMask(query);
  for (size_t length = query.size() - 1; length <= query.size() + 1; ++length) {
    const auto it = by_first_two_.find(BucketId(query[0], query[1], length));
    if (it == by_first_two_.end()) continue;
    for (const uint32_t index : it->second) {
      Consider(entries_[index], query, query_mask, words, limits, &found);
    }
  }
  for (PhraseMatch& m : found) m.begin = begin, m.end = begin + words;
  std::stable_sort(found.begin(), found.end(),
                   [](const PhraseMatch& a, const PhraseMatch& b) {
                     return a.distance < b.distance;
                   });
  return found;
}

}  // namespace sportello::intents::entities
