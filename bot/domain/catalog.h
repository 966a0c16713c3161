// Message catalogues: every text the bot says, per language
// (bot/domain/catalog/ it.json first, en.json), looked up by key. Placeholders
// are {name}.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/status.h"

namespace sportello {

class Catalog {
 public:
  using Vars = std::vector<std::pair<std::string_view, std::string_view>>;

  // The catalogues compiled into the binary.
  static core::Result<Catalog> LoadEmbedded();
  // Catalogues from JSON texts, by language ("it" -> its JSON object text).
  static core::Result<Catalog> FromJson(
      const std::map<std::string, std::string>& by_language);

  // The text for `key` in `lang`, falling back to Italian, then to the key
  // itself (so a missing text shows up, never crashes). {name} is replaced
  // by the matching var; unknown placeholders stay as written.
  std::string Text(std::string_view lang, std::string_view key,
                   const Vars& vars = {}) const;

  bool Has(std::string_view lang, std::string_view key) const;
  std::vector<std::string> Languages() const;
  std::vector<std::string> Keys(std::string_view lang) const;

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>,
           std::less<>>
      texts_;
};

// "it" or "en" from a hint ("it-IT", "en_GB", "EN"); "it" when unknown.
std::string SupportedLanguage(std::string_view hint);

}  // namespace sportello
