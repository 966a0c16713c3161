#include "bot/domain/reference_data.h"

namespace sportello {

core::Result<ReferenceData> ReferenceData::Load(const std::string& intents_dir,
                                                const Catalog& catalog) {
  auto vocabulary = VacancyVocabulary::Load(intents_dir);
  if (!vocabulary.ok()) return vocabulary.status();
  auto comuni = Comuni::Load(intents_dir);
  if (!comuni.ok()) return comuni.status();
  // The questionnaire is compiled in: failing here is a broken build.
  auto questionnaire = Questionnaire::LoadEmbedded();
  if (!questionnaire.ok()) return questionnaire.status();
  if (auto s = questionnaire->CheckTexts(catalog); !s.ok()) return s;
  ReferenceData data;
  data.vocabulary =
      std::make_shared<const VacancyVocabulary>(std::move(*vocabulary));
  data.questionnaire =
      std::make_shared<const Questionnaire>(std::move(*questionnaire));
  data.comuni = std::make_shared<const Comuni>(std::move(*comuni));
  return data;
}

}  // namespace sportello
