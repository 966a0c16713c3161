#include "bot/core/utf8.h"

#include <doctest/doctest.h>

#include <string>

namespace utf8 = sportello::channels::utf8;

TEST_CASE("utf-8 validity follows the standard") {
  CHECK(utf8::IsValid("ciao caff\xC3\xA8 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(utf8::IsValid("\xC0\xAF"));          // overlong
  CHECK_FALSE(utf8::IsValid("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(utf8::IsValid("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(utf8::IsValid("\xE2\x82"));          // truncated
  CHECK_FALSE(utf8::IsValid("\x80"));              // lone continuation
}

TEST_CASE("units count like telegram with astral characters as two") {
  CHECK(utf8::Units("") == 0);
  CHECK(utf8::Units("abc") == 3);
  CHECK(utf8::Units("caff\xC3\xA8") == 5);
  CHECK(utf8::Units("\xE2\x82\xAC") == 1);
  CHECK(utf8::Units("\xF0\x9F\x98\x80") == 2);
  CHECK(utf8::Units("\xFF\xFE") == 2);  // invalid bytes count one each
}

TEST_CASE("prefixes never cut inside a character") {
  const std::string s = "a\xC3\xA8\xF0\x9F\x98\x80z";  // a è 😀 z: units 1 1 2 1
  CHECK(utf8::PrefixWithinUnits(s, 1) == 1);
  CHECK(utf8::PrefixWithinUnits(s, 2) == 3);
  CHECK(utf8::PrefixWithinUnits(s, 3) == 3);
  CHECK(utf8::PrefixWithinUnits(s, 4) == 7);
  CHECK(utf8::PrefixWithinBytes(s, 2) == 1);
  CHECK(utf8::PrefixWithinBytes(s, 6) == 3);
  CHECK(utf8::PrefixWithinBytes(s, 7) == 7);
}

TEST_CASE("truncation ends in an ellipsis within the limit") {
  CHECK(utf8::Truncate("Lavoro", 6) == "Lavoro");
  CHECK(utf8::Truncate("Lavoro estivo", 8) ==
        "Lavoro\xE2\x80\xA6");  // trailing space dropped
  CHECK(utf8::Truncate("abc", 1) == "\xE2\x80\xA6");
  CHECK(utf8::Truncate("ab\xF0\x9F\x98\x80", 3) == "ab\xE2\x80\xA6");
}

TEST_CASE("split and split tail lose no words") {
  const auto parts = utf8::Split("uno due tre quattro", 8);
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == "uno due");
  CHECK(parts[1] == "tre");
  CHECK(parts[2] == "quattro");
  CHECK(utf8::Split("", 5).empty());
  // A space right after a full part is the best cut.
  const auto exact = utf8::Split("aaa bbbb cc", 8);
  REQUIRE(exact.size() == 2);
  CHECK(exact[0] == "aaa bbbb");
  CHECK(exact[1] == "cc");
  CHECK(utf8::Split("\xF0\x9F\x98\x80", 1).size() ==
        1);  // wider than the limit: kept whole

  const auto ht = utf8::SplitTail("primo paragrafo\n\nsecondo", 10);
  CHECK(ht.head == "primo paragrafo");
  CHECK(ht.tail == "secondo");
  const auto fits = utf8::SplitTail("corto", 10);
  CHECK(fits.head.empty());
  CHECK(fits.tail == "corto");
}

TEST_CASE("log quoting cuts long text and hides control characters") {
  CHECK(utf8::ForLog("a\nb\x1b[31m", 80) == "a?b?[31m");
  CHECK(utf8::ForLog(std::string(100, 'x'), 10) ==
        std::string(10, 'x') + "\xE2\x80\xA6");
  CHECK(utf8::ForLog("\xC3\xA8\xC3\xA8", 3) == "\xC3\xA8\xE2\x80\xA6");
}
