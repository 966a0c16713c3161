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

Refusal MayTransfer(const storage::Conversation& c, const Staff& who) {
  if (c.mode == ConversationMode::kHuman && !HeldBy(c, who.username) &&
      !who.admin)
    return Refusal::kHeldByOther;
  return Refusal::kAllowed;
}

std::string DisplayName(std::string_view profile_name,
                        std::string_view channel_name, std::string_view channel,
                        int64_t conversation_id) {
  const auto blank = [](std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
  };
  if (!blank(profile_name)) return std::string(profile_name);
  if (!blank(channel_name)) return std::string(channel_name);
  // Four digits that do not look like a count: ids 1, 2, 3 read as
  // unrelated numbers, and the same id always gives the same one.
  const uint64_t mixed =
      static_cast<uint64_t>(conversation_id) * 2654435761ULL % 9000ULL;
  const std::string number = std::to_string(1000 + mixed);
  const std::string_view label = channel == "telegram"   ? "Telegram"
                                 : channel == "whatsapp" ? "WhatsApp"
                                                         : "Web";
  return std::string(label) + " #" + number;
}

}  // namespace sportello::console
