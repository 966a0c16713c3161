#include "bot/flows/clarify.h"

#include <string>
#include <utility>

#include "intents/acting.h"
#include "intents/labels.h"
#include "storage/messages.h"

namespace sportello::flows {
namespace {

using nlohmann::json;

constexpr const char* kSlot = "_clarify";
// Messages looked at to find the person's previous one: a turn's answer is
// a few messages at most.
constexpr int kHistoryWindow = 40;

// Intents whose answer does no harm when it is a guess (a greeting, the
// menu): never offered as a choice, and taken as they are when nothing
// else is likely.
bool Harmless(std::string_view intent) {
  return intent == "greet" || intent == "help" || intent == "thanks" ||
         intent == "goodbye";
}

// A message that would change something (notifications, data, a booking, a
// place in the queue) needs the engine to be sure; anything else only needs
// it not to be guessing.
bool Understood(const intents::Analysis& a) {
  if (a.intent.empty() || a.intent == "out_of_scope") return false;
  return a.confidence >= (intents::ChangesState(a.intent) ? intents::kActAtLeast
                                                          : kClarifyBelow);
}

std::string TitleKey(std::string_view intent) {
  return "clarify.intent." + std::string(intent);
}

// The ids of the person's last two messages in this conversation's history
// (this turn's is stored before the router runs): {current, previous}.
std::pair<int64_t, int64_t> LastInboundIds(Turn& turn) {
  auto rows = storage::ConversationMessages(turn.db, turn.conversation.id,
                                            kHistoryWindow);
  std::pair<int64_t, int64_t> ids{0, 0};
  if (!rows.ok()) return ids;
  for (const auto& m : *rows) {
    if (m.direction != "in") continue;
    ids = {m.id, ids.first};
  }
  return ids;
}

json EntitiesJson(const intents::Entities& e) {
  json j = json::object();
  if (e.city) j["city"] = *e.city;
  if (e.role) j["role"] = *e.role;
  if (e.contract) j["contract"] = *e.contract;
  if (e.date) j["date"] = *e.date;
  return j;
}

std::optional<std::string> StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

intents::Entities EntitiesFrom(const json& j) {
  intents::Entities e;
  if (!j.is_object()) return e;
  e.city = StringAt(j, "city");
  e.role = StringAt(j, "role");
  e.contract = StringAt(j, "contract");
  e.date = StringAt(j, "date");
  return e;
}

void Forget(storage::Conversation& c) {
  json slots = Slots(c);
  if (!slots.contains(kSlot)) return;
  slots.erase(kSlot);
  SaveSlots(c, slots);
}

}  // namespace

std::optional<std::vector<Reply>> AskToClarify(const Catalog& catalog,
                                               Turn& turn, const MenuFn& menu) {
  const auto& in = turn.in;
  if (in.kind != core::InboundKind::kText || in.text.empty() ||
      !in.button_id.empty()) {
    return std::nullopt;
  }
  auto& conv = turn.conversation;
  const intents::Analysis& a = turn.analysis;
  if (Understood(a)) {
    Forget(conv);
    return std::nullopt;
  }
  // The likeliest intents worth offering.
  std::vector<core::Button> buttons;
  for (const auto& scored : a.top) {
    if (buttons.size() == 2) break;
    if (scored.confidence < kClarifyCandidateAtLeast || Harmless(scored.intent))
      continue;
    if (!catalog.Has(turn.lang, TitleKey(scored.intent)))
      continue;  // yes, no, out of scope
    buttons.push_back({std::string(kClarifyPrefix) + scored.intent,
                       catalog.Text(turn.lang, TitleKey(scored.intent))});
  }
  if (buttons.empty() &&
      Harmless(a.intent)) {  // a guess that costs nothing: the menu
    Forget(conv);
    return std::nullopt;
  }

  // A misunderstanding. The second in a row: stop guessing.
  json slots = Slots(conv);
  const auto [current, previous] = LastInboundIds(turn);
  const json last = slots.contains(kSlot) ? slots[kSlot] : json();
  if (previous != 0 && last.is_object() &&
      last.value("miss", int64_t{0}) == previous) {
    slots.erase(kSlot);
    SaveSlots(conv, slots);
    return std::vector<Reply>{menu("clarify.give_up")};
  }
  slots[kSlot] = {{"miss", current},
                  {"text", in.text},
                  {"entities", EntitiesJson(a.entities)}};
  SaveSlots(conv, slots);
  if (buttons.empty())
    return std::nullopt;  // nothing to offer: "not understood"
  buttons.push_back({std::string(kClarifyPrefix) + "help",
                     catalog.Text(turn.lang, "clarify.other")});
  return std::vector<Reply>{
      {catalog.Text(turn.lang, "clarify.question"), std::move(buttons)}};
}

std::optional<Clarified> ClarifiedMessage(Turn& turn) {
  const std::string_view id = turn.in.button_id;
  if (id.substr(0, kClarifyPrefix.size()) != kClarifyPrefix)
    return std::nullopt;
  std::string intent(id.substr(kClarifyPrefix.size()));
  if (intents::IntentIndex(intent) < 0 || intent == "out_of_scope")
    intent = "help";

  auto& conv = turn.conversation;
  EndFlow(conv);
  const json slots = Slots(conv);
  const json unsure = slots.contains(kSlot) ? slots[kSlot] : json::object();
  Forget(conv);

  Clarified c;
  c.in = turn.in;
  c.in.kind = core::InboundKind::kText;
  c.in.button_id.clear();
  c.in.callback_query_id.clear();  // answered by the dispatcher already
  c.in.text =
      unsure.is_object() ? unsure.value("text", std::string()) : std::string();
  c.analysis.intent = intent;
  c.analysis.confidence = 1.0;
  c.analysis.lang = turn.lang;
  if (unsure.is_object() && unsure.contains("entities")) {
    c.analysis.entities = EntitiesFrom(unsure["entities"]);
  }
  c.analysis.top = {{intent, 1.0}};
  return c;
}

}  // namespace sportello::flows
