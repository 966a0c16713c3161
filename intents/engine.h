// The intent engine: turns one message into an intent, a confidence, the reply
// language and entities. Build once with Load(); Analyze() is const and
// thread-safe.
//
//   auto engine = Engine::Load(DefaultDataDir());
//   if (!engine.ok()) ...;
//   Analysis a = (*engine)->Analyze("cerco lavoro a Bari", today);
//   // a.intent == "vacancy_search", a.entities.city == "Bari"
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"

namespace sportello::intents {

struct Entities {
  // Official municipality name: "Molfetta".
  std::optional<std::string> city;
  // Masculine singular Italian noun: "cameriere".
  std::optional<std::string> role;
  // full_time | part_time | tirocinio | stagionale | apprendistato.
  std::optional<std::string> contract;
  // ISO YYYY-MM-DD, resolved against `today`.
  std::optional<std::string> date;
};

struct IntentScore {
  std::string intent;
  double confidence = 0;  // in [0,1], calibrated (see Analysis)
};

struct Analysis {
  // One of the labels in intents/labels.h; "out_of_scope" if
  // nothing fits.
  std::string intent;
  // In [0,1], calibrated: about the share of messages read at this
  // confidence that are read right. Below ~0.65 the bot should ask, offering
  // top[0] and top[1].
  double confidence = 0;
  std::string lang;  // reply language: "it" or "en"
  Entities entities;
  // The best top_k intents, best first; top[0] is {intent, confidence}.
  std::vector<IntentScore> top;
};

class Engine {
 public:
  // Loads rule files, the model and the gazetteers from `data_dir`.
  static core::Result<std::unique_ptr<Engine>> Load(
      const std::string& data_dir);
  virtual ~Engine() = default;

  // `today` is the reference date for relative dates (Europe/Rome).
  virtual Analysis Analyze(std::string_view text,
                           std::chrono::year_month_day today,
                           int top_k = 2) const = 0;
};

// Where the rule files, model and gazetteers are read from:
// $SPORTELLO_INTENTS_DIR if set; else, for an installed binary
// (`cmake --install`), <prefix>/share/sportello/intents beside its bin/;
// else the source tree's intents/data (a binary run from its build folder).
std::string DefaultDataDir();

// DefaultDataDir's decision, given the variable's value (may be empty) and
// the running binary's path.
std::string ResolveDataDir(std::string_view env_dir,
                           const std::filesystem::path& executable);

// The JSON line `sportello classify` prints for one input line.
std::string AnalysisToJson(std::string_view text, const Analysis& analysis);

// `sportello classify [--now YYYY-MM-DD] [--top K]`: stdin lines -> JSON lines.
// Returns the process exit code.
int RunClassifyCommand(int argc, char** argv);

}  // namespace sportello::intents
