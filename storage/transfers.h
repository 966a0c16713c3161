// Moving a conversation to another centre: from then on it, the person's
// profile and notes are that centre's (storage/centre_scope.h). What the
// person is told, and who may move it, is the console's (bot/web).
#pragma once

#include <cstdint>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// Makes conversation `conversation_id` centre `centre_id`'s. NotFound for an
// unknown conversation; an unknown centre is refused by the schema (an
// error, which rolls the caller's transaction back). Whether the centre is
// enabled is the caller's to check. Bookings stay where they were made.
core::Status MoveConversation(Database& db, int64_t conversation_id,
                              int64_t centre_id, int64_t now_ms);

}  // namespace sportello::storage
