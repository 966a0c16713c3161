#include "bot/domain/console.h"

namespace sportello::console {

using storage::ConversationMode;

std::string_view RefusalText(Refusal r) {
  switch (r) {
    case Refusal::kAllowed:
      return "";
    case Refusal::kHeldByOther:
      return "another counsellor holds this conversation";
    case Refusal::kNotTakenOver:
      return "take the conversation over before replying";
    case Refusal::kBotHoldsIt:
      return "the bot holds this conversation already";
  }
  return "";
}

bool HeldBy(const storage::Conversation& c, std::string_view username) {
  return c.mode == ConversationMode::kHuman && c.assigned_to == username;
}

Refusal MayReply(const storage::Conversation& c, const Staff& who) {
  return HeldBy(c, who.username) ? Refusal::kAllowed : Refusal::kNotTakenOver;
}

Refusal MayRelease(const storage::Conversation& c, const Staff& who) {
  if (HeldBy(c, who.username)) return Refusal::kAllowed;
  switch (c.mode) {
    case ConversationMode::kWaitingForHuman:
      return Refusal::kAllowed;
    case ConversationMode::kHuman:
      return who.admin ? Refusal::kAllowed : Refusal::kHeldByOther;
    case ConversationMode::kBot:
      return Refusal::kBotHoldsIt;
  }
  return Refusal::kBotHoldsIt;
}

Refusal MayBookFor(const storage::Conversation& c, const Staff& who) {
  if (c.mode == ConversationMode::kHuman && c.assigned_to != who.username)
    return Refusal::kHeldByOther;
  return Refusal::kAllowed;
}

}  // namespace sportello::console
