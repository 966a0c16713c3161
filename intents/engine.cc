// TEMPORARY stub so the backbone builds; replaced by the real engine (issue 3).
#include "intents/engine.h"

#include <cstdlib>
#include <iostream>

namespace sportello::intents {
namespace {
class StubEngine final : public Engine {
 public:
  Analysis Analyze(std::string_view text, std::chrono::year_month_day, int) const override {
    Analysis a;
    a.intent = text.find("ciao") != std::string_view::npos ? "greet" : "out_of_scope";
    a.confidence = 0.5;
    a.lang = "it";
    a.top.push_back({a.intent, a.confidence});
    return a;
  }
};
}  // namespace

core::Result<std::unique_ptr<Engine>> Engine::Load(const std::string&) {
  return std::unique_ptr<Engine>(std::make_unique<StubEngine>());
}

std::string DefaultDataDir() {
  if (const char* dir = std::getenv("SPORTELLO_INTENTS_DIR")) return dir;
  return SPORTELLO_INTENTS_DEFAULT_DIR;
}

std::string AnalysisToJson(std::string_view, const Analysis&) { return "{}"; }

int RunClassifyCommand(int, char**) {
  std::cerr << "classify: not built yet\n";
  return 1;
}

}  // namespace sportello::intents
