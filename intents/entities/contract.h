// Contract kinds a message asks for: full_time, part_time, tirocinio,
// stagionale, apprendistato ("part-time", "stage", "summer job"...).
#pragma once

#include "intents/entities/catalogue.h"

namespace sportello::intents::entities {

// The built-in phrases for each kind, Italian and English. "stage" and
// "internship" are tirocinio; "estate", "estivo", "summer" are stagionale.
Catalogue ContractCatalogue();

}  // namespace sportello::intents::entities
