// Calibration: maps the engine's raw confidence (from Combine) to the
// probability that the intent is right, as measured on phrasings the model
// did not train on. Read from calibration.tsv, written by
// `intents_eval --cv K --write-calibration` (isotonic regression over
// cross-validation folds of train.tsv, each template held out whole).
//
// A Calibration is a monotone piecewise-linear map: it keeps the order of
// the intents, so it changes how sure the engine says it is, never what it
// says. Immutable after Parse; Apply is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/status.h"

namespace sportello::intents {

class Calibration {
 public:
  // The map that changes nothing (no calibration file).
  Calibration() = default;

  // "raw<TAB>calibrated" knot lines, raw increasing, calibrated
  // non-decreasing, both in [0,1]; '#' comments. InvalidArgument names the
  // line.
  static core::Result<Calibration> Parse(std::string_view text,
                                         std::string_view name);
  // NotFound when the file is missing.
  static core::Result<Calibration> LoadFile(const std::string& path);

  // Fits the map to (raw confidence, was right) observations: pool adjacent
  // violators over confidence-sorted blocks of at least `min_block`
  // observations, each block's accuracy shrunk towards its mean raw
  // confidence by `prior` pseudo-observations. Returns the file text.
  static std::string Fit(std::vector<std::pair<double, bool>> observed,
                         int min_block = 40, double prior = 4);

  double Apply(double raw) const;
  bool identity() const { return knots_.empty(); }

 private:
  std::vector<std::pair<double, double>> knots_;  // (raw, calibrated)
};

}  // namespace sportello::intents
