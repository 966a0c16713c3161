// Job offers as people see them: "cerco lavoro come barista a Bari" goes
// straight to the best three offers, each with why it was chosen ("perché:
// ruolo, zona, part-time"); "altre" pages on; a button shows the details;
// "mi interessa" records the interest for the counsellor (after consent: it
// links the person to the offer). With nothing to go on (no role, place or
// profile), the flow asks what and where first.
//
// The search (what, where, contract, page) lives in the slots while the
// flow holds the conversation, so a refinement typed next ("e a Molfetta?",
// "part time") narrows the same search. A message that is not about jobs
// ends the flow and goes to the router as if no flow were running.
//
// Button ids:
//   vacancies:more          the next page of the current search
//   vacancies:back          the current page again
//   vacancies:new           asks for a new search
//   vacancies:show:<id>     details of an offer
//   vacancies:interest:<id> "mi interessa" (needs consent)
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "bot/domain/vacancy_search.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "bot/flows/flow.h"

namespace sportello::flows {

inline constexpr std::string_view kVacancyInterestPrefix =
    "vacancies:interest:";

class VacanciesFlow : public Flow {
 public:
  VacanciesFlow(FlowDeps deps,
                std::shared_ptr<const VacancyVocabulary> vocabulary)
      : deps_(deps), vocabulary_(std::move(vocabulary)) {}
  std::string_view name() const override;
  std::vector<Reply> Start(Turn& turn) const override;
  // Returns no replies for a typed message that is not about jobs: the
  // router then answers it (the flow has ended).
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  std::vector<Reply> Search(Turn& turn, VacancyQuery query) const;
  std::vector<Reply> Ask(Turn& turn) const;
  std::vector<Reply> Details(Turn& turn, int64_t id) const;
  std::vector<Reply> Interest(Turn& turn, int64_t id) const;
  std::vector<Reply> Failed(Turn& turn, const core::Status& why) const;
  std::optional<JobseekerProfile> ProfileOf(Turn& turn) const;

  FlowDeps deps_;
  std::shared_ptr<const VacancyVocabulary> vocabulary_;
  // Shared by the processor's threads (it is thread-safe): many people
  // ask for the same roles.
  std::unique_ptr<VacancyMatchCache> cache_ =
      std::make_unique<VacancyMatchCache>();
};

}  // namespace sportello::flows
