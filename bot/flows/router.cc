#include "bot/flows/router.h"

#include <optional>
#include <string>
#include <vector>

#include "bot/core/log.h"
#include "bot/domain/broadcasts.h"
#include "bot/flows/booking.h"
#include "bot/flows/centre.h"
#include "bot/flows/clarify.h"
#include "bot/flows/consent.h"
#include "bot/flows/events.h"
#include "bot/flows/handoff.h"
#include "bot/flows/info.h"
#include "bot/flows/privacy.h"
#include "bot/flows/profile.h"
#include "bot/flows/vacancies.h"
#include "intents/acting.h"
#include "storage/conversations.h"

namespace sportello::flows {
namespace {

bool IsCommand(std::string_view text, std::string_view command) {
  // "/start", "/start payload", "/menu@SportelloBot"
  if (text.substr(0, command.size()) != command) return false;
  return text.size() == command.size() || text[command.size()] == ' ' ||
         text[command.size()] == '@';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!out.empty() &&
         (out.back() == ' ' || out.back() == '.' || out.back() == '!'))
    out.pop_back();
  return out;
}

// The flow an intent leads to ("" for none).
std::string_view FlowForIntent(std::string_view intent) {
  if (intent == "vacancy_search") return kVacanciesFlow;
  if (intent == "booking_create" || intent == "booking_cancel" ||
      intent == "booking_list") {
    return kBookingFlow;
  }
  if (intent == "events" || intent == "event_signup") return kEventsFlow;
  if (intent == "info_where_when" || intent == "info_programs")
    return kInfoFlow;
  if (intent == "profile") return kProfileFlow;
  if (intent == "privacy_erase" || intent == "privacy_export" ||
      intent == "notify_on" || intent == "notify_off") {
    return kPrivacyFlow;
  }
  return "";
}

// Personal data waits for consent: for a person without it, the consent
// flow starts instead of `flow`, remembering it (and the message that asked
// for it) to start once they accept.
std::optional<std::vector<Reply>> AskConsent(const Flow* consent,
                                             std::string_view flow,
                                             Turn& turn) {
  const auto* gate = dynamic_cast<const ConsentFlow*>(consent);
  if (!gate || HasConsent(turn.user) ||
      !NeedsConsent(flow, turn.in.button_id, turn.analysis.intent))
    return std::nullopt;
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(kConsentFlow);
  return gate->StartFor(turn, flow);
}

// How sure the intent engine (0-1) must be of a privacy request or a "stop"
// to act on it at once, ahead of the running flow and of asking to clarify:
// a flow's free-text answers (a job title, a town) are sometimes misread as
// one, and leaving a flow by mistake loses the answers given so far. Below
// it the message goes the usual way: flow, clarify, intent.
constexpr double kOverrideConfidence = intents::kActAtLeast;

// The catalogue key of the stand-in answer while a flow is not built yet.
const char* ComingSoonKey(std::string_view flow) {
  if (flow == kVacanciesFlow || flow == kProfileFlow) return "jobs.soon";
  if (flow == kBookingFlow) return "booking.soon";
  if (flow == kEventsFlow) return "events.soon";
  return "not_understood";
}

}  // namespace

Router::Router(FlowDeps deps, std::vector<std::unique_ptr<Flow>> flows)
    : deps_(deps), flows_(std::move(flows)) {}

const Flow* Router::Find(std::string_view name) const {
  for (const auto& f : flows_) {
    if (f->name() == name) return f.get();
  }
  return nullptr;
}

Reply Router::Menu(const std::string& lang, const char* prompt_key) const {
  const Catalog& t = deps_.catalog;
  Reply r;
  r.text = t.Text(lang, prompt_key);
  r.buttons = {
      {kMenuJobs, t.Text(lang, "menu.jobs")},
      {kMenuBooking, t.Text(lang, "menu.booking")},
      {kMenuEvents, t.Text(lang, "menu.events")},
      {kMenuInfo, t.Text(lang, "menu.info")},
      {kMenuHuman, t.Text(lang, "menu.human")},
  };
  return r;
}

std::vector<Reply> Router::RequestHuman(Turn& turn) const {
  auto& c = turn.conversation;
  if (c.mode != storage::ConversationMode::kBot) {
    return {{deps_.catalog.Text(turn.lang, "handoff.already"), {}}};
  }
  // Counsellors see their centre's queue: the right one matters here.
  if (auto asked = AskCentre(kHandoffRequest, turn)) return std::move(*asked);
  EndFlow(c);
  c.mode = storage::ConversationMode::kWaitingForHuman;
  c.waiting_since = turn.now_ms;
  // How many wait before them: the honest measure of the wait we have.
  auto ahead = storage::CountOthersWaiting(turn.db, c.id, c.centre_id);
  if (!ahead.ok()) core::LogWarn("handoff", ahead.status().ToString());
  const int64_t n = ahead.ok() ? *ahead : 0;
  const Catalog& t = deps_.catalog;
  const std::string queue =
      n == 0 ? t.Text(turn.lang, "handoff.first")
             : t.Text(turn.lang, n == 1 ? "handoff.ahead_one" : "handoff.ahead",
                      {{"n", std::to_string(n)}});
  auto replies = EnterQueue(deps_, turn, queue);
  if (!replies.ok()) {
    // The queue holds them all the same; only the later notice is lost.
    core::LogWarn("handoff", replies.status().ToString());
    return {{t.Text(turn.lang, "handoff.queued",
                    {{"queue", queue}, {"hours", turn.centre.hours}}),
             {}}};
  }
  return std::move(*replies);
}

std::vector<Reply> Router::LeaveQueue(Turn& turn) const {
  auto& c = turn.conversation;
  if (auto s = CancelHandoffTimeout(turn.db, c); !s.ok())
    core::LogWarn("handoff", s.ToString());
  c.mode = storage::ConversationMode::kBot;
  c.waiting_since.reset();
  EndFlow(c);
  return {Menu(turn.lang, "handoff.left")};
}

Router::Answer Router::Rights(Turn& turn) const {
  auto& c = turn.conversation;
  const auto& in = turn.in;
  // A privacy button (switching notices on and choosing topics are offers,
  // not rights: they wait for the bot), the erasure confirmation the privacy
  // flow waits for, or a clear privacy request or "stop".
  const std::string_view id = in.button_id;
  const bool privacy_press =
      id.substr(0, id.find(':')) == kPrivacyFlow && id != kPrivacyNotifyOn &&
      id.substr(0, kPrivacyTopicPrefix.size()) != kPrivacyTopicPrefix;
  if (privacy_press || (id.empty() && c.flow == kPrivacyFlow)) {
    if (const Flow* privacy = Find(kPrivacyFlow)) {
      c.flow = std::string(kPrivacyFlow);
      return privacy->Continue(turn);
    }
  }
  const std::string& intent = turn.analysis.intent;
  if (id.empty() && turn.analysis.confidence >= kOverrideConfidence &&
      (intent == "privacy_export" || intent == "privacy_erase" ||
       intent == "notify_off")) {
    if (const Flow* privacy = Find(kPrivacyFlow)) {
      EndFlow(c);
      c.flow = std::string(kPrivacyFlow);
      return privacy->Start(turn);
    }
  }
  return std::nullopt;
}

std::vector<Reply> Router::RespondWhileHeld(Turn& turn) const {
  if (Answer rights = Rights(turn)) return std::move(*rights);
  return {};
}

std::vector<Reply> Router::RespondWhileWaiting(Turn& turn) const {
  auto& c = turn.conversation;
  const auto& in = turn.in;
  const std::string typed = in.button_id.empty() ? Lower(in.text) : "";
  if (in.button_id == kLeaveQueue || typed == "annulla" || typed == "cancel" ||
      typed == "esci") {
    return LeaveQueue(turn);
  }
  if (Answer rights = Rights(turn)) return std::move(*rights);
  // Everything else is for the counsellor; one reminder per stay says so.
  nlohmann::json slots = Slots(c);
  const int64_t since = c.waiting_since.value_or(0);
  if (slots.value("_reminded", int64_t{-1}) == since) return {};
  slots["_reminded"] = since;
  SaveSlots(c, slots);
  const Catalog& t = deps_.catalog;
  return {{t.Text(turn.lang, "handoff.already"),
           {{kLeaveQueue, t.Text(turn.lang, "handoff.leave_button")},
            {kMenuBooking, t.Text(turn.lang, "menu.booking")}}}};
}

std::vector<Reply> Router::StartFlow(std::string_view name, Turn& turn) const {
  const Flow* flow = Find(name);
  if (!flow) {
    if (name == kInfoFlow) {
      const auto& centre = turn.centre;
      return {{deps_.catalog.Text(turn.lang, "info.text",
                                  {{"address", centre.address},
                                   {"hours", centre.hours},
                                   {"contacts", centre.contacts}}),
               {}}};
    }
    std::vector<Reply> out{
        {deps_.catalog.Text(turn.lang, ComingSoonKey(name)), {}}};
    if (name == kVacanciesFlow || name == kProfileFlow) {
      out.back().buttons = {
          {kMenuHuman, deps_.catalog.Text(turn.lang, "menu.human")}};
    }
    return out;
  }
  if (auto asked = AskConsent(Find(kConsentFlow), name, turn))
    return std::move(*asked);
  // Appointments and events are the centre's: the right one matters here.
  if (name == kBookingFlow || name == kEventsFlow) {
    if (auto asked = AskCentre(name, turn)) return std::move(*asked);
  }
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(flow->name());
  return flow->Start(turn);
}

std::vector<Reply> Router::Respond(Turn& turn) const {
  // In this order: the first step with an answer ends the turn.
  using Step = Answer (Router::*)(Turn&) const;
  static constexpr Step kSteps[] = {
      &Router::GlobalCommand, &Router::Button,       &Router::OverridingIntent,
      &Router::AboutCentre,   &Router::RunningFlow,  &Router::Clarify,
      &Router::SmallTalk,     &Router::IntentToFlow,
  };
  std::vector<Reply> out;
  if (!turn.conversation.last_message_at) {
    out.push_back({deps_.catalog.Text(turn.lang, "welcome",
                                      {{"centre", turn.centre.name}}),
                   {}});
  }
  std::optional<std::vector<Reply>> answer;
  for (const Step step : kSteps) {
    if ((answer = (this->*step)(turn))) break;
  }
  if (!answer) answer = NothingElseAnswered(turn);
  out.insert(out.end(), std::make_move_iterator(answer->begin()),
             std::make_move_iterator(answer->end()));
  return out;
}

// A flow's next step; after the consent flow, the request consent was asked
// for, as if its message had just arrived.
std::vector<Reply> Router::ContinueFlow(const Flow& flow, Turn& turn) const {
  if (auto asked = AskConsent(Find(kConsentFlow), flow.name(), turn))
    return std::move(*asked);
  std::vector<Reply> out = flow.Continue(turn);
  if (flow.name() != kConsentFlow && flow.name() != kCentreFlow) return out;
  if (auto resume = TakeResume(turn.conversation, turn.in)) {
    Turn replay{resume->in,        resume->analysis, turn.user,
                turn.conversation, turn.lang,        turn.now_ms,
                turn.db,           turn.centre,      {}};
    std::vector<Reply> started = resume->flow == kHandoffRequest
                                     ? RequestHuman(replay)
                                     : StartFlow(resume->flow, replay);
    if (!replay.retry.ok()) turn.retry = replay.retry;
    out.insert(out.end(), std::make_move_iterator(started.begin()),
               std::make_move_iterator(started.end()));
  }
  return out;
}

// Typed commands work anywhere, in any flow, so nobody is ever stuck.
Router::Answer Router::GlobalCommand(Turn& turn) const {
  const auto& in = turn.in;
  if (!in.button_id.empty()) return std::nullopt;
  auto& conv = turn.conversation;
  const std::string typed = Lower(in.text);
  if (IsCommand(in.text, "/start") || IsCommand(in.text, "/menu") ||
      IsCommand(in.text, "/aiuto") || IsCommand(in.text, "/help") ||
      typed == "menu") {
    EndFlow(conv);
    return std::vector<Reply>{Menu(turn.lang, "menu.prompt")};
  }
  if (!conv.flow.empty() &&
      (typed == "annulla" || typed == "cancel" || typed == "esci")) {
    EndFlow(conv);
    return std::vector<Reply>{
        {deps_.catalog.Text(turn.lang, "flow.cancelled"), {}},
        Menu(turn.lang, "menu.prompt")};
  }
  if (IsCommand(in.text, "/privacy")) return StartFlow(kPrivacyFlow, turn);
  return std::nullopt;
}

// A button says exactly what the person wants: the menu's, or one a flow
// offered (its id starts with the flow's name).
Router::Answer Router::Button(Turn& turn) const {
  const std::string_view id = turn.in.button_id;
  if (id.empty()) return std::nullopt;
  if (id == kMenuHuman) return RequestHuman(turn);
  if (id == kMenuJobs) return StartFlow(kVacanciesFlow, turn);
  if (id == kMenuBooking) return StartFlow(kBookingFlow, turn);
  if (id == kMenuEvents) return StartFlow(kEventsFlow, turn);
  if (id == kMenuInfo) return StartFlow(kInfoFlow, turn);
  if (id == kNoticeDismissButton) {
    return std::vector<Reply>{
        {deps_.catalog.Text(turn.lang, "broadcast.dismissed"), {}}};
  }
  // "Intendevi...?" answered: the unsure message again, now understood.
  if (auto chosen = ClarifiedMessage(turn)) {
    Turn understood{chosen->in,        chosen->analysis, turn.user,
                    turn.conversation, turn.lang,        turn.now_ms,
                    turn.db,           turn.centre,      {}};
    std::vector<Reply> out = Respond(understood);
    if (!understood.retry.ok()) turn.retry = understood.retry;
    return out;
  }
  const std::string_view prefix = id.substr(0, id.find(':'));
  if (const Flow* flow = Find(prefix)) {
    turn.conversation.flow = std::string(flow->name());
    return ContinueFlow(*flow, turn);
  }
  return std::nullopt;
}

// A person, privacy rights and "stop" are never held back by the running
// flow: they leave it.
Router::Answer Router::OverridingIntent(Turn& turn) const {
  const std::string& intent = turn.analysis.intent;
  auto& conv = turn.conversation;
  const bool sure = turn.analysis.confidence >= kOverrideConfidence;
  if (intent == "handoff" && sure) return RequestHuman(turn);
  if ((intent == "privacy_export" || intent == "privacy_erase") &&
      conv.flow != kPrivacyFlow && sure) {
    return StartFlow(kPrivacyFlow, turn);
  }
  // "stop" is the opt-out people expect to work everywhere: it also leaves
  // the running flow, whatever the flow was asking.
  if (intent == "notify_off" && sure && conv.flow != kPrivacyFlow) {
    std::vector<Reply> out;
    if (!conv.flow.empty()) {
      EndFlow(conv);
      out.push_back({deps_.catalog.Text(turn.lang, "flow.stopped"), {}});
    }
    std::vector<Reply> started = StartFlow(kPrivacyFlow, turn);
    out.insert(out.end(), std::make_move_iterator(started.begin()),
               std::make_move_iterator(started.end()));
    return out;
  }
  return std::nullopt;
}

// "sono di Molfetta", "voglio andare al centro di Bari", "cambia centro":
// where a person belongs is answered ahead of a running flow, which would
// not know the words (saying where one lives is left to a running flow:
// the profile asks it).
Router::Answer Router::AboutCentre(Turn& turn) const {
  const auto* centres = dynamic_cast<const CentreFlow*>(Find(kCentreFlow));
  if (!centres) return std::nullopt;
  return centres->Answer(turn);
}

std::optional<std::vector<Reply>> Router::AskCentre(std::string_view then,
                                                    Turn& turn) const {
  const auto* centres = dynamic_cast<const CentreFlow*>(Find(kCentreFlow));
  if (!centres) return std::nullopt;
  return centres->AskFirst(turn, then);
}

// A running flow reads its own answers (a name, a number), which the intent
// engine cannot classify; it may let go of a message about something else.
Router::Answer Router::RunningFlow(Turn& turn) const {
  auto& conv = turn.conversation;
  if (conv.flow.empty()) return std::nullopt;
  const Flow* flow = Find(conv.flow);
  if (!flow) {
    EndFlow(conv);  // a flow this build no longer has
    return std::nullopt;
  }
  std::vector<Reply> replies = ContinueFlow(*flow, turn);
  // No answer and no flow: the flow let go of the message.
  if (replies.empty() && conv.flow.empty()) return std::nullopt;
  return replies;
}

// Unsure of a typed message: ask rather than guess, or after two
// misunderstandings, the menu.
Router::Answer Router::Clarify(Turn& turn) const {
  return AskToClarify(deps_.catalog, turn,
                      [&](const char* key) { return Menu(turn.lang, key); });
}

// Greetings, thanks and goodbyes need a polite word, not a flow.
Router::Answer Router::SmallTalk(Turn& turn) const {
  const std::string& intent = turn.analysis.intent;
  if (intent == "greet" || intent == "help")
    return std::vector<Reply>{Menu(turn.lang, "menu.prompt")};
  if (intent == "thanks")
    return std::vector<Reply>{{deps_.catalog.Text(turn.lang, "thanks"), {}}};
  if (intent == "goodbye")
    return std::vector<Reply>{{deps_.catalog.Text(turn.lang, "goodbye"), {}}};
  return std::nullopt;
}

// What the person asked for, clear enough: the flow that does it.
Router::Answer Router::IntentToFlow(Turn& turn) const {
  const std::string_view flow = FlowForIntent(turn.analysis.intent);
  if (flow.empty()) return std::nullopt;
  return StartFlow(flow, turn);
}

// Whatever else: the menu, so the person always has a way on.
std::vector<Reply> Router::NothingElseAnswered(Turn& turn) const {
  const std::string& lang = turn.lang;
  // First contact: the welcome (already said), then the menu.
  if (!turn.conversation.last_message_at) return {Menu(lang, "menu.prompt")};
  if (turn.in.kind == core::InboundKind::kMedia) {
    return {{deps_.catalog.Text(lang, "unsupported_media"), {}},
            Menu(lang, "menu.prompt")};
  }
  return {Menu(lang, "not_understood")};
}

std::vector<std::unique_ptr<Flow>> MakeFlows(const FlowDeps& deps,
                                             const ReferenceData& data) {
  std::vector<std::unique_ptr<Flow>> flows;
  // Every flow the router can reach; a new flow is added here.
  flows.push_back(std::make_unique<ConsentFlow>(deps));
  flows.push_back(std::make_unique<BookingFlow>(deps));
  flows.push_back(std::make_unique<EventsFlow>(deps));
  flows.push_back(MakeInfoFlow(deps));
  flows.push_back(std::make_unique<VacanciesFlow>(deps, data.vocabulary));
  flows.push_back(
      std::make_unique<ProfileFlow>(deps, data.questionnaire, data.comuni));
  flows.push_back(std::make_unique<CentreFlow>(deps, data.comuni));
  flows.push_back(std::make_unique<PrivacyFlow>(deps, data.questionnaire));
  return flows;
}

}  // namespace sportello::flows
