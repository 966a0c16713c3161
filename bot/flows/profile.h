// Profiling ("bilancio di competenze" light): asks the questionnaire
// (bot/domain/data/profile.json) one question at a time, saving each answer
// as it comes, so an interruption or a restart loses nothing: "profilo" or
// "modifica profilo" later resumes at the first open question. Entities the
// intent engine finds on the way ("sono di Bari", "faccio il barista")
// answer their questions, which are then not asked. At the end: a summary,
// Garanzia Giovani eligibility explained, and a list of answers to change.
//
// State: conversation.step is "q:<question id>" while a question waits for
// its answer; slots "multi"/"picked" hold a multiple choice being built. The
// answers themselves live in storage/profiles.h. The flow ends (step
// cleared) whenever it shows the summary or the list of answers to change;
// their buttons reach it by id.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/domain/comuni.h"
#include "bot/domain/questionnaire.h"
#include "bot/flows/flow.h"
#include "storage/profiles.h"

namespace sportello::flows {

// Button ids: "profile:start", "profile:edit" (the list of answers),
// "profile:edit:<question>", "profile:done", and the answers
// "profile:<question>:<option>", "profile:<question>:_skip" and (multiple
// choice) "profile:<question>:_done".
inline constexpr const char* kProfileStart = "profile:start";
inline constexpr const char* kProfileEdit = "profile:edit";
inline constexpr const char* kProfileDone = "profile:done";

class ProfileFlow : public Flow {
 public:
  // `comuni` (may be null) places the person in the centre serving the
  // comune they give (bot/flows/centre.h).
  ProfileFlow(FlowDeps deps, std::shared_ptr<const Questionnaire> questionnaire,
              std::shared_ptr<const Comuni> comuni = nullptr)
      : deps_(deps),
        questionnaire_(std::move(questionnaire)),
        comuni_(std::move(comuni)) {}
  std::string_view name() const override;
  // Resumes at the first open question, or shows the summary and the list
  // of answers to change when there is none.
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  struct State {
    Answers answers;
    std::optional<std::string> age_band;
    std::optional<int> age;
  };
  std::optional<State> Load(Turn& turn) const;
  bool Save(Turn& turn, State& state, const Question& q,
            const std::string& value) const;
  // Entities of this turn that answer open questions other than `current`:
  // saved, and said back ("Ok, ho segnato Comune: Bari").
  std::string Harvest(Turn& turn, State& state, const Question* current) const;

  std::vector<Reply> Ask(Turn& turn, const Question& q,
                         const std::string& before) const;
  std::vector<Reply> Next(Turn& turn, State& state,
                          const std::string& before) const;
  std::vector<Reply> Summary(Turn& turn, const State& state) const;
  std::vector<Reply> EditList(Turn& turn, const State& state) const;
  std::vector<Reply> OnButton(Turn& turn, State& state,
                              std::string_view rest) const;
  std::vector<Reply> OnText(Turn& turn, State& state, const Question& q) const;
  std::vector<Reply> Failed(Turn& turn) const;
  // The comune given: the person's centre, if not placed yet; what to tell.
  std::string PlaceBy(Turn& turn, const std::string& comune) const;

  FlowDeps deps_;
  std::shared_ptr<const Questionnaire> questionnaire_;
  std::shared_ptr<const Comuni> comuni_;
};

// The Garanzia Giovani explanation's catalogue key for an eligibility.
const char* EligibilityKey(Eligibility e);

}  // namespace sportello::flows
