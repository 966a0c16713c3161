// The rules for a centre's fields, whoever sets them (`sportello centres`,
// the console's regional admins): texts of a bounded length on one line,
// opening hours and closures that parse, channel ids of digits, comuni that
// the gazetteer knows, services that exist. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/domain/comuni.h"
#include "storage/centres.h"
#include "storage/database.h"

namespace sportello {

// What is wrong, and with which field: its name as the console's JSON
// spells it ("opening_hours"); the command line shows it as a flag.
struct CentreFieldError {
  std::string field;
  std::string message;  // what it must be, English: "one line"
};

// Checks every field `changes` sets and replaces each comune given by name
// ("Molfetta") with its ISTAT code; a name several comuni share is an
// error that lists their codes. nullopt when all is well.
std::optional<CentreFieldError> CheckCentreChanges(
    storage::CentreChanges& changes, const Comuni& comuni);

// The service codes are the database's (storage/appointments.h). Unavailable
// when the database cannot be read.
core::Result<std::optional<CentreFieldError>> CheckCentreServices(
    storage::Database& db, const std::vector<std::string>& codes);

}  // namespace sportello
