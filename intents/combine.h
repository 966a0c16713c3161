// How rules and the model agree on an intent and a confidence.
//
// Each intent gets a score: the log of the model's (smoothed) probability,
// plus a bonus when a rule for it matched. The bonus shrinks by
// kPriorityStep for each priority point below the best matching rule, so
// priorities decide between rules and the model only breaks near-ties; the
// model alone decides when no rule matched. A softmax over the scores gives
// confidences: a rule the model agrees with ends near 1, a rule the model
// doubts near 0.5, and a model guess keeps the model's own probability.
#pragma once

#include <array>
#include <vector>

#include "intents/labels.h"
#include "intents/model.h"

namespace sportello::intents {

inline constexpr double kRuleBonus = 3.0;
inline constexpr double kPriorityStep = 0.5;
// No phrasing is certain: confidences stop here (the empty message aside).
inline constexpr double kMaxConfidence = 0.99;
// With no rule, a best model probability under this means nothing fits.
inline constexpr double kOutOfScopeBelow = 0.30;

struct RankedIntent {
  int intent = 0;
  double confidence = 0;
};

// `rule_priority[k]`: the highest priority of the matching rules for intent k,
// 0 if none matched. `vacancy_hint`: the message names a job role (a hint for
// vacancy_search when no rule matched). Returns all intents, best first.
std::vector<RankedIntent> Combine(
    const std::array<int, kNumIntents>& rule_priority,
    const IntentProbabilities& model, bool vacancy_hint);

}  // namespace sportello::intents
