// The role catalogue (roles.tsv): which job a message is about, as the
// masculine singular Italian noun ("cameriera", "waiter" -> "cameriere").
#pragma once

#include <string>

#include "bot/core/status.h"
#include "intents/entities/catalogue.h"

namespace sportello::intents::entities {

// Reads `path` (format in its header comment: role<TAB>form, form, ...).
// NotFound if it cannot be opened, InvalidArgument (with file:line) if a line
// is malformed.
core::Result<Catalogue> LoadRoles(const std::string& path);

}  // namespace sportello::intents::entities
