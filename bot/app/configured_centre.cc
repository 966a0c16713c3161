#include "bot/app/configured_centre.h"

#include "storage/centres.h"

namespace sportello {

core::Result<bool> AdoptConfiguredCentre(storage::Database& db,
                                         const CentreConfig& centre,
                                         int64_t now_ms) {
  return storage::AdoptConfiguredCentre(
      db,
      {centre.name, centre.address, centre.hours, centre.opening_hours,
       centre.closures, centre.contacts},
      now_ms);
}

}  // namespace sportello
