// The Italian municipalities (comuni.tsv) and how a message names one:
// official names, English and short names (city_aliases.tsv), small typos.
//
// Many comuni are also ordinary words ("Ora", "Vita", "Sale", "Paese"); those
// listed in city_common_words.txt, and names of four letters or fewer below
// 25,000 inhabitants, count as a city only after a place cue ("a", "in",
// "di", "da", "vicino", "near", "to"...) and when written with a capital or
// naming a city of 40,000 or more ("lavoro a prato" is Prato, "in campagna" is
// not Campagna, "in Campagna" is).
//
// Typos are forgiven only in words after a place cue that are neither common
// words nor `protected_words`: one missing, extra or swapped letter past the
// first two, in names of towns of 20,000 or more (any town for capitalised
// words of eight letters or more).
// Changed letters are not forgiven: they mostly make another word or a first
// name ("dorato" is not Corato, "Andrea" not Andria).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "intents/entities/phrase_index.h"
#include "intents/entities/tokens.h"

namespace sportello::intents::entities {

class Gazetteer {
 public:
  // Reads comuni.tsv, city_aliases.tsv and city_common_words.txt from
  // `data_dir`. `protected_words` (folded) are words other entities own
  // ("turni", "cameriere"): never read as a misspelt city.
  static core::Result<Gazetteer> Load(
      const std::string& data_dir,
      const std::vector<std::string>& protected_words);

  // The official name of the municipality the message names, if any. When it
  // names several, an exact name after a cue wins over a bare one, which wins
  // over a corrected typo; then the earliest.
  std::optional<std::string> FindCity(const std::vector<Token>& tokens) const;

  // Whether `word` (folded) is by itself the name or alias of a municipality.
  bool IsName(std::string_view word) const { return names_.Contains(word); }
  bool IsName(const Token& word) const { return names_.Contains(word); }
  size_t size() const { return places_.size(); }
  // Calls `fn` with each word that announces a place (Token::lexicon).
  static void ForEachPlaceCue(
      const std::function<void(const std::string&)>& fn);
  // Calls `fn` with each word that starts a name (Token::lexicon).
  template <typename Fn>
  void ForEachFirstWord(Fn&& fn) const {
    names_.ForEachFirstWord(fn);
  }

 private:
  struct Place {
    std::string name;         // official: "Reggio nell'Emilia"
    uint32_t population = 0;  // 2011 census
  };
  Gazetteer() : names_(/*skip_connectors=*/false) {}
  core::Status ReadComuni(const std::string& path);
  core::Status ReadAliases(const std::string& path);
  core::Status ReadCommonWords(const std::string& path);

  // Whether `key` (folded words), naming `place`, is also an ordinary word.
  bool IsCommon(std::string_view key, uint32_t place) const;
  // How strongly an exact name reads as a city here; 0: it does not.
  int ScoreExact(const std::vector<Token>& tokens,
                 const PhraseMatch& match) const;
  // The likeliest municipality misspelt at tokens[begin], scored; 0: none.
  std::pair<std::optional<PhraseMatch>, int> BestTypo(
      const std::vector<Token>& tokens, size_t begin) const;

  std::vector<Place>
      places_;         // most populous first, so a lower index wins ties
  PhraseIndex names_;  // folded names and aliases -> index in places_
  std::vector<std::string> place_keys_;  // by place, while loading
  std::vector<bool>
      common_place_;    // by place: its official name is an ordinary word
  WordSet common_;      // city_common_words.txt
  WordSet not_places_;  // aliases of "-": regions and areas named like a comune
  WordSet protected_;   // words of the other entities
};

}  // namespace sportello::intents::entities
