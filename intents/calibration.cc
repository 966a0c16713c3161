#include "intents/calibration.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bot/core/numbers.h"

namespace sportello::intents {

core::Result<Calibration> Calibration::Parse(std::string_view text,
                                             std::string_view name) {
  Calibration c;
  int line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const auto error = [&](const char* what) {
      return core::Status::InvalidArgument(
          std::string(name) + ":" + std::to_string(line_no) + ": " + what);
    };
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      return error("expected raw<TAB>calibrated");
    const auto raw = core::ParseDouble(line.substr(0, tab));
    const auto cal = core::ParseDouble(line.substr(tab + 1));
    if (!raw || !cal || *raw < 0 || *raw > 1 || *cal < 0 || *cal > 1)
      return error("values must be numbers in [0,1]");
    if (!c.knots_.empty() &&
        (*raw <= c.knots_.back().first || *cal < c.knots_.back().second))
      return error("knots must rise");
    c.knots_.emplace_back(*raw, *cal);
  }
  return c;
}

core::Result<Calibration> Calibration::LoadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return core::Status::NotFound("calibration: cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

double Calibration::Apply(double raw) const {
  if (knots_.empty()) return raw;
  if (raw <= knots_.front().first)
    return knots_.front().second *
           (knots_.front().first > 0 ? raw / knots_.front().first : 1.0);
  if (raw >= knots_.back().first) return knots_.back().second;
  const auto hi = std::upper_bound(
      knots_.begin(), knots_.end(), raw,
      [](double r, const std::pair<double, double>& k) { return r < k.first; });
  const auto lo = hi - 1;
  const double t = (raw - lo->first) / (hi->first - lo->first);
  return lo->second + t * (hi->second - lo->second);
}

std::string Calibration::Fit(std::vector<std::pair<double, bool>> observed,
                             int min_block, double prior) {
  std::sort(observed.begin(), observed.end());
  struct Block {
    double n = 0, right = 0, raw = 0;
    double Rate(double prior) const {
      return (right + prior * raw / n) / (n + prior);
    }
  };
  // Blocks of at least `min_block` observations first, so a lone one cannot
  // make a knot; equal confidences share a block (they are one reading).
  std::vector<Block> blocks;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (blocks.empty() || (blocks.back().n >= min_block &&
                           observed[i].first != observed[i - 1].first))
      blocks.push_back({});
    Block& b = blocks.back();
    b.n += 1;
    b.right += observed[i].second;
    b.raw += observed[i].first;
  }
  // Pool adjacent violators: merge while a block is less accurate than the
  // one before it.
  std::vector<Block> pooled;
  for (const Block& b : blocks) {
    pooled.push_back(b);
    while (pooled.size() > 1 &&
           pooled[pooled.size() - 2].Rate(prior) >= pooled.back().Rate(prior)) {
      Block last = pooled.back();
      pooled.pop_back();
      pooled.back().n += last.n;
      pooled.back().right += last.right;
      pooled.back().raw += last.raw;
    }
  }
  std::string out =
      "# Intent confidence calibration: raw<TAB>calibrated knots, written by\n"
      "# intents_eval --cv --write-calibration; do not edit by hand.\n";
  double last_raw = -1;
  for (const Block& b : pooled) {
    const double raw = b.raw / b.n;
    if (raw <= last_raw) continue;
    last_raw = raw;
    char line[64];
    std::snprintf(line, sizeof line, "%.4f\t%.4f\n", raw, b.Rate(prior));
    out += line;
  }
  return out;
}

}  // namespace sportello::intents
