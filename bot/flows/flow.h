// A conversation flow: a small state machine over the conversation's flow,
// step and slots (persisted, so every flow survives restarts). The router
// picks the flow; the flow reads the turn, may change the conversation and
// the database (inside the turn's transaction), and returns replies.
//
// Conventions:
// - name() is stored in conversation.flow while the flow runs; a flow that
//   ends clears conversation.flow and conversation.step.
// - Button ids a flow offers start with "<name>:" so the router can hand a
//   press of an older button back to the flow that offered it. Ids are at
//   most 64 bytes (Telegram's callback_data).
// - Texts come from the catalogue (bot/domain/catalog/*.json), in turn.lang.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "bot/domain/catalog.h"
#include "bot/domain/centre.h"
#include "bot/flows/turn.h"

namespace sportello::flows {

// What every flow may use besides the turn: what it says, and the settings
// flows read. Nothing else of the configuration (tokens, secrets) reaches
// them.
struct FlowDeps {
  const Catalog& catalog;
  const CentreConfig& centre;
  // A person waiting for a counsellor this long (asked while the centre is
  // open) is told so and offered a booking; 0: never.
  int handoff_timeout_minutes = 0;
};

class Flow {
 public:
  virtual ~Flow() = default;
  virtual std::string_view name() const = 0;
  // Begins the flow: from the menu, an intent, or a command.
  virtual std::vector<Reply> Start(Turn& turn) const = 0;
  // The person's next message while conversation.flow == name(), or a press
  // of one of this flow's buttons.
  virtual std::vector<Reply> Continue(Turn& turn) const = 0;
};

// conversation.slots as a JSON object ({} when unset or unreadable). Keys
// starting with "_" belong to the dispatcher (e.g. "_offered"); flows use
// their own keys.
nlohmann::json Slots(const storage::Conversation& c);
void SaveSlots(storage::Conversation& c, const nlohmann::json& slots);
// Ends the running flow: clears flow, step and every non-"_" slot.
void EndFlow(storage::Conversation& c);

}  // namespace sportello::flows
