#include "intents/model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "bot/core/numbers.h"
#include "intents/features.h"

namespace sportello::intents {
namespace {

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    parts.push_back(
        s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

uint32_t CheckOf(uint64_t hash) {
  const auto check = static_cast<uint32_t>(hash >> 32);
  return check == 0 ? 1 : check;
}

struct ParsedRow {
  uint64_t hash;
  std::array<float, kNumIntents> weights;
};

}  // namespace

core::Result<LinearModel> LinearModel::Parse(std::string_view text,
                                             std::string_view name) {
  LinearModel model;
  std::vector<int>
      file_to_label;  // column in the file -> index in kIntentLabels
  bool has_bias = false;
  std::vector<ParsedRow> rows;
  float max_abs = 0;
  int line_no = 0;
  for (std::string_view line : SplitOn(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto error = [&](std::string_view what) {
      return core::Status::InvalidArgument(std::string(name) + ":" +
                                           std::to_string(line_no) + ": " +
                                           std::string(what));
    };
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("source ")) {
      model.source_ = std::string(line.substr(7));
    } else if (line.starts_with("labels ")) {
      for (const auto label : SplitOn(line.substr(7), ' ')) {
        const int index = IntentIndex(label);
        if (index < 0)
          return error("unknown label '" + std::string(label) + "'");
        file_to_label.push_back(index);
      }
    } else if (line.starts_with("bias ")) {
      const auto values = SplitOn(line.substr(5), ' ');
      if (values.size() != file_to_label.size())
        return error("bias needs one value per label");
      for (size_t k = 0; k < values.size(); ++k) {
        const auto bias = core::ParseFloat(values[k]);
        if (!bias) return error("bad bias");
        model.bias_[file_to_label[k]] = *bias;
      }
      has_bias = true;
    } else if (line.starts_with("f\t")) {
      const auto fields = SplitOn(line, '\t');
      if (fields.size() != 3 || !has_bias)
        return error("expected 'f<TAB>feature<TAB>k:w ...'");
      ParsedRow row{FeatureHash(fields[1]), {}};
      for (const auto cell : SplitOn(fields[2], ' ')) {
        const size_t colon = cell.find(':');
        const auto column =
            colon == std::string_view::npos
                ? std::nullopt
                : core::ParseInt(
                      cell.substr(0, colon), 0,
                      static_cast<int64_t>(file_to_label.size()) - 1);
        const auto weight =
            column ? core::ParseFloat(cell.substr(colon + 1)) : std::nullopt;
        if (!weight) return error("bad weight '" + std::string(cell) + "'");
        row.weights[file_to_label[*column]] = *weight;
        max_abs = std::max(max_abs, std::fabs(*weight));
      }
      rows.push_back(row);
    } else {
      return error("unexpected line");
    }
  }
  if (!has_bias)
    return core::Status::InvalidArgument(std::string(name) + ": no bias line");

  // int8 steps of max/127: a few hundredths, well under the weights the
  // trainer keeps (0.2 and up), and the table stays in cache.
  model.scale_ = max_abs > 0 ? max_abs / 127 : 1;
  size_t size = 16;
  while (size < rows.size() * 5 / 2) size *= 2;
  model.slots_.assign(size, Slot{});
  const size_t mask = size - 1;
  for (const ParsedRow& row : rows) {
    size_t i = row.hash & mask;
    const uint32_t check = CheckOf(row.hash);
    while (model.slots_[i].check != 0 && model.slots_[i].check != check)
      i = (i + 1) & mask;
    Slot& slot = model.slots_[i];
    if (slot.check == 0) ++model.rows_;
    slot.check = check;
    for (int k = 0; k < kNumIntents; ++k) {
      const float q =
          std::round(row.weights[k] / model.scale_) + slot.weights[k];
      slot.weights[k] = static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
    }
  }
  return model;
}

core::Result<LinearModel> LinearModel::LoadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return core::Status::NotFound("model: cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

const LinearModel::Slot& LinearModel::Find(uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t check = CheckOf(hash);
  size_t i = hash & mask;
  while (slots_[i].check != check && slots_[i].check != 0) i = (i + 1) & mask;
  return slots_[i];
}

IntentProbabilities LinearModel::Predict(std::string_view normalized) const {
  // int16 lanes vectorise well; flushing into int32 every 256 features keeps
  // them from overflowing (256 * 127 < 32767).
  std::array<int16_t, kLanes> lanes{};
  std::array<int32_t, kLanes> sum{};
  int count = 0;
  int since_flush = 0;
  const auto flush = [&] {
    for (int k = 0; k < kLanes; ++k) sum[k] += lanes[k];
    lanes.fill(0);
    since_flush = 0;
  };
  ForEachFeatureHash(normalized, [&](uint64_t h) {
    const int8_t* w = Find(h).weights;
    for (int k = 0; k < kLanes; ++k)
      lanes[k] = static_cast<int16_t>(lanes[k] + w[k]);
    ++count;
    if (++since_flush == 256) flush();
  });
  flush();
  // Same scaling as the trainer: the feature vector has unit length.
  const float scale =
      count == 0 ? 0.0f : scale_ / std::sqrt(static_cast<float>(count));
  std::array<float, kNumIntents> logit;
  float max_logit = -1e30f;
  for (int k = 0; k < kNumIntents; ++k) {
    logit[k] = bias_[k] + scale * static_cast<float>(sum[k]);
    max_logit = std::max(max_logit, logit[k]);
  }
  float total = 0;
  for (float& v : logit) total += (v = std::exp(v - max_logit));
  IntentProbabilities p;
  for (int k = 0; k < kNumIntents; ++k) p[k] = logit[k] / total;
  return p;
}

}  // namespace sportello::intents
