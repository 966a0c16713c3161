// The handoff queue's promises: the honest answer outside opening hours and
// the notice, booked in the outbox, for a person left waiting too long.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bot/flows/turn.h"
#include "storage/conversations.h"
#include "storage/database.h"

namespace sportello::flows {

struct FlowDeps;

// The outbox dedupe key of the "still waiting" notice of one stay in the
// queue (a conversation may queue many times).
std::string HandoffTimeoutKey(int64_t conversation_id, int64_t waiting_since);

// Called as the person enters the queue (REQUIRES: c.waiting_since set):
// the reply to give them, and, when the centre is open and a timeout is
// configured, the notice enqueued for later.
core::Result<std::vector<Reply>> EnterQueue(const FlowDeps& deps, Turn& turn,
                                            const std::string& queue_text);

// Cancels the pending notice of `c`'s current stay in the queue, if any:
// for when a counsellor takes over or the person leaves the queue.
core::Status CancelHandoffTimeout(storage::Database& db,
                                  const storage::Conversation& c);

}  // namespace sportello::flows
