// How a message about the person's centre is read by its words alone, and
// the comune its place names: the rules behind placing people by comune.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "bot/domain/comuni.h"
#include "bot/flows/centre.h"
#include "intents/engine.h"

namespace sportello::flows {
namespace {

using Kind = CentreRequest::Kind;

const Comuni& Gazetteer() {
  static const Comuni comuni = Comuni::Load(intents::DefaultDataDir()).value();
  return comuni;
}

TEST_CASE("saying where one lives, asking for a centre, or to change") {
  struct Case {
    const char* text;
    Kind kind;
    const char* place;
  };
  const Case cases[] = {
      {"sono di Molfetta", Kind::kLivesIn, "molfetta"},
      {"Abito ad Altamura, cerco lavoro", Kind::kLivesIn, "altamura"},
      {"vivo a Sant’Agata di Puglia", Kind::kLivesIn, "sant'agata di puglia"},
      {"I live in Bari!", Kind::kLivesIn, "bari"},
      {"voglio andare al centro di Bari", Kind::kWantsCentre, "bari"},
      {"sono di Molfetta ma voglio il centro per l'impiego di Bari",
       Kind::kWantsCentre, "bari"},
      {"cambia centro", Kind::kChange, ""},
      {"Vorrei cambiare il centro per favore", Kind::kChange, ""},
      // The town centre is not a job centre; "disoccupato" is no place.
      {"cerco lavoro nel centro di Bari", Kind::kNone, ""},
      {"sono disoccupato", Kind::kNone, ""},
      {"sono di", Kind::kNone, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const CentreRequest r = ReadCentreRequest(c.text);
    CHECK(r.kind == c.kind);
    CHECK(r.place == c.place);
  }
}

TEST_CASE("the place is the longest run of first words naming a comune") {
  const auto names = [](std::string_view place) {
    std::vector<std::string> out;
    for (const auto* c : FindComune(Gazetteer(), place)) out.push_back(c->name);
    return out;
  };
  using Names = std::vector<std::string>;
  CHECK(names("molfetta e cerco lavoro") == Names{"Molfetta"});
  CHECK(names("molfeta da due anni") == Names{"Molfetta"});
  CHECK(names("san ferdinando di puglia") == Names{"San Ferdinando di Puglia"});
  CHECK(names("nuovo qui").empty());
  CHECK(names("casa con i miei").empty());
}

}  // namespace
}  // namespace sportello::flows
