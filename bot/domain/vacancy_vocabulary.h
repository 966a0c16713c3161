// What vacancy search knows beyond the offers: where each comune is
// (comuni.tsv: province and region) and the ways people write each role
// (roles.tsv: feminine and plural forms, synonyms, English).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/core/status.h"

namespace sportello {

// Built once, then immutable: safe to share between threads.
class VacancyVocabulary {
 public:
  struct Place {
    std::string comune;    // official name: "Molfetta"
    std::string province;  // code: "BA"
    std::string region;    // "Puglia"
  };

  // Reads comuni.tsv and roles.tsv from `data_dir` (intents::DefaultDataDir()).
  // NotFound when a file is missing, InvalidArgument (file:line) when
  // malformed.
  static core::Result<VacancyVocabulary> Load(const std::string& data_dir);

  // Building by hand, for small worlds in tests.
  void AddPlace(Place place);
  void AddRole(std::string_view role, const std::vector<std::string>& forms);

  // The comune called `name` (case, accents and curly apostrophes forgiven).
  // Where two comuni share a name, the one in `province` if given, else the
  // first listed.
  std::optional<Place> FindPlace(std::string_view name,
                                 std::string_view province = "") const;
  // The official names of the comuni of a province code ("BA"), sorted;
  // empty for an unknown code.
  std::vector<std::string> ComuniOf(std::string_view province) const;
  // The region of a province code, "" if unknown.
  std::string RegionOf(std::string_view province) const;
  // How `role` is written: other forms and synonyms from roles.tsv, without
  // the role itself; empty for a role the catalogue does not list.
  const std::vector<std::string>& RoleForms(std::string_view role) const;
  // The other listed roles whose name holds `role`'s ("cameriere" ->
  // "cameriere ai piani"; "cuoco" -> "aiuto cuoco"), folded.
  std::vector<std::string> RolesContaining(std::string_view role) const;

 private:
  std::unordered_map<std::string, std::vector<Place>>
      places_;  // folded name -> in file order
  std::unordered_map<std::string, std::string>
      regions_;  // province code -> region
  std::unordered_map<std::string, std::vector<std::string>>
      roles_;  // folded role -> forms
};

// Lower case, Latin-1 letters without accents, curly apostrophes straight:
// how names, roles and sectors are compared ("Forlì" == "forli").
std::string FoldName(std::string_view s);

}  // namespace sportello
