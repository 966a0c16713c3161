#include "bot/flows/menu.h"

#include <string_view>

namespace sportello::flows {
namespace {

bool IsCommand(const core::InboundMessage& in, std::string_view command) {
  // "/start", "/start payload", "/menu@SportelloBot"
  std::string_view t = in.text;
  if (t.substr(0, command.size()) != command) return false;
  return t.size() == command.size() || t[command.size()] == ' ' || t[command.size()] == '@';
}

}  // namespace

FrontDoor::FrontDoor(const Catalog& catalog, const CentreConfig& centre)
    : catalog_(catalog), centre_(centre) {}

Reply FrontDoor::Menu(const std::string& lang, const char* prompt_key) const {
  Reply r;
  r.text = catalog_.Text(lang, prompt_key);
  r.buttons = {
      {kMenuJobs, catalog_.Text(lang, "menu.jobs")},
      {kMenuBooking, catalog_.Text(lang, "menu.booking")},
      {kMenuEvents, catalog_.Text(lang, "menu.events")},
      {kMenuInfo, catalog_.Text(lang, "menu.info")},
      {kMenuHuman, catalog_.Text(lang, "menu.human")},
  };
  return r;
}

std::vector<Reply> FrontDoor::RequestHuman(Turn& turn) const {
  auto& c = turn.conversation;
  if (c.mode != storage::ConversationMode::kBot) {
    return {{catalog_.Text(turn.lang, "handoff.already"), {}}};
  }
  c.mode = storage::ConversationMode::kWaitingForHuman;
  c.waiting_since = turn.now_ms;
  c.flow.clear();
  c.step.clear();
  return {{catalog_.Text(turn.lang, "handoff.queued"), {}}};
}

std::vector<Reply> FrontDoor::Respond(Turn& turn) const {
  const auto& in = turn.in;
  const std::string& lang = turn.lang;
  const bool first_contact = turn.conversation.last_message_at == std::nullopt;
  std::string_view action = in.button_id;
  if (action.empty()) {
    const std::string& intent = turn.analysis.intent;
    if (IsCommand(in, "/start") || IsCommand(in, "/menu") || IsCommand(in, "/aiuto") ||
        IsCommand(in, "/help") || intent == "greet" || intent == "help") {
      action = "menu";
    } else if (intent == "vacancy_search" || intent == "profile") {
      action = kMenuJobs;
    } else if (intent == "booking_create" || intent == "booking_cancel" ||
               intent == "booking_list") {
      action = kMenuBooking;
    } else if (intent == "events" || intent == "event_signup") {
      action = kMenuEvents;
    } else if (intent == "info_where_when" || intent == "info_programs") {
      action = kMenuInfo;
    } else if (intent == "handoff") {
      action = kMenuHuman;
    } else if (intent == "thanks") {
      action = "thanks";
    } else if (intent == "goodbye") {
      action = "goodbye";
    }
  }

  std::vector<Reply> out;
  if (first_contact) {
    out.push_back({catalog_.Text(lang, "welcome", {{"centre", centre_.name}}), {}});
  }
  if (action == kMenuHuman) {
    auto r = RequestHuman(turn);
    out.insert(out.end(), r.begin(), r.end());
  } else if (action == kMenuJobs) {
    out.push_back({catalog_.Text(lang, "jobs.soon"), {{kMenuHuman, catalog_.Text(lang, "menu.human")}}});
  } else if (action == kMenuBooking) {
    out.push_back({catalog_.Text(lang, "booking.soon"), {}});
  } else if (action == kMenuEvents) {
    out.push_back({catalog_.Text(lang, "events.soon"), {}});
  } else if (action == kMenuInfo) {
    out.push_back({catalog_.Text(lang, "info.text", {{"address", centre_.address},
                                                     {"hours", centre_.hours},
                                                     {"contacts", centre_.contacts}}),
                   {}});
  } else if (action == "thanks") {
    out.push_back({catalog_.Text(lang, "thanks"), {}});
  } else if (action == "goodbye") {
    out.push_back({catalog_.Text(lang, "goodbye"), {}});
  } else if (action == "menu" || first_contact) {
    out.push_back(Menu(lang, "menu.prompt"));
  } else if (in.kind == core::InboundKind::kMedia) {
    out.push_back({catalog_.Text(lang, "unsupported_media"), {}});
    out.push_back(Menu(lang, "menu.prompt"));
  } else {
    out.push_back(Menu(lang, "not_understood"));
  }
  return out;
}

}  // namespace sportello::flows
