#include "bot/flows/router.h"

#include <string>

#include "bot/core/log.h"
#include "bot/domain/broadcasts.h"
#include "bot/flows/booking.h"
#include "bot/flows/clarify.h"
#include "bot/flows/consent.h"
#include "bot/flows/events.h"
#include "bot/flows/handoff.h"
#include "bot/flows/info.h"
#include "bot/flows/privacy.h"
#include "bot/flows/profile.h"
#include "bot/flows/vacancies.h"

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
  if (!gate || !NeedsConsent(flow, turn.in.button_id) || HasConsent(turn.user))
    return std::nullopt;
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(kConsentFlow);
  return gate->StartFor(turn, flow);
}

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
  EndFlow(c);
  c.mode = storage::ConversationMode::kWaitingForHuman;
  c.waiting_since = turn.now_ms;
  // How many wait before them: the honest measure of the wait we have.
  auto ahead = turn.db.Prepare(
      "SELECT count(*) FROM conversations WHERE mode = 'waiting_for_human' "
      "AND id != ?");
  ahead.Bind(1, c.id);
  const int64_t n = ahead.Step() ? ahead.Int(0) : 0;
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
                    {{"queue", queue}, {"hours", deps_.centre.hours}}),
             {}}};
  }
  return std::move(*replies);
}

std::vector<Reply> Router::StartFlow(std::string_view name, Turn& turn) const {
  const Flow* flow = Find(name);
  if (!flow) {
    if (name == kInfoFlow) {
      const auto& centre = deps_.centre;
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
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(flow->name());
  return flow->Start(turn);
}

std::vector<Reply> Router::Respond(Turn& turn) const {
  const auto& in = turn.in;
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto& conv = turn.conversation;
  std::vector<Reply> out;
  if (!conv.last_message_at) {
    out.push_back(
        {t.Text(lang, "welcome", {{"centre", deps_.centre.name}}), {}});
  }
  auto append = [&out](std::vector<Reply> more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
    return out;
  };
  // A flow's next step; after the consent flow, the request consent was
  // asked for, as if its message had just arrived.
  auto continue_flow = [&](const Flow& flow) {
    if (auto asked = AskConsent(Find(kConsentFlow), flow.name(), turn))
      return append(std::move(*asked));
    append(flow.Continue(turn));
    if (flow.name() != kConsentFlow) return out;
    if (auto resume = TakeResume(conv, in)) {
      Turn replay{resume->in, resume->analysis, turn.user, conv,
                  lang,       turn.now_ms,      turn.db};
      append(StartFlow(resume->flow, replay));
    }
    return out;
  };

  // Commands that work anywhere, in any flow.
  const std::string typed = Lower(in.text);
  const bool is_text = in.button_id.empty();
  if (is_text && (IsCommand(in.text, "/start") || IsCommand(in.text, "/menu") ||
                  IsCommand(in.text, "/aiuto") || IsCommand(in.text, "/help") ||
                  typed == "menu")) {
    EndFlow(conv);
    out.push_back(Menu(lang, "menu.prompt"));
    return out;
  }
  if (is_text && !conv.flow.empty() &&
      (typed == "annulla" || typed == "cancel" || typed == "esci")) {
    EndFlow(conv);
    out.push_back({t.Text(lang, "flow.cancelled"), {}});
    out.push_back(Menu(lang, "menu.prompt"));
    return out;
  }
  if (is_text && IsCommand(in.text, "/privacy"))
    return append(StartFlow(kPrivacyFlow, turn));

  // A button: the menu's, or one a flow offered (its id starts with the flow's
  // name).
  if (!in.button_id.empty()) {
    const std::string_view id = in.button_id;
    if (id == kMenuHuman) return append(RequestHuman(turn));
    if (id == kMenuJobs) return append(StartFlow(kVacanciesFlow, turn));
    if (id == kMenuBooking) return append(StartFlow(kBookingFlow, turn));
    if (id == kMenuEvents) return append(StartFlow(kEventsFlow, turn));
    if (id == kMenuInfo) return append(StartFlow(kInfoFlow, turn));
    if (id == kNoticeDismissButton) {
      out.push_back({t.Text(lang, "broadcast.dismissed"), {}});
      return out;
    }
    // "Intendevi...?" answered: the unsure message again, now understood.
    if (auto chosen = ClarifiedMessage(turn)) {
      Turn understood{chosen->in, chosen->analysis, turn.user, conv,
                      lang,       turn.now_ms,      turn.db};
      return append(Respond(understood));
    }
    const std::string_view prefix = id.substr(0, id.find(':'));
    if (const Flow* flow = Find(prefix)) {
      conv.flow = std::string(flow->name());
      return continue_flow(*flow);
    }
  }

  // The intent, when it is clear enough to leave the running flow.
  const std::string& intent = turn.analysis.intent;
  if (intent == "handoff") return append(RequestHuman(turn));
  // Privacy rights work from anywhere, even mid-flow.
  if ((intent == "privacy_export" || intent == "privacy_erase") &&
      conv.flow != kPrivacyFlow && turn.analysis.confidence >= 0.8) {
    return append(StartFlow(kPrivacyFlow, turn));
  }
  // "stop" is the opt-out people expect to work everywhere: it also leaves
  // the running flow, whatever the flow was asking.
  if (intent == "notify_off" && turn.analysis.confidence >= 0.8 &&
      conv.flow != kPrivacyFlow) {
    if (!conv.flow.empty()) {
      EndFlow(conv);
      out.push_back({t.Text(lang, "flow.stopped"), {}});
    }
    return append(StartFlow(kPrivacyFlow, turn));
  }
  if (!conv.flow.empty()) {
    if (const Flow* flow = Find(conv.flow)) {
      const size_t before = out.size();
      continue_flow(*flow);
      // No answer: the flow let go of a message about something else.
      if (out.size() > before || !conv.flow.empty()) return out;
    } else {
      EndFlow(conv);  // a flow this build no longer has
    }
  }
  // Unsure of a typed message: ask, or after two misunderstandings, the menu.
  if (auto asked = AskToClarify(
          t, turn, [&](const char* key) { return Menu(lang, key); })) {
    return append(std::move(*asked));
  }
  if (intent == "greet" || intent == "help") {
    out.push_back(Menu(lang, "menu.prompt"));
    return out;
  }
  if (intent == "thanks") {
    out.push_back({t.Text(lang, "thanks"), {}});
    return out;
  }
  if (intent == "goodbye") {
    out.push_back({t.Text(lang, "goodbye"), {}});
    return out;
  }
  if (const std::string_view flow = FlowForIntent(intent); !flow.empty()) {
    return append(StartFlow(flow, turn));
  }
  if (!out.empty()) {  // first contact: the welcome, then the menu
    out.push_back(Menu(lang, "menu.prompt"));
    return out;
  }
  if (in.kind == core::InboundKind::kMedia)
    out.push_back({t.Text(lang, "unsupported_media"), {}});
  out.push_back(Menu(lang, in.kind == core::InboundKind::kMedia
                               ? "menu.prompt"
                               : "not_understood"));
  return out;
}

std::vector<std::unique_ptr<Flow>> MakeFlows(const FlowDeps& deps,
                                             const ReferenceData& data) {
  std::vector<std::unique_ptr<Flow>> flows;
  // Registered flows (issue 4) go here.
  flows.push_back(std::make_unique<ConsentFlow>(deps));
  flows.push_back(std::make_unique<BookingFlow>(deps));
  flows.push_back(std::make_unique<EventsFlow>(deps));
  flows.push_back(MakeInfoFlow(deps));
  flows.push_back(std::make_unique<VacanciesFlow>(deps, data.vocabulary));
  flows.push_back(std::make_unique<ProfileFlow>(deps, data.questionnaire));
  flows.push_back(std::make_unique<PrivacyFlow>(deps, data.questionnaire));
  return flows;
}

}  // namespace sportello::flows
