#include "bot/domain/comuni.h"

#include <fstream>
#include <sstream>

#include "bot/domain/vacancy_vocabulary.h"

namespace sportello {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, '\t')) out.push_back(cell);
  return out;
}

bool SixDigits(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Folded, without the marks people leave out or type differently.
std::string Squash(std::string_view name) {
  std::string out;
  for (char c : FoldName(name)) {
    if (c != '\'' && c != '-' && c != ' ' && c != '.') out += c;
  }
  return out;
}

// Whether `typed` is `name` with one letter missing, added or swapped with
// its neighbour (or, when `changed_ok`, changed), past the first two.
bool OneSlipAway(std::string_view typed, std::string_view name,
                 bool changed_ok) {
  constexpr size_t kKept = 2;
  if (typed.size() + 1 < name.size() || name.size() + 1 < typed.size())
    return false;
  size_t i = 0;
  while (i < typed.size() && i < name.size() && typed[i] == name[i]) ++i;
  if (i == typed.size() && i == name.size()) return false;  // the same
  if (i < kKept) return false;
  if (typed.size() == name.size()) {
    if (typed.substr(i + 1) == name.substr(i + 1)) return changed_ok;
    return i + 1 < typed.size() && typed[i] == name[i + 1] &&
           typed[i + 1] == name[i] && typed.substr(i + 2) == name.substr(i + 2);
  }
  if (typed.size() < name.size()) return typed.substr(i) == name.substr(i + 1);
  return typed.substr(i + 1) == name.substr(i);
}

}  // namespace

core::Result<Comuni> Comuni::Load(const std::string& data_dir) {
  const std::string path = data_dir + "/comuni.tsv";
  std::ifstream in(path);
  if (!in) return core::Status::NotFound("cannot read " + path);
  std::string line;
  std::getline(in, line);
  const auto header = SplitTabs(line);
  size_t name = header.size(), istat = header.size(), province = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "name") name = i;
    if (header[i] == "istat_code") istat = i;
    if (header[i] == "province_code") province = i;
  }
  if (name == header.size() || istat == header.size() ||
      province == header.size()) {
    return core::Status::InvalidArgument(
        path + ":1: needs name, istat_code and province_code");
  }
  Comuni comuni;
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto cells = SplitTabs(line);
    if (cells.size() != header.size() || !SixDigits(cells[istat])) {
      return core::Status::InvalidArgument(
          path + ":" + std::to_string(number) + ": expected " +
          std::to_string(header.size()) +
          " columns and a six-digit istat_code");
    }
    const size_t index = comuni.all_.size();
    comuni.all_.push_back({cells[istat], cells[name], cells[province]});
    comuni.by_istat_.emplace(cells[istat], index);
    comuni.by_name_[FoldName(cells[name])].push_back(index);
    comuni.by_squashed_[Squash(cells[name])].push_back(index);
  }
  return comuni;
}

const Comuni::Comune* Comuni::ByIstat(std::string_view istat) const {
  auto it = by_istat_.find(std::string(istat));
  return it == by_istat_.end() ? nullptr : &all_[it->second];
}

std::vector<const Comuni::Comune*> Comuni::Named(std::string_view name) const {
  std::vector<const Comune*> out;
  auto it = by_name_.find(FoldName(name));
  if (it == by_name_.end()) return out;
  for (size_t i : it->second) out.push_back(&all_[i]);
  return out;
}

std::vector<const Comuni::Comune*> Comuni::Find(
    std::string_view code_or_name) const {
  if (!SixDigits(code_or_name)) return Named(code_or_name);
  const Comune* c = ByIstat(code_or_name);
  return c ? std::vector<const Comune*>{c} : std::vector<const Comune*>{};
}

std::vector<const Comuni::Comune*> Comuni::Closest(
    std::string_view typed) const {
  constexpr size_t kShortest = 5;    // letters, for any slip
  constexpr size_t kChangeable = 8;  // letters, for a changed one
  std::vector<const Comune*> out;
  if (auto exact = Named(typed); !exact.empty()) return exact;
  const std::string key = Squash(typed);
  if (key.empty()) return out;
  auto same = by_squashed_.find(key);
  if (same == by_squashed_.end() && key.size() >= kShortest) {
    for (auto it = by_squashed_.begin(); it != by_squashed_.end(); ++it) {
      if (it->first.size() < kShortest ||
          !OneSlipAway(key, it->first, it->first.size() >= kChangeable))
        continue;
      if (same != by_squashed_.end()) return out;  // two names within reach
      same = it;
    }
  }
  if (same == by_squashed_.end()) return out;
  for (size_t i : same->second) out.push_back(&all_[i]);
  return out;
}

}  // namespace sportello
