#include "intents/rules.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bot/core/numbers.h"
#include "intents/labels.h"

namespace sportello::intents {
namespace {

// Long pastes (a whole CV) are matched on their beginning only, which keeps
// the lazily built DFA small; the model still reads all of it.
constexpr size_t kMaxMatchedBytes = 1024;
constexpr int kNegationReach = 5;  // words after the negator

bool IsNegator(std::string_view w) {
  return w == "non" || w == "not" || w == "never" || w == "mai" ||
         w == "neanche" || w == "nemmeno" || w == "neppure" || w == "mica" ||
         w == "senza";
}

// "non so", "non ho capito", "I don't know": the user is unsure, not
// refusing; what follows is still what they ask ("non so dove siete").
bool IsEpistemic(std::string_view w) {
  return w == "so" || w == "sapevo" || w == "sappiamo" || w == "capisco" ||
         w == "capito" || w == "ricordo" || w == "ricordavo" || w == "sicuro" ||
         w == "sicura" || w == "know" || w == "understand" || w == "remember" ||
         w == "sure";
}

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// Replaces every {NAME} by its definition in a non-capturing group. Braces
// holding digits ("{0,3}") are RE2 repetitions and stay.
core::Result<std::string> ExpandDefinitions(
    std::string_view pattern, const std::map<std::string, std::string>& defs) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{' || (i > 0 && pattern[i - 1] == '\\')) {
      out.push_back(pattern[i]);
      continue;
    }
    size_t j = i + 1;
    while (j < pattern.size() && IsNameChar(pattern[j])) ++j;
    const std::string_view name = pattern.substr(i + 1, j - i - 1);
    const bool is_name = j < pattern.size() && pattern[j] == '}' &&
                         !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    if (!is_name) {
      out.push_back(pattern[i]);
      continue;
    }
    const auto it = defs.find(std::string(name));
    if (it == defs.end()) {
      return core::Status::InvalidArgument("unknown {" + std::string(name) +
                                           "}");
    }
    out += "(?:" + it->second + ")";
    i = j;
  }
  return out;
}

core::Status ParseSource(const RuleSource& source, std::vector<Rule>* rules) {
  std::map<std::string, std::string> defs;
  std::istringstream in(source.text);
  std::string raw;
  int line_no = 0;
  bool has_rule_in_file = false;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string where = source.name + ":" + std::to_string(line_no);
    const std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '+' || line[0] == '-') {
      if (!has_rule_in_file) {
        return core::Status::InvalidArgument(where +
                                             ": example before any rule");
      }
      const std::string example(Trim(line.substr(1)));
      auto& list = line[0] == '+' ? rules->back().examples
                                  : rules->back().counterexamples;
      list.push_back(example);
      continue;
    }
    std::istringstream fields{std::string(line)};
    std::string first;
    fields >> first;
    if (first == "define") {
      std::string name, eq;
      fields >> name >> eq;
      std::string body;
      std::getline(fields, body);
      if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar) ||
          eq != "=" || Trim(body).empty()) {
        return core::Status::InvalidArgument(
            where + ": expected 'define NAME = regex'");
      }
      auto expanded = ExpandDefinitions(Trim(body), defs);
      if (!expanded.ok()) {
        return core::Status::InvalidArgument(where + ": " +
                                             expanded.status().message());
      }
      defs[name] = *expanded;
      continue;
    }
    Rule rule;
    rule.where = where;
    rule.intent = IntentIndex(first);
    if (rule.intent < 0) {
      return core::Status::InvalidArgument(where + ": unknown intent '" +
                                           first + "'");
    }
    std::string priority;
    fields >> priority;
    const auto parsed_priority = core::ParseInt(priority, 1, 99);
    if (!parsed_priority) {
      return core::Status::InvalidArgument(
          where + ": priority must be 1..99, got '" + priority + "'");
    }
    rule.priority = static_cast<int>(*parsed_priority);
    std::string pattern;
    std::getline(fields, pattern);
    if (Trim(pattern).empty()) {
      return core::Status::InvalidArgument(where + ": missing pattern");
    }
    auto expanded = ExpandDefinitions(Trim(pattern), defs);
    if (!expanded.ok()) {
      return core::Status::InvalidArgument(where + ": " +
                                           expanded.status().message());
    }
    rule.pattern = std::move(*expanded);
    rules->push_back(std::move(rule));
    has_rule_in_file = true;
  }
  return core::Status::Ok();
}

RE2::Options MatcherOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  // The compiled set plus its lazily built DFA states; past this RE2 drops
  // and rebuilds states, so memory stays bounded however varied the input.
  options.set_max_mem(int64_t{4} << 20);
  return options;
}

}  // namespace

class RuleSet::Matcher {
 public:
  Matcher() : set_(MatcherOptions(), RE2::UNANCHORED) {}
  RE2::Set set_;
};

RuleSet::RuleSet(std::vector<Rule> rules, std::unique_ptr<Matcher> matcher)
    : rules_(std::move(rules)), matcher_(std::move(matcher)) {}
RuleSet::~RuleSet() = default;

core::Result<std::unique_ptr<RuleSet>> RuleSet::Compile(
    const std::vector<RuleSource>& sources) {
  std::vector<Rule> rules;
  for (const RuleSource& source : sources) {
    if (core::Status s = ParseSource(source, &rules); !s.ok()) return s;
  }
  auto matcher = std::make_unique<Matcher>();
  for (const Rule& rule : rules) {
    std::string error;
    if (matcher->set_.Add(rule.pattern, &error) < 0) {
      return core::Status::InvalidArgument(rule.where +
                                           ": bad pattern: " + error);
    }
  }
  if (!matcher->set_.Compile()) {
    return core::Status::Internal("rules: RE2::Set out of memory compiling " +
                                  std::to_string(rules.size()) + " rules");
  }
  return std::make_unique<RuleSet>(std::move(rules), std::move(matcher));
}

core::Result<std::unique_ptr<RuleSet>> RuleSet::LoadDir(
    const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("rules.") && name.ends_with(".txt"))
      paths.push_back(entry.path());
  }
  if (ec)
    return core::Status::NotFound("rules: cannot list " + dir + ": " +
                                  ec.message());
  if (paths.empty())
    return core::Status::NotFound("rules: no rules.*.txt in " + dir);
  std::sort(paths.begin(), paths.end());
  std::vector<RuleSource> sources;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
      return core::Status::NotFound("rules: cannot read " + path.string());
    std::ostringstream text;
    text << file.rdbuf();
    sources.push_back({path.filename().string(), text.str()});
  }
  return Compile(sources);
}

std::vector<int> RuleSet::Match(std::string_view normalized) const {
  std::vector<int> hits;
  if (normalized.size() > kMaxMatchedBytes) {
    normalized = normalized.substr(0, kMaxMatchedBytes);
  }
  RE2::Set::ErrorInfo error{};
  if (!matcher_->set_.Match(normalized, &hits, &error)) {
    hits.clear();
    // The DFA could not get memory for its states (RE2 resets its cache and
    // goes on, so this takes a pathological text): try the text's start.
    if (error.kind == RE2::Set::kOutOfMemory && normalized.size() > 256) {
      return Match(normalized.substr(0, 256));
    }
  }
  return hits;
}

std::vector<int> RuleSet::Apply(const NormalizedText& text) const {
  std::vector<int> hits = Match(text.text);
  const size_t n = text.word_begin.size();
  std::vector<char> negator(n, 0), in_scope(n, 0);
  bool any = false;
  const auto word = [&](size_t i) {
    return i < n ? std::string_view(text.text.data() + text.word_begin[i],
                                    text.word_end[i] - text.word_begin[i])
                 : std::string_view();
  };
  for (size_t i = 0; i < n; ++i) {
    if (!IsNegator(word(i))) continue;
    // "non so", "non ho capito", "non mi ricordo", "non sono sicuro".
    if (IsEpistemic(word(i + 1)) ||
        (IsEpistemic(word(i + 2)) &&
         (word(i + 1) == "ho" || word(i + 1) == "mi" ||
          word(i + 1) == "sono"))) {
      continue;
    }
    any = true;
    negator[i] = 1;
    for (size_t j = i + 1;
         j < n && j <= i + kNegationReach && !text.clause_start[j]; ++j) {
      in_scope[j] = 1;
    }
  }
  if (!any || hits.empty()) return hits;

  std::string without_negators, without_scopes;
  for (size_t i = 0; i < n; ++i) {
    if (negator[i]) continue;
    const std::string_view w = word(i);
    without_negators.append(without_negators.empty() ? "" : " ").append(w);
    if (!in_scope[i])
      without_scopes.append(without_scopes.empty() ? "" : " ").append(w);
  }
  std::vector<int> positive = Match(without_negators);
  std::vector<int> outside = Match(without_scopes);
  std::sort(positive.begin(), positive.end());
  std::sort(outside.begin(), outside.end());
  std::erase_if(hits, [&](int r) {
    return std::binary_search(positive.begin(), positive.end(), r) &&
           !std::binary_search(outside.begin(), outside.end(), r);
  });
  return hits;
}

}  // namespace sportello::intents
