#include "bot/core/utf8.h"

#include <doctest/doctest.h>

#include <string>

namespace utf8 = sportello::core::utf8;

TEST_CASE("utf-8 validity follows the standard") {
  CHECK(utf8::IsValid("ciao caff\xC3\xA8 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(utf8::IsValid("\xC0\xAF"));          // overlong
  CHECK_FALSE(utf8::IsValid("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(utf8::IsValid("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(utf8::IsValid("\xE2\x82"));          // truncated
  CHECK_FALSE(utf8::IsValid("\x80"));              // lone continuation
}

TEST_CASE("utf8 repair rejects overlong forms and surrogates") {
  CHECK(utf8::Repair("\xC0\xAF") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(utf8::Repair("\xED\xA0\x80") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  CHECK(utf8::Repair("ok \xF0\x9F\x91\x8D") ==
        "ok \xF0\x9F\x91\x8D");  // 👍 stays
}

TEST_CASE("decoding steps over an invalid byte as one U+FFFD") {
  const std::string s = "a\xC3\xA8\x80\xF0\x9F\x98\x80\xE2\x82";
  size_t pos = 0;
  CHECK(utf8::Decode(s, &pos) == U'a');
  CHECK(utf8::Decode(s, &pos) == U'\u00E8');
  CHECK(pos == 3);
  CHECK(utf8::Decode(s, &pos) == utf8::kReplacementChar);  // lone 0x80
  CHECK(pos == 4);
  CHECK(utf8::Decode(s, &pos) == U'\U0001F600');
  CHECK(utf8::Decode(s, &pos) == utf8::kReplacementChar);  // truncated
  CHECK(pos == 9);
  CHECK(utf8::SequenceLength(s, 9) == 1);
  CHECK(utf8::SequenceLength(s, 4) == 4);
}

TEST_CASE("appending a decoded code point gives back its bytes") {
  for (const std::string s :
       {"a", "\xC3\xA8", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD"}) {
    CAPTURE(s);
    size_t pos = 0;
    std::string out;
    utf8::Append(utf8::Decode(s, &pos), &out);
    CHECK(out == s);
    CHECK(pos == s.size());
  }
}

TEST_CASE("code points count each invalid byte as one character") {
  CHECK(utf8::CodePoints("") == 0);
  CHECK(utf8::CodePoints("caff\xC3\xA8") == 5);
  CHECK(utf8::CodePoints("\xF0\x9F\x98\x80") == 1);
  CHECK(utf8::CodePoints("\xC0\xAF") == 2);  // overlong: two bad bytes
  CHECK(utf8::CodePoints("a\x80") == 2);     // lone continuation byte
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
