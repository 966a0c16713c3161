#include "intents/entities/contract.h"

#include <string_view>

namespace sportello::intents::entities {
namespace {

struct Phrases {
  std::string_view kind;  // "" names nothing: hides the shorter phrases inside
  std::string_view phrases;  // comma-separated
};

constexpr Phrases kContracts[] = {
    {"full_time",
     "full time, fulltime, full timer, tempo pieno, orario pieno, orario "
     "completo, "
     "40 ore, quaranta ore"},
    {"part_time",
     "part time, parttime, part timer, tempo parziale, mezza giornata, mezzo "
     "tempo, "
     "orario ridotto, poche ore, mezzo servizio"},
    {"tirocinio",
     "tirocinio, tirocini, tirocinante, tirocinanti, tirocinio formativo, "
     "stage, stages, "
     "stagista, stagisti, stagiste, praticantato, internship, internships, "
     "intern, interns, "
     "traineeship, traineeships, trainee, trainees"},
    {"stagionale",
     "stagionale, stagionali, stagione, stagione estiva, stagione invernale, "
     "estate, estivo, "
     "estiva, estivi, estive, lavoretto estivo, summer, summer job, summer "
     "jobs, seasonal, "
     "seasonal job, seasonal work"},
    {"apprendistato",
     "apprendistato, apprendista, apprendisti, apprendiste, apprenticeship, "
     "apprenticeships, "
     "apprentice, apprentices"},
    // English phrases where the words above mean something else.
    {"",
     "real estate, this stage, at this stage, that stage, on stage, summer "
     "school"},
};

}  // namespace

Catalogue ContractCatalogue() {
  Catalogue contracts(/*min_typo_word=*/8, kStartsContract);
  for (const Phrases& entry : kContracts) {
    size_t pos = 0;
    while (pos <= entry.phrases.size()) {
      size_t comma = entry.phrases.find(',', pos);
      if (comma == std::string_view::npos) comma = entry.phrases.size();
      contracts.Add(entry.kind, entry.phrases.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }
  return contracts;
}

}  // namespace sportello::intents::entities
