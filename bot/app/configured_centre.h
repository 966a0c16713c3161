// Centre 1 as the configuration describes it (SPORTELLO_CENTRE_*, the
// opening hours and closures): what a single-centre deployment has always
// set in its environment keeps describing its centre, in the database too,
// until an admin edits centre 1 there (`sportello centres edit 1`).
#pragma once

#include <cstdint>

#include "bot/core/status.h"
#include "bot/domain/centre.h"
#include "storage/database.h"

namespace sportello {

// Writes `centre` into centre 1 if that row still follows the
// configuration and differs; returns whether it wrote. Run at start by
// `serve` and `chat`, and by the commands that show centres.
core::Result<bool> AdoptConfiguredCentre(storage::Database& db,
                                         const CentreConfig& centre,
                                         int64_t now_ms);

}  // namespace sportello
