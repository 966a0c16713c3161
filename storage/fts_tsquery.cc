#include "storage/fts_tsquery.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace sportello::storage {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c >= 0x80;
}

bool IsBarewordByte(unsigned char c) { return IsWordByte(c) || c == '_'; }

// The words of a phrase, as unicode61 splits them.
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  for (const char ch : s) {
    if (IsWordByte(static_cast<unsigned char>(ch))) {
      word += ch;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// A word as a quoted tsquery operand; PostgreSQL folds it when it reads it.
std::string Lexeme(std::string_view word, bool prefix,
                   const std::string& weights) {
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  if (prefix || !weights.empty()) out += ':';
  if (prefix) out += '*';
  return out + weights;
}

class Translator {
 public:
  Translator(std::string_view text, const std::vector<WeightedColumn>& columns)
      : text_(text), columns_(columns) {}

  core::Result<std::string> Run() {
    if (columns_.size() > 31) return Fail("too many columns");
    const uint32_t all = (1u << columns_.size()) - 1;
    auto expr = Or(all);
    if (!expr.ok()) return expr;
    Skip();
    if (pos_ < text_.size()) return Fail("unexpected text");
    return expr;
  }

 private:
  core::Status Fail(std::string_view why) const {
    return core::Status::InvalidArgument(
        "full-text expression: " + std::string(why) + " at " +
        std::to_string(pos_) + " in '" + std::string(text_) + "'");
  }

  void Skip() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // The bareword at the cursor, without consuming it ("" if none).
  std::string_view PeekBareword() {
    Skip();
    size_t end = pos_;
    while (end < text_.size() &&
           IsBarewordByte(static_cast<unsigned char>(text_[end]))) {
      ++end;
    }
    return text_.substr(pos_, end - pos_);
  }

  bool PeekKeyword(std::string_view keyword) {
    return PeekBareword() == keyword;
  }

  bool Eat(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // The weights `mask`'s columns stand for: "" for every column.
  core::Result<std::string> Weights(uint32_t mask) const {
    const uint32_t all = (1u << columns_.size()) - 1;
    if (mask == all) return std::string();
    std::string weights;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!(mask & (1u << i))) continue;
      const char w = columns_[i].weight;
      if (weights.find(w) != std::string::npos) continue;
      for (size_t j = 0; j < columns_.size(); ++j) {
        if (columns_[j].weight == w && !(mask & (1u << j))) {
          return core::Status::InvalidArgument(
              "full-text expression: column " + std::string(columns_[i].name) +
              " cannot be searched without " + std::string(columns_[j].name));
        }
      }
      weights += w;
    }
    if (weights.empty()) {
      return core::Status::InvalidArgument(
          "full-text expression: a column filter leaves no column");
    }
    std::sort(weights.begin(), weights.end());
    return weights;
  }

  core::Result<std::string> Or(uint32_t mask) {
    auto left = And(mask);
    if (!left.ok()) return left;
    std::string out = *left;
    while (PeekKeyword("OR")) {
      pos_ += 2;
      auto right = And(mask);
      if (!right.ok()) return right;
      out = "(" + out + " | " + *right + ")";
    }
    return out;
  }

  bool StartsPrimary() {
    Skip();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '"' || c == '(' || c == '{' || c == '-') return true;
    const std::string_view word = PeekBareword();
    return !word.empty() && word != "OR" && word != "AND" && word != "NOT";
  }

  core::Result<std::string> And(uint32_t mask) {
    auto left = Not(mask);
    if (!left.ok()) return left;
    std::string out = *left;
    while (true) {
      if (PeekKeyword("AND")) {
        pos_ += 3;
      } else if (!StartsPrimary()) {
        break;
      }
      auto right = Not(mask);
      if (!right.ok()) return right;
      out = "(" + out + " & " + *right + ")";
    }
    return out;
  }

  core::Result<std::string> Not(uint32_t mask) {
    auto left = Primary(mask);
    if (!left.ok()) return left;
    std::string out = *left;
    while (PeekKeyword("NOT")) {
      pos_ += 3;
      auto right = Primary(mask);
      if (!right.ok()) return right;
      out = "(" + out + " & !" + *right + ")";
    }
    return out;
  }

  // The column named `name`, as a one-bit mask (0 if unknown).
  uint32_t Column(std::string_view name) const {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name == name) return 1u << i;
    }
    return 0;
  }

  core::Result<std::string> Primary(uint32_t mask) {
    Skip();
    if (pos_ >= text_.size()) return Fail("expression ends early");
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = Or(mask);
      if (!inner.ok()) return inner;
      if (!Eat(')')) return Fail("')' expected");
      return inner;
    }
    const bool exclude = c == '-';
    if (exclude) ++pos_;
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '{') {
      ++pos_;
      uint32_t named = 0;
      while (!Eat('}')) {
        const std::string_view name = PeekBareword();
        const uint32_t bit = Column(name);
        if (bit == 0) return Fail("unknown column");
        named |= bit;
        pos_ += name.size();
      }
      return Filtered(mask, named, exclude);
    }
    if (exclude) return Fail("column filter expected after '-'");
    if (c == '"') {
      auto phrase = Phrase(mask);
      if (!phrase.ok()) return phrase.status();
      return "(" + *phrase + ")";
    }
    const std::string_view word = PeekBareword();
    if (word.empty()) return Fail("a word expected");
    if (word == "NEAR") {
      const size_t keyword = pos_;
      pos_ += word.size();
      if (Eat('(')) return Near(mask);
      pos_ = keyword;
    }
    // A bareword naming a column, followed by ':'.
    const size_t start = pos_;
    pos_ += word.size();
    if (Eat(':')) {
      const uint32_t bit = Column(word);
      if (bit == 0) {
        pos_ = start;
        return Fail("unknown column");
      }
      return FilteredRest(mask & bit);
    }
    pos_ = start;
    auto phrase = Phrase(mask);
    if (!phrase.ok()) return phrase.status();
    return "(" + *phrase + ")";
  }

  core::Result<std::string> Filtered(uint32_t mask, uint32_t named,
                                     bool exclude) {
    if (!Eat(':')) return Fail("':' expected after a column filter");
    const uint32_t all = (1u << columns_.size()) - 1;
    return FilteredRest(mask & (exclude ? (all & ~named) : named));
  }

  core::Result<std::string> FilteredRest(uint32_t mask) {
    if (mask == 0) return Fail("a column filter leaves no column");
    return Primary(mask);
  }

  // A quoted string or a bareword, with an optional '*': its words.
  core::Result<std::vector<std::string>> PhraseLexemes(uint32_t mask) {
    Skip();
    std::string content;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) return Fail("unterminated string");
        if (text_[pos_] == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            content += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        content += text_[pos_++];
      }
    } else {
      const std::string_view word = PeekBareword();
      if (word.empty()) return Fail("a word expected");
      if (word == "AND" || word == "OR" || word == "NOT")
        return Fail("an operator where a word belongs");
      content = word;
      pos_ += word.size();
    }
    if (pos_ < text_.size() && (text_[pos_] == '^' || text_[pos_] == '+'))
      return Fail("unsupported operator");
    const bool prefix = pos_ < text_.size() && text_[pos_] == '*';
    if (prefix) ++pos_;
    auto weights = Weights(mask);
    if (!weights.ok()) return weights.status();
    const auto words = Words(content);
    if (words.empty()) return Fail("a phrase without words");
    std::vector<std::string> lexemes;
    for (size_t i = 0; i < words.size(); ++i) {
      lexemes.push_back(
          Lexeme(words[i], prefix && i + 1 == words.size(), *weights));
    }
    return lexemes;
  }

  core::Result<std::string> Phrase(uint32_t mask) {
    auto lexemes = PhraseLexemes(mask);
    if (!lexemes.ok()) return lexemes.status();
    std::string out;
    for (const auto& l : *lexemes) out += (out.empty() ? "" : " <-> ") + l;
    return out;
  }

  // After "NEAR(": phrases, an optional ", n", ")".
  core::Result<std::string> Near(uint32_t mask) {
    std::vector<std::vector<std::string>> phrases;
    int distance = 10;
    while (true) {
      if (Eat(')')) break;
      if (Eat(',')) {
        const std::string_view n = PeekBareword();
        if (n.empty() ||
            !std::all_of(n.begin(), n.end(),
                         [](char d) { return d >= '0' && d <= '9'; }) ||
            n.size() > 4) {
          return Fail("a distance expected");
        }
        distance = std::stoi(std::string(n));
        pos_ += n.size();
        if (!Eat(')')) return Fail("')' expected");
        break;
      }
      auto phrase = PhraseLexemes(mask);
      if (!phrase.ok()) return phrase.status();
      phrases.push_back(std::move(*phrase));
    }
    if (phrases.empty()) return Fail("NEAR without phrases");
    const auto joined = [](const std::vector<std::string>& lexemes) {
      std::string out;
      for (const auto& l : lexemes) out += (out.empty() ? "" : " <-> ") + l;
      return out;
    };
    const size_t k = phrases.size();
    if (k == 1) return "(" + joined(phrases[0]) + ")";
    // Orders times spacings, at most k! * C(distance + k - 1, k - 1).
    double spellings = 1;
    for (size_t i = 2; i <= k; ++i) spellings *= static_cast<double>(i);
    for (size_t i = 1; i < k; ++i) {
      spellings *= static_cast<double>(distance + static_cast<int>(i)) /
                   static_cast<double>(i);
    }
    if (spellings > kMaxNearSpellings) {
      std::string all;
      for (const auto& p : phrases)
        all += (all.empty() ? "(" : " & (") + joined(p) + ")";
      return "(" + all + ")";
    }
    std::vector<size_t> order(k);
    std::iota(order.begin(), order.end(), size_t{0});
    std::vector<std::string> alternatives;
    do {
      // FTS5 counts the words between the end of the first phrase and the
      // start of the last, the phrases in between included.
      int budget = distance;
      for (size_t i = 1; i + 1 < k; ++i)
        budget -= static_cast<int>(phrases[order[i]].size());
      if (budget < 0) continue;
      Spell(phrases, order, budget, 0, joined(phrases[order[0]]), alternatives);
    } while (std::next_permutation(order.begin(), order.end()));
    std::string out;
    for (const auto& a : alternatives) out += (out.empty() ? "" : " | ") + a;
    return "(" + out + ")";
  }

  // Every spacing of the phrases in `order` after the first `at`, with at
  // most `left` words between them in all besides the phrases.
  static void Spell(const std::vector<std::vector<std::string>>& phrases,
                    const std::vector<size_t>& order, int left, size_t at,
                    const std::string& so_far, std::vector<std::string>& out) {
    if (at + 1 == order.size()) {
      out.push_back("(" + so_far + ")");
      return;
    }
    const auto& next = phrases[order[at + 1]];
    for (int gap = 0; gap <= left; ++gap) {
      std::string s = so_far + " <" + std::to_string(gap + 1) + "> " + next[0];
      for (size_t i = 1; i < next.size(); ++i) s += " <-> " + next[i];
      Spell(phrases, order, left - gap, at + 1, s, out);
    }
  }

  std::string_view text_;
  const std::vector<WeightedColumn>& columns_;
  size_t pos_ = 0;
};

}  // namespace

core::Result<std::string> FtsToTsquery(
    std::string_view fts, const std::vector<WeightedColumn>& columns) {
  return Translator(fts, columns).Run();
}

}  // namespace sportello::storage
