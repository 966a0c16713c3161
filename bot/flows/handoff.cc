#include "bot/flows/handoff.h"

#include "bot/domain/opening_hours.h"
#include "bot/flows/flow.h"
#include "bot/flows/router.h"
#include "storage/codec.h"
#include "storage/outbox.h"

namespace sportello::flows {
namespace {

// Behind replies to what people write, ahead of reminders.
constexpr int kNoticePriority = 1;

}  // namespace

std::string HandoffTimeoutKey(int64_t conversation_id, int64_t waiting_since) {
  return "handoff-timeout:" + std::to_string(conversation_id) + ":" +
         std::to_string(waiting_since);
}

core::Result<std::vector<Reply>> EnterQueue(const FlowDeps& deps, Turn& turn,
                                            const std::string& queue_text) {
  const Catalog& t = deps.catalog;
  const auto& centre = turn.centre;
  const std::vector<core::Button> book = {
      {kMenuBooking, t.Text(turn.lang, "menu.booking")}};
  if (!CentreOpenAt(centre, turn.now_ms)) {
    return std::vector<Reply>{
        {t.Text(turn.lang, "handoff.closed", {{"hours", centre.hours}}), book}};
  }
  if (deps.handoff_timeout_minutes > 0) {
    const auto channel = core::ParseChannel(turn.user.channel);
    if (!channel)
      return core::Status::Internal("handoff: unknown channel " +
                                    turn.user.channel);
    core::OutboundMessage notice;
    notice.channel = *channel;
    notice.chat_id = turn.user.chat_id;
    notice.text = t.Text(turn.lang, "handoff.timeout");
    notice.buttons = book;
    storage::NewOutboxRow row;
    row.channel = turn.user.channel;
    row.chat_id = turn.user.chat_id;
    row.user_id = turn.user.id;
    row.kind = std::string(core::OutboundKindName(notice.kind));
    row.payload = EncodeOutbound(notice);
    row.priority = kNoticePriority;
    row.dedupe_key = HandoffTimeoutKey(turn.conversation.id,
                                       turn.conversation.waiting_since.value());
    row.due_at = turn.now_ms + int64_t{deps.handoff_timeout_minutes} * 60'000;
    if (auto id = storage::EnqueueOutbox(turn.db, row, turn.now_ms); !id.ok())
      return id.status();
  }
  return std::vector<Reply>{
      {t.Text(turn.lang, "handoff.queued",
              {{"queue", queue_text}, {"hours", centre.hours}}),
       {}}};
}

core::Status CancelHandoffTimeout(storage::Database& db,
                                  const storage::Conversation& c) {
  if (!c.waiting_since) return core::Status::Ok();
  auto cancelled = storage::CancelOutboxByDedupeKey(
      db, HandoffTimeoutKey(c.id, *c.waiting_since));
  return cancelled.status();
}

}  // namespace sportello::flows
