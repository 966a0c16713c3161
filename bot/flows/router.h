// The front door and the switchboard: greets on first contact, shows the
// main menu, answers the commands that work anywhere (/start, /menu,
// /aiuto, "menu", "annulla"), queues a request for a person, and hands
// everything else to the flow it belongs to (by running flow, by button id
// prefix, or by intent).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "bot/domain/reference_data.h"
#include "bot/flows/flow.h"

namespace sportello::flows {

// Button ids of the main menu.
inline constexpr const char* kMenuJobs = "menu:jobs";
inline constexpr const char* kMenuBooking = "menu:booking";
inline constexpr const char* kMenuEvents = "menu:events";
inline constexpr const char* kMenuInfo = "menu:info";
inline constexpr const char* kMenuHuman = "menu:human";
// Leaves the handoff queue (offered in the reminder while waiting).
inline constexpr const char* kLeaveQueue = "handoff:leave";

// Names of the flows the router knows how to reach (registered or not yet).
inline constexpr std::string_view kVacanciesFlow = "vacancies";
inline constexpr std::string_view kBookingFlow = "booking";
inline constexpr std::string_view kEventsFlow = "events";
inline constexpr std::string_view kInfoFlow = "info";
inline constexpr std::string_view kProfileFlow = "profile";
inline constexpr std::string_view kPrivacyFlow = "privacy";

class Router {
 public:
  Router(FlowDeps deps, std::vector<std::unique_ptr<Flow>> flows);

  // Answers one turn of a conversation the bot holds.
  std::vector<Reply> Respond(Turn& turn) const;

  // One turn of a person waiting for a counsellor. Waiting never takes away
  // the way out or the person's rights: "annulla" (or the leave button)
  // leaves the queue; "stop" and privacy requests are answered as anywhere
  // else, in the queue. Anything else is kept for the counsellor, unanswered
  // but for one reminder per stay in the queue of where they stand and how
  // to leave. May return no reply.
  std::vector<Reply> RespondWhileWaiting(Turn& turn) const;

  // One turn of a conversation a counsellor holds: the bot stays silent
  // except for the person's rights, which no counsellor may stand between
  // the person and: "stop" and privacy requests (their data, erasure) are
  // answered as anywhere else. Returns no reply for everything else.
  std::vector<Reply> RespondWhileHeld(Turn& turn) const;

  // The main menu under the catalogue text `prompt_key` (also sent when a
  // counsellor hands a conversation back).
  Reply Menu(const std::string& lang, const char* prompt_key) const;

 private:
  // What one step of Respond says, or nullopt to leave the turn to the next
  // step. Respond runs the steps in the order they are declared here.
  using Answer = std::optional<std::vector<Reply>>;
  Answer GlobalCommand(Turn& turn) const;
  // "stop", a privacy request or press, or the erasure confirmation the
  // privacy flow waits for: answered whoever holds the conversation.
  Answer Rights(Turn& turn) const;
  Answer Button(Turn& turn) const;
  Answer OverridingIntent(Turn& turn) const;
  Answer AboutCentre(Turn& turn) const;
  Answer RunningFlow(Turn& turn) const;
  Answer Clarify(Turn& turn) const;
  Answer SmallTalk(Turn& turn) const;
  Answer IntentToFlow(Turn& turn) const;
  std::vector<Reply> NothingElseAnswered(Turn& turn) const;

  const Flow* Find(std::string_view name) const;
  std::vector<Reply> StartFlow(std::string_view name, Turn& turn) const;
  std::vector<Reply> ContinueFlow(const Flow& flow, Turn& turn) const;
  std::vector<Reply> RequestHuman(Turn& turn) const;
  std::vector<Reply> LeaveQueue(Turn& turn) const;
  // The person's comune asked before `then` (bot/flows/centre.h), or
  // nullopt to go on.
  Answer AskCentre(std::string_view then, Turn& turn) const;

  FlowDeps deps_;
  std::vector<std::unique_ptr<Flow>> flows_;
};

// Every flow of the bot, for the dispatcher. Add new flows here.
std::vector<std::unique_ptr<Flow>> MakeFlows(const FlowDeps& deps,
                                             const ReferenceData& data);

}  // namespace sportello::flows
