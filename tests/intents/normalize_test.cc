#include "intents/normalize.h"

#include <doctest/doctest.h>

#include <string>

#include "bot/core/utf8.h"

namespace sportello::intents {
namespace {

TEST_CASE(
    "fold lowercases and removes accents from Italian and other Latin "
    "letters") {
  CHECK(Fold("PERCHÉ Città Più Però") == "perche citta piu pero");
  CHECK(Fold("ÀÈÌÒÙ àèìòù áéíóú") == "aeiou aeiou aeiou");
  CHECK(Fold("Ñoño Çà Œuvre Straße Ærø Łódź") ==
        "nono ca oeuvre strasse aero lodz");
}

TEST_CASE("fold turns typographic apostrophes and spaces into plain ones") {
  CHECK(Fold("Sant’Agata c’è") == "sant'agata c'e");
  CHECK(Fold("a\xC2\xA0"
             "b") == "a b");  // no-break space
}

TEST_CASE("fold folds decomposed accents and full-width letters") {
  CHECK(Fold("pe\xCC\x81"
             "rche") == "perche");  // e + combining acute
  CHECK(Fold("ＣＩＡＯ") == "ciao");
}

TEST_CASE("fold lowercases Greek and Cyrillic and keeps other scripts") {
  CHECK(Fold("ΑΒΓ Привет") == "αβγ привет");
  CHECK(Fold("你好 🙂") == "你好 🙂");
}

TEST_CASE("fold repairs invalid UTF-8 instead of failing") {
  const std::string folded = Fold("ciao\xFF\xC3 mondo\xE2\x82");
  CHECK(folded == "ciao\xEF\xBF\xBD\xEF\xBF\xBD mondo\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(core::utf8::Repair(folded) == folded);
}

TEST_CASE("normalize expands Italian chat abbreviations") {
  CHECK(Normalize("x favore") == "per favore");
  CHECK(Normalize("nn lo so cmq") == "non lo so comunque");
  CHECK(Normalize("xké? xke xk") == "perche perche perche");
  CHECK(Normalize("qlc offerta") == "qualche offerta");
  CHECK(Normalize("ke fai") == "che fai");
  CHECK(Normalize("nn mi mandate + niente") == "non mi mandate piu niente");
  CHECK(Normalize("grz tnx pls") == "grazie thanks please");
}

TEST_CASE("normalize expands English contractions and shorthand") {
  CHECK(Normalize("I don't want it, I'm ok") == "i do not want it i am ok");
  CHECK(Normalize("can't won't what's") == "can not will not what is");
  CHECK(Normalize("u r gonna") == "you are going to");
}

TEST_CASE("normalize splits Italian elisions and drops accent apostrophes") {
  CHECK(Normalize("l'appuntamento c'è") == "l appuntamento c e");
  CHECK(Normalize("perche' piu'") == "perche piu");
}

TEST_CASE("normalize collapses stretched letters") {
  CHECK(Normalize("CIAOOOO") == "ciao");
  CHECK(Normalize("grazieeee siiii okkkk") == "grazie si ok");
  CHECK(Normalize("ciaoo nooo") == "ciao no");
  CHECK(Normalize("cammello good zoo 2000") == "cammello good zoo 2000");
}

TEST_CASE("normalize maps emoji that carry meaning and drops the others") {
  CHECK(Normalize("👍") == "si");
  CHECK(Normalize("👍🏻") == "si");  // skin tone modifier
  CHECK(Normalize("ehi 👋") == "ehi ciao");
  CHECK(Normalize("👎") == "no");
  CHECK(Normalize("🙏") == "grazie");
  CHECK(Normalize("😀😂🎉") == "");
}

TEST_CASE("normalize removes punctuation and extra spaces") {
  CHECK(Normalize("  Ciao!!!   come   va???  ") == "ciao come va");
  CHECK(Normalize("3/12, ore 10:30") == "3 12 ore 10 30");
  CHECK(Normalize("") == "");
}

TEST_CASE("normalize marks clauses at punctuation and at but") {
  const NormalizedText n =
      NormalizeDetailed("non cerco lavoro, voglio un appuntamento ma domani");
  REQUIRE(n.word_begin.size() == 8);
  CHECK(n.text == "non cerco lavoro voglio un appuntamento ma domani");
  CHECK(n.clause_start[0]);
  CHECK_FALSE(n.clause_start[1]);
  CHECK(n.clause_start[3]);  // "voglio" after the comma
  CHECK(n.clause_start[6]);  // "ma"
  CHECK(n.text.substr(n.word_begin[3], n.word_end[3] - n.word_begin[3]) ==
        "voglio");
  CHECK(n.folded == "non cerco lavoro, voglio un appuntamento ma domani");
}

TEST_CASE("normalize handles a 4096 character message") {
  std::string text;
  while (text.size() < 4096) text += "lavoro ";
  text.resize(4096);
  const std::string n = Normalize(text);
  CHECK(n.starts_with("lavoro lavoro"));
  CHECK(n.size() <= text.size());
}

}  // namespace
}  // namespace sportello::intents
