#include "intents/model.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "intents/engine.h"
#include "intents/features.h"
#include "intents/model_training.h"
#include "intents/normalize.h"

namespace sportello::intents {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int Best(const IntentProbabilities& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

TEST_CASE("feature hashes agree with the hashes of the feature strings") {
  for (const char* text : {"cerco lavoro a bari", "ciao", "", "a b c",
                           "parola lunghissima precipitevolissimevolmente x",
                           "привет мир", "3 12 ore 10 30"}) {
    CAPTURE(text);
    std::vector<uint64_t> from_strings;
    for (const std::string& f : FeatureStrings(text))
      from_strings.push_back(FeatureHash(f));
    std::vector<uint64_t> direct;
    ForEachFeatureHash(text, [&](uint64_t h) { direct.push_back(h); });
    CHECK(direct == from_strings);
  }
}

TEST_CASE("features are words word pairs and character n-grams") {
  const std::vector<std::string> f = FeatureStrings("cerco lavoro");
  const auto has = [&](const char* s) {
    return std::find(f.begin(), f.end(), s) != f.end();
  };
  CHECK(has("wcerco"));
  CHECK(has("b^ cerco"));
  CHECK(has("bcerco lavoro"));
  CHECK(has("blavoro $"));
  CHECK(has("c<ce"));
  CHECK(has("cro>"));
  CHECK(has("c<lav"));
}

TEST_CASE("the committed model is trained from the committed training set") {
  const std::string dir = DefaultDataDir();
  const std::string tsv = ReadFile(dir + "/train.tsv");
  REQUIRE_FALSE(tsv.empty());
  const auto examples = ParseTrainingSet(tsv, "train.tsv");
  REQUIRE_MESSAGE(examples.ok(), examples.status().ToString());
  const auto model = LinearModel::LoadFile(dir + "/model.tsv");
  REQUIRE_MESSAGE(model.ok(), model.status().ToString());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(TrainingSetFingerprint(tsv)));
  INFO("train.tsv changed: rebuild and run intents_train to retrain model.tsv");
  CHECK(model->source() == "train.tsv fnv64=" + std::string(hex) +
                               " examples=" + std::to_string(examples->size()));
}

TEST_CASE("the training set has at least 200 phrasings of every intent") {
  const auto examples =
      ParseTrainingSet(ReadFile(DefaultDataDir() + "/train.tsv"), "train.tsv");
  REQUIRE(examples.ok());
  std::vector<int> count(kNumIntents, 0);
  for (const auto& e : *examples) count[e.intent]++;
  for (int k = 0; k < kNumIntents; ++k) {
    CAPTURE(kIntentLabels[k]);
    CHECK(count[k] >= 200);
  }
  CHECK(examples->size() >= 200 * kNumIntents);
}

TEST_CASE("training learns a small task and the model file round-trips") {
  std::vector<TrainingExample> examples;
  for (const char* t :
       {"ciao", "buongiorno", "salve a tutti", "ciao ciao", "ehi ciao"}) {
    examples.push_back({t, IntentIndex("greet")});
  }
  for (const char* t : {"cerco lavoro", "offerte di lavoro", "cerco un impiego",
                        "lavoro a bari", "cerco lavoro come cuoco"}) {
    examples.push_back({t, IntentIndex("vacancy_search")});
  }
  const std::string text = TrainModel(examples, TrainingOptions{}, "unit test");
  const auto model = LinearModel::Parse(text, "unit");
  REQUIRE_MESSAGE(model.ok(), model.status().ToString());
  CHECK(model->source() == "unit test");
  CHECK(Best(model->Predict(Normalize("cerco lavorro a Roma"))) ==
        IntentIndex("vacancy_search"));
  CHECK(Best(model->Predict(Normalize("ciaoo"))) == IntentIndex("greet"));
  const IntentProbabilities p = model->Predict("qualcosa");
  double total = 0;
  for (const double v : p) total += v;
  CHECK(total == doctest::Approx(1.0));
}

TEST_CASE("training is deterministic") {
  std::vector<TrainingExample> examples = {{"grazie", IntentIndex("thanks")},
                                           {"no", IntentIndex("deny")},
                                           {"si", IntentIndex("affirm")}};
  CHECK(TrainModel(examples, TrainingOptions{}, "x") ==
        TrainModel(examples, TrainingOptions{}, "x"));
}

TEST_CASE("bad model files are rejected with the line") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"labels greet nope\n", "m:1: unknown label 'nope'"},
      {"labels greet deny\nbias 1\n", "m:2: bias needs one value per label"},
      {"labels greet\nbias 0\nf\tx\t5:1\n", "m:3: bad weight '5:1'"},
      {"labels greet\nbias 0\nf\tx\t0:abc\n", "m:3: bad weight '0:abc'"},
      {"labels greet\nf\tx\t0:1\n", "m:2: expected"},
      {"labels greet\n", "m: no bias line"},
      {"labels greet\nbias 0\nwhat\n", "m:3: unexpected line"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const auto model = LinearModel::Parse(c.text, "m");
    REQUIRE_FALSE(model.ok());
    CHECK(model.status().message().find(c.message) != std::string::npos);
  }
}

TEST_CASE("bad training lines are rejected with the line") {
  CHECK(ParseTrainingSet("text\tintent\nciao\tgreet\n", "t").ok());
  const auto no_tab = ParseTrainingSet("text\tintent\nciao\n", "t");
  REQUIRE_FALSE(no_tab.ok());
  CHECK(no_tab.status().message() == "t:2: expected text<TAB>intent");
  const auto bad_label = ParseTrainingSet("ciao\thello\n", "t");
  REQUIRE_FALSE(bad_label.ok());
  CHECK(bad_label.status().message() == "t:1: unknown intent 'hello'");
}

}  // namespace
}  // namespace sportello::intents
