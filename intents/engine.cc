// The engine: normalise, apply rules and model, combine, add language and
// entities.
#include "intents/engine.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "intents/calibration.h"
#include "intents/combine.h"
#include "intents/entities.h"
#include "intents/labels.h"
#include "intents/language.h"
#include "intents/model.h"
#include "intents/normalize.h"
#include "intents/rules.h"

namespace sportello::intents {
namespace {

class RulesAndModelEngine final : public Engine {
 public:
  RulesAndModelEngine(std::unique_ptr<RuleSet> rules, LinearModel model,
                      std::unique_ptr<EntityExtractor> entities,
                      Calibration calibration)
      : rules_(std::move(rules)),
        model_(std::move(model)),
        entities_(std::move(entities)),
        calibration_(std::move(calibration)) {}

  Analysis Analyze(std::string_view text, std::chrono::year_month_day today,
                   int top_k) const override {
    Analysis a;
    const NormalizedText normalized = NormalizeDetailed(text);
    a.lang = std::string(DetectLanguageOfFolded(normalized.folded));
    a.entities = entities_->Extract(text, today);
    std::vector<RankedIntent> ranked;
    if (normalized.text.empty()) {  // empty, or only emoji that say nothing
      ranked.push_back({kOutOfScope, 1.0});
      for (int k = 0; k < kNumIntents; ++k) {
        if (k != kOutOfScope) ranked.push_back({k, 0.0});
      }
    } else {
      std::array<int, kNumIntents> priority{};
      for (const int r : rules_->Apply(normalized)) {
        const Rule& rule = rules_->rules()[r];
        priority[rule.intent] = std::max(priority[rule.intent], rule.priority);
      }
      ranked = Combine(priority, model_.Predict(normalized.text),
                       a.entities.role.has_value());
      for (RankedIntent& r : ranked) {
        r.confidence =
            std::min(calibration_.Apply(r.confidence), kMaxConfidence);
      }
    }
    a.intent = std::string(kIntentLabels[ranked[0].intent]);
    a.confidence = ranked[0].confidence;
    const size_t k = static_cast<size_t>(std::max(1, top_k));
    for (size_t i = 0; i < ranked.size() && i < k; ++i) {
      a.top.push_back(
          {std::string(kIntentLabels[ranked[i].intent]), ranked[i].confidence});
    }
    return a;
  }

 private:
  std::unique_ptr<RuleSet> rules_;
  LinearModel model_;
  std::unique_ptr<EntityExtractor> entities_;
  Calibration calibration_;
};

}  // namespace

core::Result<std::unique_ptr<Engine>> Engine::Load(
    const std::string& data_dir) {
  auto rules = RuleSet::LoadDir(data_dir);
  if (!rules.ok()) return rules.status();
  auto model = LinearModel::LoadFile(data_dir + "/model.tsv");
  if (!model.ok()) return model.status();
  auto entities = EntityExtractor::Load(data_dir);
  if (!entities.ok()) return entities.status();
  // Without a calibration file the raw confidences stand (a data folder
  // made for a test); a file that is there must be right.
  auto calibration = Calibration::LoadFile(data_dir + "/calibration.tsv");
  if (!calibration.ok() &&
      calibration.status().code() != core::Status::Code::kNotFound)
    return calibration.status();
  return std::unique_ptr<Engine>(std::make_unique<RulesAndModelEngine>(
      std::move(*rules), std::move(*model), std::move(*entities),
      calibration.ok() ? std::move(*calibration) : Calibration()));
}

std::string ResolveDataDir(std::string_view env_dir,
                           const std::filesystem::path& executable) {
  if (!env_dir.empty()) return std::string(env_dir);
  // An installed binary finds its data relative to itself, so a prefix can
  // be moved (or packaged) as a whole; the model is the file every engine
  // needs.
  if (!executable.empty()) {
    const std::filesystem::path installed =
        executable.parent_path().parent_path() / SPORTELLO_INTENTS_INSTALL_DIR;
    std::error_code ec;
    if (std::filesystem::is_regular_file(installed / "model.tsv", ec))
      return installed.lexically_normal().string();
  }
  return SPORTELLO_INTENTS_SOURCE_DIR;
}

std::string DefaultDataDir() {
  const char* env = std::getenv("SPORTELLO_INTENTS_DIR");
  std::error_code ec;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ResolveDataDir(env ? env : "",
                        ec ? std::filesystem::path() : executable);
}

}  // namespace sportello::intents
