// The statistical second opinion: multinomial logistic regression over the
// features of features.h, read from a model file written by our trainer
// (intents/tools/train_model.cc, from intents/data/train.tsv).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "intents/labels.h"

namespace sportello::intents {

using IntentProbabilities = std::array<double, kNumIntents>;

class LinearModel {
 public:
  // Parses a model file; InvalidArgument names the line that is wrong.
  static core::Result<LinearModel> Parse(std::string_view text,
                                         std::string_view name);
  static core::Result<LinearModel> LoadFile(const std::string& path);

  // P(intent | text) for a normalised text; sums to 1. Thread-safe.
  IntentProbabilities Predict(std::string_view normalized) const;

  // The "source" line of the file: which training set it was trained from.
  const std::string& source() const { return source_; }
  size_t feature_count() const { return rows_; }

 private:
  // One feature's weights, quantised to int8 (times scale_), with 32 bits of
  // its hash to tell it from others in the same slot run: 32 bytes, so each
  // feature costs one cache line, and an unknown feature reads an empty slot's
  // zeros instead of taking a branch the CPU cannot predict.
  static constexpr int kLanes = 28;
  struct alignas(32) Slot {
    int8_t weights[kLanes] = {};
    uint32_t check = 0;  // 0: empty
  };
  static_assert(sizeof(Slot) == 32 && kNumIntents <= kLanes);

  LinearModel() = default;
  // The slot of `hash`, or an empty slot (all weights zero).
  const Slot& Find(uint64_t hash) const;

  std::string source_;
  std::array<float, kNumIntents> bias_{};
  float scale_ = 1;  // weight = int8 value * scale_
  std::vector<Slot>
      slots_;  // open addressing, linear probing, power-of-two size
  size_t rows_ = 0;
};

}  // namespace sportello::intents
