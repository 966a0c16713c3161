#include "intents/model_training.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <random>
#include <unordered_map>

#include "intents/features.h"
#include "intents/labels.h"
#include "intents/normalize.h"

namespace sportello::intents {
namespace {

std::string FormatWeight(float w) {
  char buf[32];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, w, std::chars_format::general, 4);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

// Fisher-Yates over mt19937 directly: std::shuffle's draws differ between
// standard libraries, and the committed model should not.
void Shuffle(std::vector<size_t>* order, std::mt19937* rng) {
  for (size_t i = order->size(); i > 1; --i) {
    const size_t j = (*rng)() % i;
    std::swap((*order)[i - 1], (*order)[j]);
  }
}

}  // namespace

core::Result<std::vector<TrainingExample>> ParseTrainingSet(
    std::string_view tsv, std::string_view name) {
  std::vector<TrainingExample> examples;
  int line_no = 0;
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return core::Status::InvalidArgument(std::string(name) + ":" +
                                           std::to_string(line_no) +
                                           ": expected text<TAB>intent");
    }
    const std::string_view text = line.substr(0, tab);
    std::string_view label = line.substr(tab + 1);
    label = label.substr(0, label.find('\t'));
    if (line_no == 1 && text == "text") continue;  // header
    const int intent = IntentIndex(label);
    if (intent < 0) {
      return core::Status::InvalidArgument(
          std::string(name) + ":" + std::to_string(line_no) +
          ": unknown intent '" + std::string(label) + "'");
    }
    examples.push_back({std::string(text), intent});
  }
  return examples;
}

uint64_t TrainingSetFingerprint(std::string_view tsv) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a
  for (const char c : tsv) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string TrainModel(const std::vector<TrainingExample>& examples,
                       const TrainingOptions& options,
                       std::string_view source) {
  constexpr int K = kNumIntents;
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::string> names;
  std::vector<std::vector<uint32_t>> rows;  // feature ids per example
  for (const TrainingExample& example : examples) {
    std::vector<uint32_t> row;
    for (std::string& f : FeatureStrings(Normalize(example.text))) {
      const auto [it, added] =
          ids.try_emplace(f, static_cast<uint32_t>(names.size()));
      if (added) names.push_back(std::move(f));
      row.push_back(it->second);
    }
    rows.push_back(std::move(row));
  }

  std::vector<float> w(names.size() * K, 0.0f), g2(names.size() * K, 0.0f);
  std::vector<double> bias(K, 0.0), bias_g2(K, 0.0);
  std::vector<size_t> order(examples.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(options.seed);
  constexpr double kEps = 1e-8;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    Shuffle(&order, &rng);
    for (const size_t e : order) {
      const std::vector<uint32_t>& row = rows[e];
      const double scale =
          row.empty() ? 0.0 : 1.0 / std::sqrt(static_cast<double>(row.size()));
      std::array<double, K> p{};
      for (int k = 0; k < K; ++k) p[k] = 0;
      for (const uint32_t f : row) {
        for (int k = 0; k < K; ++k) p[k] += w[size_t{f} * K + k];
      }
      double max_logit = -1e30;
      for (int k = 0; k < K; ++k)
        max_logit = std::max(max_logit, p[k] = bias[k] + scale * p[k]);
      double total = 0;
      for (double& v : p) total += (v = std::exp(v - max_logit));
      for (int k = 0; k < K; ++k) {
        const double grad =
            p[k] / total - (k == examples[e].intent ? 1.0 : 0.0);
        bias_g2[k] += grad * grad;
        bias[k] -= options.learning_rate * grad / std::sqrt(bias_g2[k] + kEps);
        for (const uint32_t f : row) {
          float& weight = w[size_t{f} * K + k];
          const double g = scale * grad + options.l2 * weight;
          float& acc = g2[size_t{f} * K + k];
          acc += static_cast<float>(g * g);
          weight -= static_cast<float>(options.learning_rate * g /
                                       std::sqrt(acc + kEps));
        }
      }
    }
  }

  std::string out =
      "# Sportello intent model: multinomial logistic regression over the "
      "features of\n"
      "# intents/features.h. Written by intents_train from the training set "
      "named below;\n"
      "# do not edit: change train.tsv and retrain (see "
      "intents/tools/train_model.cc).\n"
      "# f<TAB>feature<TAB>column:weight ... (columns follow the labels "
      "line)\n";
  out.append("source ").append(source).append("\nlabels");
  for (const auto label : kIntentLabels) out.append(" ").append(label);
  out += "\nbias";
  for (int k = 0; k < K; ++k)
    out.append(" ").append(FormatWeight(static_cast<float>(bias[k])));
  out += "\n";
  for (size_t f = 0; f < names.size(); ++f) {
    // A feature adds its weights to every intent's score, so shifting them all
    // by one constant changes no probability; shifting by the median puts most
    // of them near zero, and those are left out of the file.
    std::array<float, K> row;
    std::copy(&w[f * K], &w[f * K] + K, row.begin());
    std::nth_element(row.begin(), row.begin() + K / 2, row.end());
    const float median = row[K / 2];
    std::string cells;
    for (int k = 0; k < K; ++k) {
      const float weight = w[f * K + k] - median;
      if (std::fabs(weight) < options.min_weight) continue;
      if (!cells.empty()) cells.push_back(' ');
      cells.append(std::to_string(k)).append(":").append(FormatWeight(weight));
    }
    if (!cells.empty())
      out.append("f\t").append(names[f]).append("\t").append(cells).append(
          "\n");
  }
  return out;
}

}  // namespace sportello::intents
