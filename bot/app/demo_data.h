// Demo vacancies (storage/demo/vacancies.json, compiled into the binary), so
// a new installation has offers to show before the first real import.
#pragma once

#include <cstdint>

#include "bot/app/config.h"
#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/vacancy_import.h"

namespace sportello {

// Imports the demo offers by external_id ("demo-001"...), moved in time by
// whole days so that the newest is published today and each keeps its age
// and remaining life: the demo looks the same whenever it is loaded. Run it
// inside a transaction (Store::Write) so it is all or nothing; running it
// again updates the same offers. Internal if the embedded file is broken.
core::Result<storage::ImportSummary> ImportDemoVacancies(storage::Database& db,
                                                         int64_t now_ms);

// ImportDemoVacancies without the summary: what `serve` calls on a database
// without vacancies (storage::CountVacancies() == 0).
core::Status LoadDemoVacancies(storage::Database& db, int64_t now_ms);

// The demo events (storage/demo/events.json, compiled in), each placed its
// `in_days` from `now_ms`'s Rome date (a weekend moved to the Monday) at its
// Rome wall-clock times. Adds those not there yet, by external id, so it can
// run again. Internal if the embedded file is broken. REQUIRES: inside a
// write transaction (all or nothing).
struct DemoEventsSummary {
  int added = 0;
  int existing = 0;
};
core::Result<DemoEventsSummary> AddDemoEvents(storage::Database& db,
                                              int64_t now_ms);

struct DemoSlotsSummary {
  int added = 0;
  int existing = 0;
};
// Counsellors' demo slots for the next 3 weeks: weekdays 9:00-12:45, one
// in-person service a day at the centre's address, and online slots open to
// any service on Tuesdays and Thursdays. Slots already there are counted,
// not added twice. REQUIRES: inside a write transaction.
core::Result<DemoSlotsSummary> AddDemoSlots(storage::Database& db,
                                            const CentreConfig& centre,
                                            int64_t now_ms);

// What `serve` does with SPORTELLO_DEMO=1: demo offers when there are no
// offers, demo events (added once each, by external id), and demo slots when
// no slot is still to come. Returns a line for the log ("demo data: ...").
// REQUIRES: inside a write transaction.
core::Result<std::string> LoadDemoData(storage::Database& db,
                                       const CentreConfig& centre,
                                       int64_t now_ms);

}  // namespace sportello
