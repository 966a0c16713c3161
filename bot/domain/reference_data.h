// What the flows and the console look things up in, loaded once per process
// and shared: where each comune is and how roles are written (vacancy
// search, audience filters) and the profile questionnaire.
#pragma once

#include <memory>
#include <string>

#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "bot/domain/comuni.h"
#include "bot/domain/questionnaire.h"
#include "bot/domain/vacancy_vocabulary.h"

namespace sportello {

// Immutable once loaded: safe to share between threads.
struct ReferenceData {
  std::shared_ptr<const VacancyVocabulary> vocabulary;
  std::shared_ptr<const Questionnaire> questionnaire;
  std::shared_ptr<const Comuni> comuni;  // where people say they live

  // Reads the gazetteers from `intents_dir` (intents::DefaultDataDir()) and
  // the embedded questionnaire, whose texts must all be in `catalog`.
  static core::Result<ReferenceData> Load(const std::string& intents_dir,
                                          const Catalog& catalog);
};

}  // namespace sportello
