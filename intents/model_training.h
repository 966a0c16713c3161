// Training the linear model (model.h) from a labelled TSV. Run offline by
// intents/tools/train_model.cc; the resulting model file is committed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"

namespace sportello::intents {

struct TrainingExample {
  std::string text;
  int intent = 0;  // index into kIntentLabels
};

// "text<TAB>intent[<TAB>anything]" lines; blank lines, '#' comments and a
// "text<TAB>intent..." header are skipped. InvalidArgument names the line.
core::Result<std::vector<TrainingExample>> ParseTrainingSet(
    std::string_view tsv, std::string_view name);

// Identifies a training file's exact bytes; the model file records it so a
// test can tell when the model is older than its training set.
uint64_t TrainingSetFingerprint(std::string_view tsv);

struct TrainingOptions {
  int epochs = 30;
  double learning_rate = 0.2;  // AdaGrad step
  double l2 = 1e-5;            // per update, on the touched weights
  uint32_t seed = 7;           // example order; training is deterministic
  float min_weight =
      0.2f;  // smaller weights (after centring) stay out of the file
};

// Trains on `examples` and returns the model file's text. `source` becomes its
// "source" line.
std::string TrainModel(const std::vector<TrainingExample>& examples,
                       const TrainingOptions& options, std::string_view source);

}  // namespace sportello::intents
