#include "bot/flows/flow.h"

namespace sportello::flows {

nlohmann::json Slots(const storage::Conversation& c) {
  nlohmann::json j = nlohmann::json::parse(c.slots, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

void SaveSlots(storage::Conversation& c, const nlohmann::json& slots) {
  c.slots =
      slots.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void EndFlow(storage::Conversation& c) {
  c.flow.clear();
  c.step.clear();
  nlohmann::json slots = Slots(c);
  nlohmann::json kept = nlohmann::json::object();
  for (auto it = slots.begin(); it != slots.end(); ++it) {
    if (!it.key().empty() && it.key()[0] == '_') kept[it.key()] = it.value();
  }
  SaveSlots(c, kept);
}

}  // namespace sportello::flows
