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
  size_t size() const { return all_.size(); }

 private:
  std::vector<Comune> all_;
  std::unordered_map<std::string, size_t> by_istat_;
  // folded name -> indices in all_
  std::unordered_map<std::string, std::vector<size_t>> by_name_;
};

}  // namespace sportello
