// The entity `role`: the job, as the masculine singular Italian noun of the
// role catalogue (intents/data/roles.tsv).
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

std::optional<std::string> Role(const std::string& text) {
  return Extractor().Extract(text, kToday).role;
}

struct CatalogueLine {
  std::string role;
  std::vector<std::string> forms;
};

// roles.tsv as written, without "-" lines (phrases that name no role).
std::vector<CatalogueLine> ReadCatalogue() {
  std::ifstream in(DefaultDataDir() + "/roles.tsv");
  REQUIRE(in);
  std::vector<CatalogueLine> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '-') continue;
    CatalogueLine parsed;
    const size_t tab = line.find('\t');
    parsed.role = line.substr(0, tab);
    if (tab != std::string::npos) {
      std::string forms = line.substr(tab + 1) + ",";
      for (size_t pos = 0, comma;
           (comma = forms.find(',', pos)) != std::string::npos;
           pos = comma + 1) {
        std::string form = forms.substr(pos, comma - pos);
        while (!form.empty() && form.front() == ' ') form.erase(0, 1);
        while (!form.empty() && form.back() == ' ') form.pop_back();
        if (!form.empty()) parsed.forms.push_back(form);
      }
    }
    lines.push_back(parsed);
  }
  return lines;
}

TEST_CASE(
    "feminine plural and English forms give the masculine singular role") {
  const struct {
    const char* text;
    const char* role;
  } cases[] = {
      {"cerco lavoro come cameriere a Bari", "cameriere"},
      {"cerco lavoro come cameriera", "cameriere"},
      {"cercate camerieri?", "cameriere"},
      {"any jobs as a waiter?", "cameriere"},
      {"waitress wanted", "cameriere"},
      {"avete annunci per commessa?", "commesso"},
      {"cerco impiego come segretaria", "segretario"},
      {"offerte per infermieri", "infermiere"},
      {"cerco lavoro come sviluppatore web", "sviluppatore"},
      {"sono una programmatrice", "sviluppatore"},
      {"programmatori junior", "sviluppatore"},
      {"software developer in Milan", "sviluppatore"},
      {"lavoro come chef", "cuoco"},
      {"shop assistant", "commesso"},
      {"driver con patente C", "autista"},
      {"lavoro come OSS", "operatore socio sanitario"},
      {"sono un'operatrice socio-sanitaria", "operatore socio sanitario"},
      {"babysitter per l'estate", "babysitter"},
      {"faccio la baby-sitter", "babysitter"},
      {"receptionist in hotel", "receptionist"},
      {"cerco un posto da barista", "barista"},
      {"lavoro come bartender", "barista"},
      {"posto da pizzaiolo?", "pizzaiolo"},
      {"offerte x magazziniere", "magazziniere"},
      {"c'è lavoro x operaio a Bitonto", "operaio"},
      {"operatrice call center", "operatore call center"},
      {"lavoro in un call center", "operatore call center"},
      {"cerco lavoro come social media manager", "social media manager"},
      {"data analyst part time", "data analyst"},
      {"vorrei fare la parrucchiera", "parrucchiere"},
      {"estetista a Bari", "estetista"},
      {"lavoro nella logistica", "addetto logistica"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(Role(c.text) == std::optional<std::string>(c.role));
  }
}

TEST_CASE(
    "the longest role phrase wins and small words inside it do not matter") {
  CHECK(Role("cerco lavoro come aiuto cuoco") == "aiuto cuoco");
  CHECK(Role("aiuto in cucina") == "aiuto cuoco");
  CHECK(Role("cerco lavoro come addetta alle pulizie") == "addetto pulizie");
  CHECK(Role("addetto pulizie") == "addetto pulizie");
  CHECK(Role("cameriera ai piani in hotel") == "cameriere ai piani");
  CHECK(Role("real estate agent") == "agente immobiliare");
  CHECK(Role("agente di commercio") == "agente di commercio");
}

TEST_CASE("a misspelt role is corrected") {
  CHECK(Role("cerco lavoro come magaziniere") == "magazziniere");
  CHECK(Role("camerire part-time") == "cameriere");
  CHECK(Role("lavoro come elettricsta") == "elettricista");
  CHECK(Role("infermeire") == "infermiere");
}

TEST_CASE("words that only look like roles name none") {
  for (const char* text :
       {"fate corsi di informatica?", "mi serve il certificato medico",
        "ho perso una scommessa", "mi chiamo Salvatore", "sono un artista",
        "mi piace correre", "sono educato", "cosa insegnate?",
        "quando posso venire a parlare con un consulente?"}) {
    CAPTURE(text);
    CHECK(Role(text) == std::nullopt);
  }
}

TEST_CASE("the role catalogue has at least eighty roles") {
  CHECK(ReadCatalogue().size() >= 80);
}

TEST_CASE("every role and every form in the catalogue is found") {
  for (const CatalogueLine& line : ReadCatalogue()) {
    CAPTURE(line.role);
    CHECK(Role("cerco lavoro come " + line.role) == line.role);
    for (const std::string& form : line.forms) {
      CAPTURE(form);
      CHECK(Role("cerco lavoro come " + form) == line.role);
    }
  }
}

}  // namespace
}  // namespace sportello::intents
