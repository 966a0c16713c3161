#include "intents/combine.h"

#include <algorithm>
#include <cmath>

namespace sportello::intents {
namespace {

// Mixing in a uniform share keeps log() finite and stops a confident model
// from vetoing a rule outright.
constexpr double kModelSmoothing = 0.1;
constexpr double kVacancyHintBonus = 1.0;

}  // namespace

std::vector<RankedIntent> Combine(
    const std::array<int, kNumIntents>& rule_priority,
    const IntentProbabilities& model, bool vacancy_hint) {
  const int top_priority =
      *std::max_element(rule_priority.begin(), rule_priority.end());
  // exp(log p + bonus) = p * exp(bonus): only matched intents need an exp.
  std::array<double, kNumIntents> weight{};
  double total = 0;
  for (int k = 0; k < kNumIntents; ++k) {
    weight[k] =
        (1 - kModelSmoothing) * model[k] + kModelSmoothing / kNumIntents;
    if (rule_priority[k] > 0) {
      weight[k] *= std::exp(std::max(
          0.0, kRuleBonus - kPriorityStep * (top_priority - rule_priority[k])));
    }
    if (k == kVacancySearch && top_priority == 0 && vacancy_hint) {
      weight[k] *= std::exp(kVacancyHintBonus);
    }
    total += weight[k];
  }
  std::vector<RankedIntent> ranked;
  ranked.reserve(kNumIntents);
  for (int k = 0; k < kNumIntents; ++k)
    ranked.push_back({k, weight[k] / total});
  std::sort(ranked.begin(), ranked.end(),
            [](const RankedIntent& a, const RankedIntent& b) {
              return a.confidence > b.confidence ||
                     (a.confidence == b.confidence && a.intent < b.intent);
            });
  if (top_priority == 0 && ranked[0].intent != kOutOfScope &&
      ranked[0].confidence < kOutOfScopeBelow) {
    // Nothing fits: out_of_scope leads, the guesses stay below it for "did you
    // mean".
    const auto oos = std::find_if(
        ranked.begin(), ranked.end(),
        [](const RankedIntent& r) { return r.intent == kOutOfScope; });
    const RankedIntent lead{kOutOfScope, 1.0 - ranked[0].confidence};
    ranked.erase(oos);
    ranked.insert(ranked.begin(), lead);
  }
  for (RankedIntent& r : ranked)
    r.confidence = std::min(r.confidence, kMaxConfidence);
  return ranked;
}

}  // namespace sportello::intents
