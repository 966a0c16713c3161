// The audit log: who viewed whose data, and every counsellor action on a
// conversation (takeover, reply, release, note, export, erasure), with time.
// Append only; admins read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;   // a staff username
  std::string action;  // "view_conversation", "takeover", "reply", ...
  std::optional<int64_t> conversation_id;
  std::optional<int64_t> user_id;
  std::string detail;
  // The centre of the conversation, person or object concerned, if any.
  std::optional<int64_t> centre_id;
};

core::Status AppendAudit(Database& db, const AuditEntry& entry);

// The newest entries first, at most `limit`; only those before `before_id`
// when given (paging).
core::Result<std::vector<AuditEntry>> ListAudit(
    Database& db, int limit, std::optional<int64_t> before_id = std::nullopt);

}  // namespace sportello::storage
