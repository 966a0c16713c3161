// Understanding: when the intent engine is unsure of a typed message, the bot
// asks "Intendevi...?" with the two likeliest intents as buttons
// ("clarify:<intent>", titled from the catalogue's "clarify.intent.<intent>")
// and "Altro" (clarify:help, the menu). A press carries on as if the first
// message had been understood as that intent, its words and entities
// included. After two misunderstandings in a row the bot stops guessing and
// offers the menu, which has a person on it.
//
// The router calls AskToClarify for typed messages outside any flow (a flow
// reads its own answers, which the engine cannot classify), and
// ClarifiedMessage for button presses. State: the conversation slot
// "_clarify" (router-owned, so it outlives EndFlow) holds the unsure
// message until it is clarified.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/domain/catalog.h"
#include "bot/flows/flow.h"
#include "intents/engine.h"

namespace sportello::flows {

// Below this confidence the engine's intent is a guess, not an answer:
// confidences are calibrated, so such a guess is wrong about one time in
// three or more. An intent that changes something (intents::ChangesState)
// is asked about below intents::kActAtLeast.
inline constexpr double kClarifyBelow = 0.65;
// An intent less likely than this is not worth a button.
inline constexpr double kClarifyCandidateAtLeast = 0.1;
inline constexpr std::string_view kClarifyPrefix = "clarify:";

// The menu, with the prompt `key` (the router's).
using MenuFn = std::function<Reply(const char* key)>;

// For a typed message outside any flow: nullopt when it was understood (go
// on by its intent), else what to say: the question, or, after two
// misunderstandings in a row, the menu with "clarify.give_up". Two cases
// also get nullopt: an unsure greeting or request for help with nothing
// else likely (the menu does no harm), and an unsure message with nothing
// worth offering, which the router's "not understood" menu answers but
// which counts as a misunderstanding. "In a row" is read from the history:
// the person's previous message was the misunderstood one.
// REQUIRES: turn.db inside the turn's transaction, this turn's message in
// the history (the dispatcher stores it before the router runs).
std::optional<std::vector<Reply>> AskToClarify(const Catalog& catalog,
                                               Turn& turn, const MenuFn& menu);

// A press of a "clarify:<intent>" button, turned back into the message it
// clarifies.
struct Clarified {
  core::InboundMessage in;     // the unsure message as typed
  intents::Analysis analysis;  // its entities, with the chosen intent, sure
};
// nullopt when the turn is not such a press. Forgets the unsure message and
// ends any running flow: the person chose where to go.
std::optional<Clarified> ClarifiedMessage(Turn& turn);

}  // namespace sportello::flows
