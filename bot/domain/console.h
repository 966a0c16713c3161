// The console's rules: who may do what with a conversation. Decided here,
// with no I/O, so that the HTTP handlers only parse, authorise, call and
// serialise; the answers carry the reason a counsellor is shown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/conversations.h"

namespace sportello::console {

// The member of staff asking.
struct Staff {
  std::string_view username;
  bool admin = false;
};

// Why an action is refused; kAllowed when it is not.
enum class Refusal {
  kAllowed,
  kHeldByOther,   // another counsellor holds the conversation
  kNotTakenOver,  // the caller must take it over first
  kBotHoldsIt,    // nothing to hand back: the bot holds it already
};

// The message shown for a refusal ("" for kAllowed).
std::string_view RefusalText(Refusal r);

// The caller already holds the conversation (taking it again is a no-op:
// the person is not greeted twice).
bool HeldBy(const storage::Conversation& c, std::string_view username);

// Replying: only the counsellor who holds the conversation.
Refusal MayReply(const storage::Conversation& c, const Staff& who);

// Handing back to the bot: the holder; an admin too (a counsellor gone
// home); anyone for a conversation still waiting in the queue.
Refusal MayRelease(const storage::Conversation& c, const Staff& who);

// Booking an appointment for the person: anyone, unless another counsellor
// holds the conversation.
Refusal MayBookFor(const storage::Conversation& c, const Staff& who);

// Transferring to another centre: anyone who sees the conversation, unless
// another counsellor holds it; an admin too (a counsellor gone home), as
// handing back. The transfer takes it from the holder.
Refusal MayTransfer(const storage::Conversation& c, const Staff& who);

// The name a counsellor sees for a person: the name given in the profile,
// else the channel's (Telegram's first name, WhatsApp's profile name),
// else a short pseudonym from the conversation id ("Web #4821"): stable,
// so the same person keeps it, and meaningless outside the console.
std::string DisplayName(std::string_view profile_name,
                        std::string_view channel_name, std::string_view channel,
                        int64_t conversation_id);

}  // namespace sportello::console
