#include "bot/domain/vacancy_vocabulary.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

namespace sportello {
namespace {

core::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::Status::NotFound("vacancy vocabulary: cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    std::string_view piece =
        s.substr(start, end == std::string_view::npos ? end : end - start);
    while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
    out.emplace_back(piece);
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

core::Status ReadComuni(VacancyVocabulary& vocabulary,
                        const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  const auto lines = SplitLines(*text);
  if (lines.empty())
    return core::Status::InvalidArgument(path + ":1: no header");
  const auto header = Split(lines[0], '\t');
  auto column = [&](std::string_view name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) -
                               header.begin());
  };
  const size_t name = column("name"), province = column("province_code"),
               region = column("region");
  if (std::max({name, province, region}) >= header.size()) {
    return core::Status::InvalidArgument(
        path + ":1: needs name, province_code and region");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto cells = Split(lines[i], '\t');
    if (cells.size() != header.size()) {
      return core::Status::InvalidArgument(
          path + ":" + std::to_string(i + 1) + ": expected " +
          std::to_string(header.size()) + " columns");
    }
    vocabulary.AddPlace({cells[name], cells[province], cells[region]});
  }
  return core::Status::Ok();
}

core::Status ReadRoles(VacancyVocabulary& vocabulary, const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  const auto lines = SplitLines(*text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      return core::Status::InvalidArgument(path + ":" + std::to_string(i + 1) +
                                           ": expected role<TAB>forms");
    }
    vocabulary.AddRole(std::string_view(line).substr(0, tab),
                       Split(std::string_view(line).substr(tab + 1), ','));
  }
  return core::Status::Ok();
}

}  // namespace

std::string FoldName(std::string_view s) {
  // Base letters for U+00C0..U+00FF ('*' keeps the character).
  static constexpr std::string_view kLatin1 =
      "aaaaaaaceeeeiiiidnooooo*ouuuuy*saaaaaaaceeeeiiiidnooooo*ouuuuy*y";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0xBF && kLatin1[next - 0x80] != '*') {
        out += kLatin1[next - 0x80];
        ++i;
        continue;
      }
    }
    if (c == 0xE2 && (s.substr(i + 1, 2) == "\x80\x98" ||
                      s.substr(i + 1, 2) == "\x80\x99")) {
      out += '\'';
      i += 2;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                                  : static_cast<char>(c);
  }
  return out;
}

core::Result<VacancyVocabulary> VacancyVocabulary::Load(
    const std::string& data_dir) {
  VacancyVocabulary vocabulary;
  if (auto s = ReadComuni(vocabulary, data_dir + "/comuni.tsv"); !s.ok())
    return s;
  if (auto s = ReadRoles(vocabulary, data_dir + "/roles.tsv"); !s.ok())
    return s;
  return vocabulary;
}

void VacancyVocabulary::AddPlace(Place place) {
  regions_.emplace(place.province, place.region);
  std::string key = FoldName(place.comune);
  places_[std::move(key)].push_back(std::move(place));
}

void VacancyVocabulary::AddRole(std::string_view role,
                                const std::vector<std::string>& forms) {
  auto& list = roles_[FoldName(role)];
  for (const auto& f : forms) {
    if (!f.empty() && FoldName(f) != FoldName(role)) list.push_back(f);
  }
}

std::optional<VacancyVocabulary::Place> VacancyVocabulary::FindPlace(
    std::string_view name, std::string_view province) const {
  const auto it = places_.find(FoldName(name));
  if (it == places_.end()) return std::nullopt;
  if (province.empty()) return it->second.front();
  for (const Place& place : it->second) {
    if (FoldName(place.province) == FoldName(province)) return place;
  }
  return std::nullopt;
}

std::vector<std::string> VacancyVocabulary::ComuniOf(
    std::string_view province) const {
  std::vector<std::string> comuni;
  for (const auto& [key, places] : places_) {
    for (const Place& place : places) {
      if (FoldName(place.province) == FoldName(province))
        comuni.push_back(place.comune);
    }
  }
  std::sort(comuni.begin(), comuni.end());
  return comuni;
}

std::string VacancyVocabulary::RegionOf(std::string_view province) const {
  const auto it = regions_.find(std::string(province));
  return it == regions_.end() ? "" : it->second;
}

const std::vector<std::string>& VacancyVocabulary::RoleForms(
    std::string_view role) const {
  static const std::vector<std::string> kNone;
  const auto it = roles_.find(FoldName(role));
  return it == roles_.end() ? kNone : it->second;
}

std::vector<std::string> VacancyVocabulary::RolesContaining(
    std::string_view role) const {
  const std::string needle = " " + FoldName(role) + " ";
  std::vector<std::string> out;
  for (const auto& [name, forms] : roles_) {
    if (name != FoldName(role) &&
        (" " + name + " ").find(needle) != std::string::npos) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());  // a stable query text
  return out;
}

}  // namespace sportello
