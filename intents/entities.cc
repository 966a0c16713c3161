// EntityExtractor: the gazetteer, the role catalogue, contract phrases and
// dates over one tokenization of the message (see intents/entities/).
#include "intents/entities.h"

#include <string_view>
#include <utility>

#include "intents/entities/catalogue.h"
#include "intents/entities/contract.h"
#include "intents/entities/dates.h"
#include "intents/entities/gazetteer.h"
#include "intents/entities/roles.h"
#include "intents/entities/tokens.h"

namespace sportello::intents {
namespace {

using entities::WordSet;

class Extractor final : public EntityExtractor {
 public:
  Extractor(entities::Gazetteer gazetteer, entities::Catalogue roles,
            entities::Catalogue contracts, WordSet known_words)
      : gazetteer_(std::move(gazetteer)),
        roles_(std::move(roles)),
        contracts_(std::move(contracts)),
        known_words_(std::move(known_words)),
        lexicon_(BuildLexicon()) {}

  Entities Extract(std::string_view text,
                   std::chrono::year_month_day today) const override {
    // One buffer per thread keeps the words' storage warm across messages.
    thread_local std::vector<entities::Token> tokens;
    entities::TokenizeInto(text, &tokens);
    // One lookup per word tells each finder where it may start a match.
    for (entities::Token& token : tokens) {
      const auto it = lexicon_.find(entities::KeyOf(token));
      token.lexicon = it == lexicon_.end() ? 0 : it->second;
    }
    Entities found;
    if (tokens.empty()) return found;
    // A word some entity knows exactly is not a typo for another one.
    const auto is_known = [this](const entities::Token& word) {
      return known_words_.contains(entities::KeyOf(word)) ||
             gazetteer_.IsName(word);
    };
    found.city = gazetteer_.FindCity(tokens);
    if (const auto role = roles_.Find(tokens, is_known)) {
      found.role = std::string(*role);
    }
    if (const auto contract = contracts_.Find(tokens, is_known)) {
      found.contract = std::string(*contract);
    }
    if (today.ok()) {
      if (const auto date = entities::FindDate(tokens, today)) {
        found.date = entities::FormatIsoDate(*date);
      }
    }
    return found;
  }

 private:
  entities::WordMap<uint8_t> BuildLexicon() const {
    entities::WordMap<uint8_t> lexicon;
    gazetteer_.ForEachFirstWord(
        [&](const std::string& w) { lexicon[w] |= entities::kStartsCity; });
    for (const entities::Catalogue* catalogue : {&roles_, &contracts_}) {
      catalogue->ForEachFirstWord([&](const std::string& w) {
        lexicon[w] |= catalogue->lexicon_bit();
      });
    }
    for (const std::string& w : entities::DateWords()) {
      lexicon[w] |= entities::kDateWord;
    }
    entities::Gazetteer::ForEachPlaceCue(
        [&](const std::string& w) { lexicon[w] |= entities::kPlaceCue; });
    return lexicon;
  }

  const entities::Gazetteer gazetteer_;
  const entities::Catalogue roles_;
  const entities::Catalogue contracts_;
  const WordSet known_words_;  // words of roles, contracts and dates
  const entities::WordMap<uint8_t> lexicon_;  // word -> Token::lexicon bits
};

}  // namespace

core::Result<std::unique_ptr<EntityExtractor>> EntityExtractor::Load(
    const std::string& data_dir) {
  auto roles = entities::LoadRoles(data_dir + "/roles.tsv");
  if (!roles.ok()) return roles.status();
  entities::Catalogue contracts = entities::ContractCatalogue();
  std::vector<std::string> words = roles->Words();
  for (std::string& w : contracts.Words()) words.push_back(std::move(w));
  for (std::string& w : entities::DateWords()) words.push_back(std::move(w));
  auto gazetteer = entities::Gazetteer::Load(data_dir, words);
  if (!gazetteer.ok()) return gazetteer.status();
  WordSet known(std::make_move_iterator(words.begin()),
                std::make_move_iterator(words.end()));
  return std::unique_ptr<EntityExtractor>(
      std::make_unique<Extractor>(std::move(*gazetteer), std::move(*roles),
                                  std::move(contracts), std::move(known)));
}

}  // namespace sportello::intents
