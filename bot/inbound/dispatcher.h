// From a stored update to its effects, in one transaction: the user and the
// conversation, the history, the bot's answer (when the bot holds the
// conversation, or the few answers a person waiting in the queue or talking
// to a counsellor gets: the person's rights, with a note for the counsellor)
// and
// the outbox rows that will deliver it, and the mark that the update is
// processed. A crash before the commit leaves the update pending; after it,
// processed exactly once.
#pragma once

#include <chrono>
#include <optional>

#include "bot/core/message.h"
#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "bot/flows/router.h"
#include "intents/engine.h"
#include "storage/database.h"
#include "storage/inbox.h"

namespace sportello {

class Dispatcher {
 public:
  Dispatcher(const intents::Engine& engine, flows::FlowDeps deps,
             const ReferenceData& data);

  // The update decoded and, for text, classified. Pure and thread-safe, so
  // it runs outside the write lock.
  struct Prepared {
    storage::InboxRow row;
    core::Status decoded;  // not OK: the row is unusable and will be marked so
    std::optional<core::InboundMessage> message;
    std::optional<core::StatusUpdate> receipt;
    std::optional<core::MembershipChange> membership;
    intents::Analysis analysis;
  };
  Prepared Prepare(const storage::InboxRow& row,
                   std::chrono::year_month_day today) const;

  struct Applied {
    bool skipped = false;       // processed already (by another process)
    bool wrote_outbox = false;  // new rows for the sender
  };
  // REQUIRES: inside a write transaction on `db`.
  core::Result<Applied> Apply(storage::Database& db, const Prepared& p,
                              int64_t now_ms) const;

 private:
  core::Result<bool> ApplyMessage(storage::Database& db, const Prepared& p,
                                  int64_t now_ms) const;
  core::Status ApplyMembership(storage::Database& db,
                               const core::MembershipChange& m) const;

  const intents::Engine& engine_;
  const Catalog& catalog_;
  // Centre 1 as configured: what a centre's row defers to
  // (flows::CentreAsTold).
  const CentreConfig& configured_centre_;
  flows::Router router_;
};

}  // namespace sportello
