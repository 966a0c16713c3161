// The entity `contract`: full_time, part_time, tirocinio, stagionale,
// apprendistato.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "intents/engine.h"
#include "intents/entities.h"

namespace sportello::intents {
namespace {

constexpr std::chrono::year_month_day kToday{
    std::chrono::year(2026), std::chrono::month(11), std::chrono::day(18)};

const EntityExtractor& Extractor() {
  static const std::unique_ptr<EntityExtractor> extractor = [] {
    auto loaded = EntityExtractor::Load(DefaultDataDir());
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
  }();
  return *extractor;
}

std::optional<std::string> Contract(const std::string& text) {
  return Extractor().Extract(text, kToday).contract;
}

void CheckAll(const char* contract, std::initializer_list<const char*> texts) {
  for (const char* text : texts) {
    CAPTURE(text);
    CHECK(Contract(text) == std::optional<std::string>(contract));
  }
}

TEST_CASE("full time is asked for in Italian and English") {
  CheckAll("full_time",
           {"lavoro full time a Bari", "cerco un full-time", "FULLTIME",
            "cerco lavoro a tempo pieno", "orario pieno", "full time job"});
}

TEST_CASE("part time is asked for in Italian and English") {
  CheckAll("part_time",
           {"cerco lavoro come cameriere a Bari part time", "part-time",
            "un lavoro a tempo parziale", "anche mezza giornata",
            "mi servirebbe un lavoro part time x il weekend", "parttime"});
}

TEST_CASE("stage internship and tirocinio are all tirocinio") {
  CheckAll(
      "tirocinio",
      {"cerco uno stage", "stage a Bari", "cerco un tirocinio in marketing",
       "cosa sono i tirocini extracurriculari?", "hi do you have internships?",
       "internship in Turin", "cerco come stagista", "sono tirocinante",
       "trainee position"});
}

TEST_CASE("summer and season jobs are stagionale") {
  CheckAll("stagionale", {"ciao raga cerco lavoro x l'estate a bari",
                          "ci sono offerte stagionali?", "lavoretto estivo",
                          "lavoro per la stagione", "looking for a summer job",
                          "seasonal work", "lavori estivi al mare"});
}

TEST_CASE("apprentices ask for apprendistato") {
  CheckAll("apprendistato",
           {"contratto di apprendistato", "apprendista parrucchiera",
            "cerco apprendisti?", "apprenticeship in Milan"});
}

TEST_CASE("a misspelt contract word is corrected") {
  CHECK(Contract("cerco un tirocino") == "tirocinio");
  CHECK(Contract("contratto di apprendistao") == "apprendistato");
}

TEST_CASE("words that only look like contracts name none") {
  for (const char* text :
       {"come arrivo dalla stazione centrale?", "at this stage I need help",
        "real estate agent", "mi piace il palcoscenico",
        "cerco lavoro come cameriere"}) {
    CAPTURE(text);
    CHECK(Contract(text) == std::nullopt);
  }
}

}  // namespace
}  // namespace sportello::intents
