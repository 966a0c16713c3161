// The gazetteer's comuni by ISTAT code and by name, as centres are given
// the comuni they serve.
#include "bot/domain/comuni.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "intents/engine.h"

namespace sportello {
namespace {

const Comuni& Gazetteer() {
  static const Comuni comuni = [] {
    auto loaded = Comuni::Load(intents::DefaultDataDir());
    REQUIRE(loaded.ok());
    return std::move(*loaded);
  }();
  return comuni;
}

TEST_CASE("every comune of the gazetteer is there, by its ISTAT code") {
  CHECK(Gazetteer().size() > 7000);
  const Comuni::Comune* molfetta = Gazetteer().ByIstat("072029");
  REQUIRE(molfetta != nullptr);
  CHECK(molfetta->name == "Molfetta");
  CHECK(molfetta->province == "BA");
  CHECK(Gazetteer().ByIstat("999999") == nullptr);
}

TEST_CASE("a comune is found by name whatever the case and accents") {
  for (const char* name : {"Cefalù", "cefalu", "CEFALÙ"}) {
    CAPTURE(name);
    const auto found = Gazetteer().Named(name);
    REQUIRE(found.size() == 1);
    CHECK(found[0]->istat == "082027");
  }
  CHECK(Gazetteer().Named("Atlantide").empty());
}

TEST_CASE("comuni that share a name are all found, in file order") {
  const auto castro = Gazetteer().Named("Castro");
  REQUIRE(castro.size() == 2);
  CHECK(castro[0]->province == "BG");
  CHECK(castro[1]->istat == "075096");
}

TEST_CASE("six digits are a code, anything else a name") {
  REQUIRE(Gazetteer().Find("072006").size() == 1);
  CHECK(Gazetteer().Find("072006")[0]->name == "Bari");
  REQUIRE(Gazetteer().Find("Sant'Agata Bolognese").size() == 1);
  CHECK(Gazetteer().Find("Sant'Agata Bolognese")[0]->istat == "037056");
  CHECK(Gazetteer().Find("72006").empty());  // a code has six digits
  CHECK(Gazetteer().Find("075096").size() == 1);
}

// The istat codes Closest finds for what a person typed.
std::vector<std::string> Meant(std::string_view typed) {
  std::vector<std::string> codes;
  for (const auto* c : Gazetteer().Closest(typed)) codes.push_back(c->istat);
  return codes;
}

TEST_CASE("a comune typed with a slip is still found") {
  using Codes = std::vector<std::string>;
  const Codes molfetta{"072029"}, altamura{"072004"};
  CHECK(Meant("Molfetta") == molfetta);
  CHECK(Meant("molfetta") == molfetta);
  CHECK(Meant("Molfeta") == molfetta);    // a letter missing
  CHECK(Meant("Mollfetta") == molfetta);  // one too many
  CHECK(Meant("Molfetat") == molfetta);   // two swapped
  CHECK(Meant("altamura") == altamura);
  CHECK(Meant("Altamira") == altamura);  // changed, in a long name
  CHECK(Meant("ALTAMURA") == altamura);
  // Apostrophes, accents, hyphens and spaces as people type them.
  CHECK(Meant("sant agata bolognese") == Codes{"037056"});
  CHECK(Meant("santagata bolognese") == Codes{"037056"});
  CHECK(Meant("cefalu") == Codes{"082027"});
}

TEST_CASE("a slip that makes another word, or could be two towns, is not") {
  CHECK(Meant("nuovo").empty());     // not Nuoro: a changed letter, short
  CHECK(Meant("Mlofetta").empty());  // the first two letters are kept
  CHECK(Meant("Bar").empty());       // too short to guess
  CHECK(Meant("Atlantide").empty());
  CHECK(Meant("").empty());
  // One letter too many for Castro, a name two comuni share: both.
  CHECK(Meant("Castroo").size() == 2);
}

TEST_CASE("a missing gazetteer is NotFound") {
  CHECK(Comuni::Load("/nonexistent").status().code() ==
        core::Status::Code::kNotFound);
}

}  // namespace
}  // namespace sportello
