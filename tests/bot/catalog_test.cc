// Message catalogues: the shipped Italian and English texts match key for
// key, fit a phone screen, and lookups never fail loudly.
#include "bot/domain/catalog.h"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sportello {
namespace {

using core::Status;

Catalog Shipped() {
  auto c = Catalog::LoadEmbedded();
  REQUIRE(c.ok());
  return std::move(*c);
}

Catalog Small() {
  auto c = Catalog::FromJson({
      {"it",
       R"({"_comment":"x","hello":"Ciao {name}!","only_it":"Solo italiano",
                 "two":"{a} e {b} e {a}","open":"graffa { aperta"})"},
      {"en", R"({"hello":"Hi {name}!","two":"{a} and {b}"})"},
  });
  REQUIRE(c.ok());
  return std::move(*c);
}

// The {placeholders} of a text.
std::set<std::string> Placeholders(const std::string& text) {
  std::set<std::string> out;
  for (size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    const size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    out.insert(text.substr(open + 1, close - open - 1));
  }
  return out;
}

// Counts code points, so a limit speaks of characters, not bytes.
size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

TEST_CASE("the shipped catalogues are Italian and English") {
  CHECK(Shipped().Languages() == std::vector<std::string>{"en", "it"});
}

TEST_CASE("Italian and English have exactly the same keys") {
  const Catalog c = Shipped();
  const auto it = c.Keys("it");
  CHECK_FALSE(it.empty());
  CHECK(c.Keys("en") == it);
  for (const auto& key : it) {
    CAPTURE(key);
    CHECK(key.rfind('_', 0) != 0);  // "_comment" is not a text
  }
}

TEST_CASE("every placeholder of a text appears in both languages") {
  const Catalog c = Shipped();
  for (const auto& key : c.Keys("it")) {
    CAPTURE(key);
    CHECK(Placeholders(c.Text("it", key)) == Placeholders(c.Text("en", key)));
  }
}

TEST_CASE("every shipped text is non-empty and fits a phone screen") {
  const Catalog c = Shipped();
  for (const char* lang : {"it", "en"}) {
    for (const auto& key : c.Keys(lang)) {
      CAPTURE(lang);
      CAPTURE(key);
      const std::string text = c.Text(lang, key);
      CHECK_FALSE(text.empty());
      CHECK(text != key);
      CHECK(CodePoints(text) < 600);
      CHECK(text.find_first_not_of(" \n\t") == 0);  // no stray leading blank
    }
  }
}

TEST_CASE("the texts the bot relies on exist") {
  const Catalog c = Shipped();
  for (const char* key :
       {"welcome", "menu.prompt", "menu.jobs", "menu.booking", "menu.events",
        "menu.info", "menu.human", "not_understood", "handoff.queued",
        "info.text", "unsupported_media"}) {
    CAPTURE(key);
    CHECK(c.Has("it", key));
    CHECK(c.Has("en", key));
  }
}

TEST_CASE("button titles fit a WhatsApp reply button") {
  const Catalog c = Shipped();
  for (const char* lang : {"it", "en"}) {
    for (const auto& key : c.Keys(lang)) {
      const bool title = (key.rfind("menu.", 0) == 0 && key != "menu.prompt") ||
                         key == "list.button";
      if (!title) continue;
      CAPTURE(lang);
      CAPTURE(key);
      CHECK(CodePoints(c.Text(lang, key)) <= 20);
    }
  }
}

TEST_CASE("a text is found in the asked language") {
  CHECK(Small().Text("en", "hello", {{"name", "Ann"}}) == "Hi Ann!");
  CHECK(Small().Text("it", "hello", {{"name", "Anna"}}) == "Ciao Anna!");
}

TEST_CASE("a missing text falls back to Italian and then to the key") {
  const Catalog c = Small();
  SUBCASE("missing in English") {
    CHECK(c.Text("en", "only_it") == "Solo italiano");
  }
  SUBCASE("unknown language") {
    CHECK(c.Text("fr", "only_it") == "Solo italiano");
  }
  SUBCASE("missing everywhere") {
    CHECK(c.Text("en", "no.such.key") == "no.such.key");
  }
  SUBCASE("shipped") {
    CHECK(Shipped().Text("de", "menu.jobs") ==
          Shipped().Text("it", "menu.jobs"));
  }
}

TEST_CASE("placeholders are replaced and unknown ones stay as written") {
  const Catalog c = Small();
  CHECK(c.Text("it", "two", {{"a", "uno"}, {"b", "due"}}) == "uno e due e uno");
  CHECK(c.Text("it", "two", {{"a", "uno"}}) == "uno e {b} e uno");
  CHECK(c.Text("it", "hello") == "Ciao {name}!");
  CHECK(c.Text("it", "open", {{"x", "y"}}) == "graffa { aperta");
  // A value is not scanned again: a person's name with braces is safe.
  CHECK(c.Text("it", "two", {{"a", "{b}"}, {"b", "due"}}) == "{b} e due e {b}");
}

TEST_CASE("the shipped welcome names the centre") {
  const std::string text =
      Shipped().Text("it", "welcome", {{"centre", "Porta Futuro"}});
  CHECK(text.find("Porta Futuro") != std::string::npos);
  CHECK(text.find('{') == std::string::npos);
}

TEST_CASE("a catalogue that is not usable is refused") {
  SUBCASE("not JSON") {
    CHECK(Catalog::FromJson({{"it", "{"}}).status().code() ==
          Status::Code::kInvalidArgument);
  }
  SUBCASE("not an object") {
    CHECK(Catalog::FromJson({{"it", "[]"}}).status().code() ==
          Status::Code::kInvalidArgument);
  }
  SUBCASE("a text that is not a string") {
    auto c = Catalog::FromJson({{"it", R"({"a":1})"}});
    CHECK(c.status().code() == Status::Code::kInvalidArgument);
    CHECK(c.status().message().find("it.a") != std::string::npos);
  }
  SUBCASE("no Italian") {
    CHECK(Catalog::FromJson({{"en", R"({"a":"b"})"}}).status().code() ==
          Status::Code::kInvalidArgument);
  }
}

TEST_CASE("a language hint maps to a supported language") {
  const std::map<std::string, std::string> cases = {
      {"en", "en"}, {"EN", "en"},    {"en-GB", "en"}, {"en_US", "en"},
      {"it", "it"}, {"it-IT", "it"}, {"", "it"},      {"e", "it"},
      {"fr", "it"}, {"de-DE", "it"},
  };
  for (const auto& entry : cases) {
    CAPTURE(entry.first);
    CHECK(SupportedLanguage(entry.first) == entry.second);
  }
}

}  // namespace
}  // namespace sportello
