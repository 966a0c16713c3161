// Demo data, compiled into the binary, so that a new installation has
// something to show before real data comes in: a small network of centres
// (centre 1, Porta Futuro in Bari, as configured; CPI Molfetta; CPI
// Altamura), with job offers (storage/demo/vacancies.json), events
// (storage/demo/events.json) and counsellors' slots for each, some offers
// and an event regional. Every loader can run again: what is there already
// is kept, nothing is added twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/app/config.h"
#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/vacancy_import.h"

namespace sportello {

// The demo centres present in a database, by key: "bari" (always centre 1),
// "molfetta", "altamura".
struct DemoNetwork {
  std::vector<std::pair<std::string, int64_t>> centres;  // key, id
  std::optional<int64_t> Find(std::string_view key) const;
  // Where a demo offer in the comune `name` (official name) belongs: the
  // demo centre serving it (centre 1 when that centre is not in this
  // database); nullopt, regional, for a comune outside the network.
  std::optional<int64_t> ForComune(std::string_view name) const;
};

// Adds the demo centres not there yet (found by name, disabled ones
// included, so a disabled one is not made again) with the comuni each
// serves, and gives centre 1 Bari and its neighbours when it serves no
// comune. A comune another centre serves already leaves the demo centre
// without comuni (logged). REQUIRES: inside a write transaction.
core::Result<DemoNetwork> AddDemoCentres(storage::Database& db, int64_t now_ms);
// The demo centres already in the database (enabled ones), adding none.
core::Result<DemoNetwork> FindDemoCentres(storage::Database& db);

// Imports the demo offers by external_id ("demo-001"...), moved in time by
// whole days so that the newest is published today and each keeps its age
// and remaining life: the demo looks the same whenever it is loaded. Run it
// inside a transaction (Store::Write) so it is all or nothing; running it
// again updates the same offers. Each offer is the demo centre's serving its
// comune, or regional outside the network (DemoNetwork::ForComune, over
// the demo centres in `db`). Internal if the embedded file is broken.
core::Result<storage::ImportSummary> ImportDemoVacancies(storage::Database& db,
                                                         int64_t now_ms);

// ImportDemoVacancies without the summary: what `serve` calls on a database
// without vacancies (storage::CountVacancies() == 0).
core::Status LoadDemoVacancies(storage::Database& db, int64_t now_ms);

// The demo events (storage/demo/events.json, compiled in), each placed its
// `in_days` from `now_ms`'s Rome date (a weekend moved to the Monday) at its
// Rome wall-clock times. Adds those not there yet, by external id, so it can
// run again. Each is its "centre"'s (a DemoNetwork key; none: centre 1;
// "regional": everyone's); one of a demo centre not in `db` is left out.
// Internal if the embedded file is broken. REQUIRES: inside a write
// transaction (all or nothing).
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
// Centre 1's demo slots for the next 3 weeks: weekdays 9:00-12:45, one
// in-person service a day at the centre's address, and online slots open to
// any service on Tuesdays and Thursdays. Slots already there are counted,
// not added twice. REQUIRES: inside a write transaction.
core::Result<DemoSlotsSummary> AddDemoSlots(storage::Database& db,
                                            const CentreConfig& centre,
                                            int64_t now_ms);
// Another demo centre's slots for the next 3 weeks, in person at its
// address and open to any service, 9:00-11:15: CPI Molfetta's on Mondays,
// Wednesdays and Fridays, CPI Altamura's on Tuesdays and Thursdays. Nothing
// for "bari" (AddDemoSlots) or an unknown key.
core::Result<DemoSlotsSummary> AddDemoCentreSlots(storage::Database& db,
                                                  std::string_view key,
                                                  int64_t centre_id,
                                                  int64_t now_ms);

// What `serve` does with SPORTELLO_DEMO=1: the demo centres (AddDemoCentres),
// demo offers when there are no offers, demo events (added once each, by
// external id), and each demo centre's slots when it has none still to come
// in the next 3 weeks. Returns a line for the log ("demo data: ...").
// REQUIRES: inside a write transaction.
core::Result<std::string> LoadDemoData(storage::Database& db,
                                       const CentreConfig& centre,
                                       int64_t now_ms);

}  // namespace sportello
