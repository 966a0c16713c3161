// The gazetteer's comuni (comuni.tsv) by ISTAT code and by name: what a
// centre serves is stored as ISTAT codes, while admins type names.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/core/status.h"

namespace sportello {

// Built once, then immutable: safe to share between threads.
class Comuni {
 public:
  struct Comune {
    std::string istat;     // "072029"
    std::string name;      // official: "Molfetta"
    std::string province;  // code: "BA"
  };

  // Reads comuni.tsv from `data_dir` (intents::DefaultDataDir()). NotFound
  // when it is missing, InvalidArgument (file:line) when malformed.
  static core::Result<Comuni> Load(const std::string& data_dir);

  // nullptr when no comune has that code.
  const Comune* ByIstat(std::string_view istat) const;
  // The comuni named `name` (case, accents and curly apostrophes
  // forgiven), in file order: several where comuni share a name (Castro,
  // BG and LE), none for an unknown name.
  std::vector<const Comune*> Named(std::string_view name) const;
  // An ISTAT code or a name, as admins type them (six digits are a code):
  // the comuni it may mean, as Named. A code means one or none.
  std::vector<const Comune*> Find(std::string_view code_or_name) const;
  // The comuni a person most likely meant by `typed`, forgiving what people
  // get wrong when typing a town in a chat: case, accents, apostrophes,
  // hyphens and spaces ("sant agata" is Sant'Agata), and one missing, extra
  // or swapped letter past the first two ("Molfeta", "Altamrua") in names of
  // five letters or more, or one changed letter in names of eight or more
  // ("Altamira"). Changed letters in shorter names mostly make another word
  // ("nuovo" is not Nuoro). An exact name wins; otherwise the one name
  // within reach, none when two different names are.
  std::vector<const Comune*> Closest(std::string_view typed) const;
  size_t size() const { return all_.size(); }

 private:
  std::vector<Comune> all_;
  std::unordered_map<std::string, size_t> by_istat_;
  // folded name -> indices in all_
  std::unordered_map<std::string, std::vector<size_t>> by_name_;
  // folded name without apostrophes, hyphens and spaces -> indices in all_
  std::unordered_map<std::string, std::vector<size_t>> by_squashed_;
};

}  // namespace sportello
