// The entity `city`: official names of Italian comuni from how people write
// them.
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

std::optional<std::string> City(const std::string& text) {
  return Extractor().Extract(text, kToday).city;
}

struct Case {
  const char* text;
  const char* city;  // nullptr: none
};

void CheckAll(std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    CAPTURE(c.text);
    if (c.city == nullptr) {
      CHECK(City(c.text) == std::nullopt);
    } else {
      CHECK(City(c.text) == std::optional<std::string>(c.city));
    }
  }
}

TEST_CASE("a comune is found by its official name in any case") {
  CheckAll({
      {"cerco lavoro come cameriere a Bari part time", "Bari"},
      {"lavoro a bari", "Bari"},
      {"LAVORO A BARI", "Bari"},
      {"ci sono offerte di lavoro a Modugno?", "Modugno"},
      {"offerte modugno", "Modugno"},
      {"Bitonto, ci sono offerte?", "Bitonto"},
      {"offerte per infermieri in provincia di Bari", "Bari"},
  });
}

TEST_CASE("a small typo in a comune is forgiven") {
  CheckAll({
      {"cerco lavoro a molfeta", "Molfetta"},
      {"lavoro a Molfeta come cameriera", "Molfetta"},
      {"offerte a barleta", "Barletta"},
      {"vivo a modungo", "Modugno"},
      {"sono di Conversanno", "Conversano"},
      {"lavoro vicino a san sevro", "San Severo"},
      {"cerco a Firenzze", "Firenze"},
  });
}

TEST_CASE("English and everyday names give the official name") {
  CheckAll({
      {"jobs in Milan", "Milano"},
      {"I live near Rome", "Roma"},
      {"any jobs in Naples?", "Napoli"},
      {"internship in Florence", "Firenze"},
      {"summer job in Venice", "Venezia"},
      {"moving to Turin", "Torino"},
      {"I study in Genoa", "Genova"},
      {"waiter in Padua", "Padova"},
      {"cerco lavoro a Reggio Emilia", "Reggio nell'Emilia"},
      {"lavoro a reggio nell'emilia", "Reggio nell'Emilia"},
      {"sono di Reggio Calabria", "Reggio di Calabria"},
      {"offerte a Polignano", "Polignano a Mare"},
      {"lavoro a Santeramo", "Santeramo in Colle"},
  });
}

TEST_CASE("a comune of several words is matched whole") {
  CheckAll({
      {"vivo a San Severo", "San Severo"},
      {"sono di San Giovanni Rotondo", "San Giovanni Rotondo"},
      {"abito a Sannicandro di Bari", "Sannicandro di Bari"},
      {"lavoro a Castellammare di Stabia", "Castellammare di Stabia"},
      {"vivo a Sant’Agata di Puglia", "Sant'Agata di Puglia"},
      {"lavoro a Reggio nell’Emilia", "Reggio nell'Emilia"},
  });
}

TEST_CASE("accents may be written or left out") {
  CheckAll({
      {"lavoro a Forlì", "Forlì"},
      {"lavoro a forli", "Forlì"},
      {"sono di Cantu'", "Cantù"},
      {"sono di Cefalù", "Cefalù"},
  });
}

TEST_CASE("a comune named like an ordinary word needs a place cue") {
  CheckAll({
      {"che ora è?", nullptr},
      {"a Ora ci sono offerte?", "Ora"},
      {"la vita è bella", nullptr},
      {"Salve, cerco lavoro", nullptr},
      {"Bella raga!", nullptr},
      {"lavoro in campagna", nullptr},
      {"lavoro in Campagna", "Campagna"},
      {"ciao sono Vittoria", nullptr},
      {"sono di Vittoria", "Vittoria"},
      {"cerco lavoro a prato", "Prato"},
      {"mi piace il calcio", nullptr},
      {"sale e pepe", nullptr},
      {"ciao porta futuro", nullptr},
      {"il mio paese è piccolo", nullptr},
      {"none of them", nullptr},
  });
}

TEST_CASE("ordinary words are not taken for misspelt comuni") {
  CheckAll({
      {"lavoro a turni", nullptr},
      {"lavoro di mattina", nullptr},
      {"quando posso venire a parlare con un consulente?", nullptr},
      {"nn riesco a venire, cancella pls", nullptr},
      {"come faccio a cancellarmi?", nullptr},
      {"mi può rispondere qualcuno in carne e ossa?", nullptr},
      {"cerco lavoro in centro", nullptr},
      {"cerco lavoro a tempo pieno", nullptr},
      {"a che ora aprite?", nullptr},
      {"ho dei dubbi in materia di contratti", nullptr},
      {"ci sono ancora posti?", nullptr},
      {"a trent'anni si può fare garanzia giovani?", nullptr},
  });
}

TEST_CASE("first names are not taken for misspelt comuni") {
  CheckAll({
      {"salve sono Andrea", nullptr},
      {"ciao sono Alessandro", nullptr},
      {"vado da Monica", nullptr},
      {"parlo con Matteo", nullptr},
      {"sono Marco e cerco lavoro", nullptr},
      {"vengo con Adriano", nullptr},
  });
}

TEST_CASE("regions and countries are not comuni") {
  CheckAll({
      {"ci sono offerte stagionali per l'estate in Salento?", nullptr},
      {"lavoro in Puglia", nullptr},
      {"sono in Italia da due anni", nullptr},
      {"vivo in Molise", nullptr},
  });
}

TEST_CASE("an exact name wins over a corrected typo") {
  CHECK(City("lavoro a molfeta o a Bari") == "Bari");
}

TEST_CASE("a name after a place cue wins over one named in passing") {
  CHECK(City("tifo Bari ma vivo a Molfetta") == "Molfetta");
}

}  // namespace
}  // namespace sportello::intents
