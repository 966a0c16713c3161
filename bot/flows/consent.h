// First contact's privacy step: the age band first (Italy's age of digital
// consent is 14: younger people are sent to a parent or guardian and nothing
// about them is kept), then a short notice and a choice: Accetto / Non
// accetto / Leggi di più. Consent is recorded on users with kConsentVersion
// and its time; the age band goes to the profile.
//
// The router runs this flow before any flow that stores personal data
// (NeedsConsent) when the person has not consented (HasConsent), remembering
// what they asked for; once they accept, TakeResume hands it back so that
// flow starts with their original message (its entities included).
//
// Steps: "age" -> "choice" -> ended (accepted, refused, or under 14).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/flows/flow.h"
#include "intents/engine.h"

namespace sportello::flows {

inline constexpr std::string_view kConsentFlow = "consent";
// The privacy notice in force; bump it when the notice changes, so people
// can be asked again.
inline constexpr const char* kConsentVersion = "2026-11";

// Button ids.
inline constexpr const char* kConsentStart = "consent:start";
inline constexpr const char* kConsentYes = "consent:yes";
inline constexpr const char* kConsentNo = "consent:no";
inline constexpr const char* kConsentMore = "consent:more";

bool HasConsent(const storage::User& user);
// Flows that store personal data (profile, bookings), and the steps of
// other flows that do: "mi interessa" links the person to an offer, signing
// up for an event keeps who they are, and notices go only to people who
// consented (so switching them on without consent would be a false
// promise). Listing events or offers needs none. `button_id` is the press
// being answered ("" for text), `intent` the typed message's.
bool NeedsConsent(std::string_view flow, std::string_view button_id = "",
                  std::string_view intent = "");

// The age band for an age in years: "u14", "14_15", "16_29", "30_39",
// "40_plus".
std::string AgeBand(int age);

class ConsentFlow : public Flow {
 public:
  explicit ConsentFlow(FlowDeps deps) : deps_(deps) {}
  std::string_view name() const override { return kConsentFlow; }
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

  // Starts the flow for a person who asked for `then_flow`: after
  // "Accetto", TakeResume returns it with this turn's message.
  // REQUIRES: turn.conversation.flow == name().
  std::vector<Reply> StartFor(Turn& turn, std::string_view then_flow) const;

 private:
  std::vector<Reply> OnAge(Turn& turn, const std::string& band) const;
  std::vector<Reply> OnChoice(Turn& turn, std::string_view choice) const;
  Reply AskAge(const std::string& lang, const char* key) const;
  Reply Notice(const Turn& turn, const char* key) const;

  FlowDeps deps_;
};

// A request held back until consent: the flow and the message that asked
// for it, to start that flow as if the message had just arrived.
struct Resume {
  std::string flow;
  core::InboundMessage in;
  intents::Analysis analysis;
};
// Keeps this turn's request for `then_flow` in the conversation's slots
// ("then") while a flow asks something first (consent, the person's
// comune); that flow reads it back before it ends.
void HoldRequest(Turn& turn, std::string_view then_flow);
// Hands `then` (what HoldRequest kept, read before EndFlow cleared it) to
// TakeResume once the asking flow has ended; false when it holds nothing.
bool ReleaseRequest(storage::Conversation& c, const nlohmann::json& then);

// The request to resume after the consent flow's (or centre flow's) turn, if
// the person has just accepted; removes it from the conversation's slots.
std::optional<Resume> TakeResume(storage::Conversation& c,
                                 const core::InboundMessage& current);

}  // namespace sportello::flows
