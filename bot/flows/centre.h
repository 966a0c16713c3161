// The person's centre. What the bot says about address, opening hours and
// contacts is the centre the conversation belongs to (conversation's
// centre_id), read once a turn (CentreAsTold).
//
// On a number several enabled centres share, the bot places a person in the
// centre serving their comune: from the profile's comune, or from a message
// ("sono di Molfetta", "abito a Altamura"); "voglio andare al centro di
// Bari", "cambia centro" or the "Cambia centro" button let them choose. A
// comune no centre serves goes to the region's default centre, centre 1.
// Until placed, the bot asks the comune once, when it matters (booking,
// events, a counsellor), then carries on with what was asked. With one
// enabled centre none of this happens: everyone belongs to centre 1.
//
// Placed means: in a centre other than centre 1 (however they got there: a
// counsellor's transfer too), or put in centre 1 by the bot. The
// conversation's "_centre" slot keeps the centre the bot placed them in,
// "_centre_asked" that the comune was asked.
//
// Steps: "comune" (asked, or choosing) -> ended.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/centre.h"
#include "bot/domain/comuni.h"
#include "bot/flows/flow.h"
#include "storage/database.h"

namespace sportello::flows {

inline constexpr std::string_view kCentreFlow = "centre";
// Button ids.
inline constexpr const char* kCentreChange = "centre:change";
inline constexpr std::string_view kCentrePickPrefix = "centre:pick:";
inline constexpr const char* kCentreSkip = "centre:skip";
// What the router resumes after the comune was asked besides flows: the
// request for a counsellor.
inline constexpr std::string_view kHandoffRequest = "handoff";

// What the bot tells about centre `id`: its stored row, except that a row
// following the configuration (centre 1 until edited) is `configured`
// itself, and a row without opening hours or closures has the configured
// ones (with the configured hours told, when it has no hours of its own).
// NotFound for an unknown id.
core::Result<CentreConfig> CentreAsTold(storage::Database& db, int64_t id,
                                        const CentreConfig& configured);

// The centre a turn speaks for: CentreAsTold of the conversation's centre,
// except that a conversation in a centre since closed moves to the
// region's default centre first (kFirstCentre, never closed), where its
// person is asked their comune again when it matters.
core::Result<CentreConfig> CentreOfTurn(storage::Database& db,
                                        storage::Conversation& conversation,
                                        const CentreConfig& configured,
                                        int64_t now_ms);

// A message about the person's centre, read by its words alone.
struct CentreRequest {
  enum class Kind {
    kNone,
    kLivesIn,      // "sono di Molfetta", "abito ad Altamura", "I live in Bari"
    kWantsCentre,  // "voglio andare al centro di Bari"
    kChange,       // "cambia centro"
  };
  Kind kind = Kind::kNone;
  std::string place;  // folded words after the cue, up to punctuation
};
CentreRequest ReadCentreRequest(std::string_view text);

// The comune `place` (words as typed, maybe followed by others: "molfeta e
// cerco lavoro") names: the longest run of its first words naming one
// exactly, else the longest a slip away (Comuni::Closest). Several for a
// name comuni share; none when no run does.
std::vector<const Comuni::Comune*> FindComune(const Comuni& comuni,
                                              std::string_view place);

class CentreFlow : public Flow {
 public:
  CentreFlow(FlowDeps deps, std::shared_ptr<const Comuni> comuni)
      : deps_(deps), comuni_(std::move(comuni)) {}
  std::string_view name() const override { return kCentreFlow; }
  // The person's centre and the other enabled ones to choose from.
  std::vector<Reply> Start(Turn& turn) const override;
  // A centre picked, "Salta", or a comune typed at step "comune".
  std::vector<Reply> Continue(Turn& turn) const override;

  // A typed message about the person's centre while the deployment has
  // several enabled centres: the answer, or nullopt to leave the message
  // to the rest of the router. Saying where one lives is left to a running
  // flow (the profile asks it).
  std::optional<std::vector<Reply>> Answer(Turn& turn) const;

  // Before `then` (a flow's name or kHandoffRequest): the comune asked,
  // once, of a person not placed while several centres are enabled; the
  // request is resumed (TakeResume) once answered. nullopt: go on.
  std::optional<std::vector<Reply>> AskFirst(Turn& turn,
                                             std::string_view then) const;

 private:
  struct Centres;
  std::vector<Reply> Placed(Turn& turn, int64_t centre_id,
                            const std::string& unserved_comune) const;
  std::vector<Reply> Choose(Turn& turn, const Centres& centres,
                            const std::string& prompt) const;
  std::vector<Reply> Failed(Turn& turn, const core::Status& s) const;

  FlowDeps deps_;
  std::shared_ptr<const Comuni> comuni_;
};

// The profile's comune (its official name) places a person not yet placed,
// while several centres are enabled. Returns what to tell them ("" for
// nothing); a failure is logged and leaves them where they are.
std::string PlaceByProfileComune(const FlowDeps& deps, const Comuni& comuni,
                                 Turn& turn, std::string_view comune);

}  // namespace sportello::flows
