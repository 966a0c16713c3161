// intents_train: trains the intent model from train.tsv and writes model.tsv.
//
//   intents_train [--data DIR] [--check] [--min-weight W] [--l2 L] [--epochs N]
//
// DIR defaults to DefaultDataDir(). --check only verifies that model.tsv was
// trained from the current train.tsv (exit 1 if not), for CI.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>

#include "bot/core/numbers.h"
#include "intents/engine.h"
#include "intents/labels.h"
#include "intents/model.h"
#include "intents/model_training.h"
#include "intents/normalize.h"

namespace si = sportello::intents;

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream text;
  text << file.rdbuf();
  *out = text.str();
  return true;
}

std::string SourceLine(const std::string& tsv, size_t examples) {
  char hex[17];
  std::snprintf(
      hex, sizeof hex, "%016llx",
      static_cast<unsigned long long>(si::TrainingSetFingerprint(tsv)));
  return "train.tsv fnv64=" + std::string(hex) +
         " examples=" + std::to_string(examples);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = si::DefaultDataDir();
  bool check = false;
  si::TrainingOptions options;
  const auto usage = [] {
    std::cerr << "usage: intents_train [--data DIR] [--check] [--min-weight "
                 "W] [--l2 L] "
                 "[--epochs N]\n";
    return 2;
  };
  // A value that is not a number is a usage error, not a silent 0.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--min-weight") == 0 && i + 1 < argc) {
      const auto v = sportello::core::ParseFloat(argv[++i]);
      if (!v) return usage();
      options.min_weight = *v;
    } else if (std::strcmp(argv[i], "--l2") == 0 && i + 1 < argc) {
      const auto v = sportello::core::ParseDouble(argv[++i]);
      if (!v) return usage();
      options.l2 = *v;
    } else if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      const auto v = sportello::core::ParseInt(argv[++i], 0,
                                               std::numeric_limits<int>::max());
      if (!v) return usage();
      options.epochs = static_cast<int>(*v);
    } else if (std::strcmp(argv[i], "--check") == 0) {
      check = true;
    } else {
      return usage();
    }
  }
  std::string tsv;
  if (!ReadFile(dir + "/train.tsv", &tsv)) {
    std::cerr << "intents_train: cannot read " << dir << "/train.tsv\n";
    return 1;
  }
  auto examples = si::ParseTrainingSet(tsv, "train.tsv");
  if (!examples.ok()) {
    std::cerr << "intents_train: " << examples.status().ToString() << "\n";
    return 1;
  }
  const std::string source = SourceLine(tsv, examples->size());
  const std::string model_path = dir + "/model.tsv";
  if (check) {
    auto model = si::LinearModel::LoadFile(model_path);
    if (!model.ok() || model->source() != source) {
      std::cerr << "intents_train: " << model_path
                << " is not trained from the current "
                << "train.tsv; run intents_train\n";
      return 1;
    }
    std::cout << "model.tsv is up to date (" << source << ")\n";
    return 0;
  }
  const std::string text = si::TrainModel(*examples, options, source);
  auto model = si::LinearModel::Parse(text, model_path);
  if (!model.ok()) {
    std::cerr << "intents_train: " << model.status().ToString() << "\n";
    return 1;
  }
  int correct = 0;
  for (const auto& e : *examples) {
    const auto p = model->Predict(si::Normalize(e.text));
    correct += std::max_element(p.begin(), p.end()) - p.begin() == e.intent;
  }
  std::ofstream out(model_path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "intents_train: cannot write " << model_path << "\n";
    return 1;
  }
  std::cout << "wrote " << model_path << ": " << model->feature_count()
            << " features, " << examples->size()
            << " examples, training accuracy "
            << 100.0 * correct / std::max<size_t>(1, examples->size()) << "%\n";
  return 0;
}
