// FTS5 expressions as PostgreSQL tsquery text: words quoted, prefixes kept,
// column filters as weights, NEAR spelled out; what has no translation is
// refused rather than guessed.
#include "storage/fts_tsquery.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sportello::storage {
namespace {

const std::vector<WeightedColumn> kColumns = {{"title", 'A'},
                                              {"description", 'B'},
                                              {"sector", 'B'},
                                              {"employer", 'C'},
                                              {"requirements", 'D'}};

std::string Translate(const std::string& fts) {
  auto q = FtsToTsquery(fts, kColumns);
  REQUIRE_MESSAGE(q.ok(), q.status().ToString());
  return *q;
}

bool Refused(const std::string& fts) {
  return FtsToTsquery(fts, kColumns).status().code() ==
         core::Status::Code::kInvalidArgument;
}

TEST_CASE("words, phrases and prefixes become quoted lexemes") {
  CHECK(Translate("\"caffè\"") == "('caffè')");
  CHECK(Translate("\"camerier\"*") == "('camerier':*)");
  CHECK(Translate("\"addetto alle pulizie\"") ==
        "('addetto' <-> 'alle' <-> 'pulizie')");
  CHECK(Translate("barista") == "('barista')");
  // An apostrophe splits words, as in unicode61.
  CHECK(Translate("\"l'a\"") == "('l' <-> 'a')");
}

TEST_CASE("operators keep FTS5's precedence: NOT, then AND, then OR") {
  CHECK(Translate("\"a\" OR \"b\" \"c\"") == "(('a') | (('b') & ('c')))");
  CHECK(Translate("\"a\" AND \"b\" NOT \"c\"") == "(('a') & (('b') & !('c')))");
  CHECK(Translate("(\"a\" OR \"b\") \"c\"") == "((('a') | ('b')) & ('c'))");
}

TEST_CASE("column filters become the weights of their columns") {
  CHECK(Translate("{title} : \"x\"*") == "('x':*A)");
  CHECK(Translate("{title description sector} : (\"x\" OR \"y\")") ==
        "(('x':AB) | ('y':AB))");
  CHECK(Translate("employer : \"x\"") == "('x':C)");
  CHECK(Translate("-{employer requirements} : \"x\"") == "('x':AB)");
  // Nested filters intersect.
  CHECK(Translate("{title employer} : ({employer requirements} : \"x\")") ==
        "('x':C)");
}

TEST_CASE("NEAR is every order and spacing within the distance") {
  CHECK(Translate("NEAR(\"a\" \"b\", 1)") ==
        "(('a' <1> 'b') | ('a' <2> 'b') | ('b' <1> 'a') | ('b' <2> 'a'))");
  CHECK(Translate("NEAR(\"a\")") == "('a')");
  // Three words, at most 3 from the first to the last (the middle one
  // included): 6 orders times 6 spacings.
  const std::string three = Translate("NEAR(\"a\" \"b\" \"c\", 3)");
  size_t alternatives = 1;
  for (size_t at = three.find(" | "); at != std::string::npos;
       at = three.find(" | ", at + 1)) {
    ++alternatives;
  }
  CHECK(alternatives == 36);
  CHECK(three.find("('a' <2> 'b' <2> 'c')") != std::string::npos);
  CHECK(three.find("('a' <3> 'b' <2> 'c')") == std::string::npos);
  // Too many spellings: all of the phrases, wherever they are.
  CHECK(Translate("NEAR(\"a\" \"b\" \"c\" \"d\")") ==
        "(('a') & ('b') & ('c') & ('d'))");
}

TEST_CASE("what tsquery cannot say is refused") {
  CHECK(Refused("{description} : \"x\""));  // shares its weight with sector
  CHECK(Refused("{salary} : \"x\""));
  CHECK(Refused("\"x"));
  CHECK(Refused("\"\""));
  CHECK(Refused("^\"x\""));
  CHECK(Refused("\"x\" +\"y\""));
  CHECK(Refused("(\"x\""));
  CHECK(Refused("\"x\" OR"));
  CHECK(Refused("NEAR(\"x\" \"y\", z)"));
}

}  // namespace
}  // namespace sportello::storage
