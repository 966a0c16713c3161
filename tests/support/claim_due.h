// Tests that play the sender: search and claim due outbox rows in one call,
// on one connection (the service splits the two: storage/outbox.h).
#pragma once

#include <string>
#include <vector>

#include "storage/outbox.h"

namespace sportello::support {

inline core::Result<std::vector<storage::OutboxRow>> ClaimDueOutbox(
    storage::Database& db, int64_t now_ms, int limit,
    const std::vector<std::string>& channels) {
  auto rows = storage::FindDueOutbox(db, now_ms, limit, channels);
  if (!rows.ok()) return rows.status();
  std::vector<storage::OutboxRow> claimed;
  for (auto& r : *rows) {
    auto ok = storage::ClaimOutboxRow(db, r.id);
    if (!ok.ok()) return ok.status();
    if (!*ok) continue;
    r.state = "sending";
    ++r.attempts;
    claimed.push_back(std::move(r));
  }
  return claimed;
}

}  // namespace sportello::support
