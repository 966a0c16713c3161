#include "bot/flows/events.h"

#include <limits>
#include <optional>
#include <utility>

#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/domain/booking.h"
#include "bot/flows/router.h"
#include "intents/normalize.h"

namespace sportello::flows {
namespace {

using core::Status;

constexpr std::string_view kPrefix = "events:";
// Events looked at when a message names one ("iscrivimi al recruiting day").
constexpr int kMatchWindow = 20;

std::optional<int64_t> ParseId(std::string_view s) {
  return core::ParseInt(s, 0, std::numeric_limits<int64_t>::max());
}

std::string Id(std::string_view verb, int64_t n) {
  return std::string(kPrefix) + std::string(verb) + ":" + std::to_string(n);
}

core::Result<storage::Event> LoadEvent(storage::Database& db,
                                       int64_t event_id) {
  auto event = storage::FindEvent(db, event_id);
  if (!event.ok()) return event.status();
  if (!event->has_value())
    return Status::NotFound("events: no event " + std::to_string(event_id));
  return std::move(**event);
}

// Word overlap between a message and an event's title: words of 4 letters or
// more, longer ones counting more.
size_t TitleScore(const std::string& message_words, const std::string& title) {
  const std::string words = intents::Normalize(title);
  size_t score = 0, start = 0;
  while (start < words.size()) {
    size_t end = words.find(' ', start);
    if (end == std::string::npos) end = words.size();
    const std::string word = words.substr(start, end - start);
    if (word.size() >= 4 &&
        message_words.find(" " + word + " ") != std::string::npos) {
      score += word.size();
    }
    start = end + 1;
  }
  return score;
}

// The events a person is offered: their centre's and the regional ones.
storage::CentreScope OwnCentre(const Turn& turn) {
  return storage::CentreScope::Only({turn.conversation.centre_id});
}

// Whether `event` is offered to the person, or they hold a place or wait for
// one (signed up before moving to another centre: they can still see and
// leave it).
core::Result<bool> OpenTo(const Turn& turn, const storage::Event& event) {
  if (!event.centre_id || *event.centre_id == turn.conversation.centre_id)
    return true;
  auto signup = storage::FindSignup(turn.db, event.id, turn.user.id);
  if (!signup.ok()) return signup.status();
  return signup->has_value() &&
         (*signup)->state != storage::SignupState::kCancelled;
}

}  // namespace

std::string_view EventsFlow::name() const { return kEventsFlow; }

std::vector<Reply> EventsFlow::Start(Turn& turn) const {
  // A press held back by the consent step comes back through Start.
  if (turn.in.button_id.substr(0, kPrefix.size()) == kPrefix)
    return Continue(turn);
  EndFlow(
      turn.conversation);  // nothing to wait for: buttons come back by prefix
  if (turn.analysis.intent == "event_signup" && !turn.in.text.empty()) {
    // "iscrivimi al recruiting day": the event it names, when one stands out.
    auto events = storage::UpcomingEvents(turn.db, turn.now_ms, 0, kMatchWindow,
                                          OwnCentre(turn));
    if (events.ok()) {
      const std::string words = " " + intents::Normalize(turn.in.text) + " ";
      const storage::Event* best = nullptr;
      size_t best_score = 0;
      bool tie = false;
      for (const auto& e : *events) {
        const size_t score = TitleScore(words, e.title);
        if (score > best_score) {
          best = &e;
          best_score = score;
          tie = false;
        } else if (score > 0 && score == best_score) {
          tie = true;
        }
      }
      if (best && !tie) return Details(turn, best->id);
    }
  }
  return List(turn, 0);
}

std::vector<Reply> EventsFlow::Continue(Turn& turn) const {
  EndFlow(turn.conversation);
  std::string_view id = turn.in.button_id;
  if (id.substr(0, kPrefix.size()) != kPrefix)
    return Start(turn);  // typed text
  id.remove_prefix(kPrefix.size());
  const std::string_view verb = id.substr(0, id.find(':'));
  if (verb == "mine") return Mine(turn);
  const auto n = id.find(':') == std::string_view::npos
                     ? std::nullopt
                     : ParseId(id.substr(id.find(':') + 1));
  if (!n) return List(turn, 0);
  if (verb == "list") return List(turn, static_cast<int>(*n));
  if (verb == "show") return Details(turn, *n);
  if (verb == "join") return Join(turn, *n);
  if (verb == "leave") return AskLeave(turn, *n);
  if (verb == "leave_ok") return Leave(turn, *n);
  return List(turn, 0);
}

std::vector<Reply> EventsFlow::List(Turn& turn, int offset,
                                    const char* empty_key) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto total =
      storage::CountUpcomingEvents(turn.db, turn.now_ms, OwnCentre(turn));
  if (!total.ok()) return Failed(turn, total.status());
  if (offset >= *total) offset = 0;
  auto events = storage::UpcomingEvents(turn.db, turn.now_ms, offset,
                                        kEventsPerPage, OwnCentre(turn));
  if (!events.ok()) return Failed(turn, events.status());
  auto mine = storage::ActiveSignupsForUser(turn.db, turn.user.id, turn.now_ms);
  if (!mine.ok()) return Failed(turn, mine.status());
  if (events->empty()) {
    Reply r{t.Text(lang, empty_key), {}};
    if (!mine->empty())
      r.buttons.push_back({"events:mine", t.Text(lang, "events.mine")});
    return {r};
  }
  Reply r{t.Text(lang, "events.list_header"), {}};
  int n = 0;
  for (const auto& e : *events) {
    r.text += "\n\n" + t.Text(lang, "events.list_item",
                              {{"n", std::to_string(++n)},
                               {"title", e.title},
                               {"when", booking::FormatWhen(lang, e.starts_at)},
                               {"place", EventPlace(t, lang, e)}});
    r.buttons.push_back({Id("show", e.id), e.title});
  }
  r.text += "\n\n" + t.Text(lang, "events.list_footer");
  if (offset + kEventsPerPage < *total) {
    r.buttons.push_back(
        {Id("list", offset + kEventsPerPage), t.Text(lang, "events.more")});
  }
  if (!mine->empty())
    r.buttons.push_back({"events:mine", t.Text(lang, "events.mine")});
  return {r};
}

std::vector<Reply> EventsFlow::Details(Turn& turn, int64_t event_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto event = storage::FindEvent(turn.db, event_id);
  if (!event.ok()) return Failed(turn, event.status());
  if (!event->has_value() || (*event)->starts_at <= turn.now_ms) {
    return List(turn, 0);  // gone or started: what is still to come
  }
  const storage::Event& e = **event;
  auto open = OpenTo(turn, e);
  if (!open.ok()) return Failed(turn, open.status());
  if (!*open) return List(turn, 0);  // another centre's, from an old button
  if (e.cancelled()) return NoLonger(turn, e);
  auto signup = storage::FindSignup(turn.db, event_id, turn.user.id);
  if (!signup.ok()) return Failed(turn, signup.status());
  Reply r{t.Text(lang, "events.details_text",
                 {{"title", e.title},
                  {"when", EventWhen(lang, e)},
                  {"place", EventPlace(t, lang, e)},
                  {"description", e.description}}),
          {}};
  const auto state =
      signup->has_value() ? (*signup)->state : storage::SignupState::kCancelled;
  if (state == storage::SignupState::kSignedUp) {
    r.text += "\n\n" + t.Text(lang, "events.status_signed");
  } else if (state == storage::SignupState::kWaiting) {
    auto position = storage::WaitingPosition(turn.db, **signup);
    if (!position.ok()) return Failed(turn, position.status());
    r.text += "\n\n" + t.Text(lang, "events.status_waiting",
                              {{"position", std::to_string(*position)}});
  } else if (e.free_places() > 0 && e.waiting == 0) {
    r.text += "\n\n" + t.Text(lang, "events.places_free",
                              {{"free", std::to_string(e.free_places())},
                               {"capacity", std::to_string(e.capacity)}});
  } else {
    r.text += "\n\n" + t.Text(lang, "events.places_full");
  }
  if (state == storage::SignupState::kCancelled) {
    const bool full = e.free_places() == 0 || e.waiting > 0;
    r.buttons.push_back(
        {Id("join", e.id),
         t.Text(lang, full ? "events.waitlist" : "events.signup")});
  } else {
    r.buttons.push_back({Id("leave", e.id), t.Text(lang, "events.cancel")});
  }
  r.buttons.push_back({Id("list", 0), t.Text(lang, "events.back")});
  return {r};
}

std::vector<Reply> EventsFlow::Join(Turn& turn, int64_t event_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  // A notice sent before the event was cancelled still has its button.
  if (auto event = storage::FindEvent(turn.db, event_id);
      event.ok() && event->has_value()) {
    if ((*event)->cancelled()) return NoLonger(turn, **event);
    auto open = OpenTo(turn, **event);
    if (!open.ok()) return Failed(turn, open.status());
    if (!*open) return List(turn, 0, "events.none");
  }
  auto outcome =
      SignUpForEvent(turn.db, t, turn.user.id, event_id, turn.now_ms);
  if (!outcome.ok()) {
    const auto code = outcome.status().code();
    if (code == Status::Code::kNotFound ||
        code == Status::Code::kInvalidArgument) {
      return List(turn, 0, "events.none");
    }
    return Failed(turn, outcome.status());
  }
  auto event = LoadEvent(turn.db, event_id);
  if (!event.ok()) return Failed(turn, event.status());
  const std::vector<core::Button> buttons = {
      {"events:mine", t.Text(lang, "events.mine")},
      {Id("list", 0), t.Text(lang, "events.back")}};
  if (outcome->signup.state == storage::SignupState::kSignedUp) {
    return {{EventText(t, lang,
                       outcome->already ? "events.already_signed"
                                        : "events.signed_up",
                       *event),
             buttons}};
  }
  auto position = storage::WaitingPosition(turn.db, outcome->signup);
  if (!position.ok()) return Failed(turn, position.status());
  return {
      {t.Text(
           lang, outcome->already ? "events.already_waiting" : "events.waiting",
           {{"title", event->title}, {"position", std::to_string(*position)}}),
       buttons}};
}

std::vector<Reply> EventsFlow::AskLeave(Turn& turn, int64_t event_id) const {
  const Catalog& t = deps_.catalog;
  auto event = storage::FindEvent(turn.db, event_id);
  if (!event.ok()) return Failed(turn, event.status());
  if (!event->has_value()) return List(turn, 0);
  return {
      {t.Text(turn.lang, "events.cancel_confirm", {{"title", (*event)->title}}),
       {{Id("leave_ok", event_id), t.Text(turn.lang, "events.cancel_yes")},
        {Id("show", event_id), t.Text(turn.lang, "events.cancel_no")}}}};
}

std::vector<Reply> EventsFlow::Leave(Turn& turn, int64_t event_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto event = storage::FindEvent(turn.db, event_id);
  if (!event.ok()) return Failed(turn, event.status());
  if (!event->has_value()) return List(turn, 0);
  const std::string title = (*event)->title;
  auto cancelled =
      CancelEventSignup(turn.db, t, turn.user.id, event_id, turn.now_ms);
  if (!cancelled.ok()) {
    const auto code = cancelled.status().code();
    if (code == Status::Code::kNotFound) {
      return {{t.Text(lang, "events.not_signed", {{"title", title}}),
               {{Id("list", 0), t.Text(lang, "events.back")}}}};
    }
    if (code == Status::Code::kInvalidArgument)
      return List(turn, 0);  // it has started
    return Failed(turn, cancelled.status());
  }
  return {{t.Text(lang, "events.cancelled", {{"title", title}}),
           {{Id("list", 0), t.Text(lang, "events.back")}}}};
}

std::vector<Reply> EventsFlow::Mine(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto mine = storage::ActiveSignupsForUser(turn.db, turn.user.id, turn.now_ms);
  if (!mine.ok()) return Failed(turn, mine.status());
  if (mine->empty()) {
    return {{t.Text(lang, "events.mine_empty"),
             {{Id("list", 0), t.Text(lang, "events.back")}}}};
  }
  Reply r{t.Text(lang, "events.mine_header"), {}};
  for (const auto& s : *mine) {
    auto event = LoadEvent(turn.db, s.event_id);
    if (!event.ok()) return Failed(turn, event.status());
    const bool waiting = s.state == storage::SignupState::kWaiting;
    r.text +=
        "\n" + t.Text(lang,
                      waiting ? "events.mine_waiting" : "events.mine_signed",
                      {{"title", event->title},
                       {"when", booking::FormatWhen(lang, event->starts_at)}});
    r.buttons.push_back({Id("show", event->id), event->title});
  }
  r.buttons.push_back({Id("list", 0), t.Text(lang, "events.back")});
  return {r};
}

std::vector<Reply> EventsFlow::NoLonger(Turn& turn,
                                        const storage::Event& event) const {
  const Catalog& t = deps_.catalog;
  return {{t.Text(turn.lang, "events.no_longer", {{"title", event.title}}),
           {{Id("list", 0), t.Text(turn.lang, "events.back")}}}};
}

std::vector<Reply> EventsFlow::Failed(Turn& turn,
                                      const core::Status& why) const {
  if (RetryLater(turn, why)) return {};
  core::LogError(
      "events", "user " + std::to_string(turn.user.id) + ": " + why.ToString());
  return {{deps_.catalog.Text(turn.lang, "events.error"), {}}};
}

}  // namespace sportello::flows
