// The centre as the bot presents it: name, address, hours, contacts, and
// when counsellors answer.
#pragma once

#include <string>
#include <vector>

namespace sportello {

// What the bot tells people about the centre (info, consent, handoff).
struct CentreConfig {
  std::string name = "Porta Futuro";  // SPORTELLO_CENTRE_NAME
  std::string address =
      "Via Giulio Petroni 15/F, 70124 Bari";  // SPORTELLO_CENTRE_ADDRESS
  std::string hours =
      "lun-ven 9:00-13:00, mar e gio 15:00-17:30";  // SPORTELLO_CENTRE_HOURS
  std::string contacts =
      "080 000 0000 · info@example.org";  // SPORTELLO_CENTRE_CONTACTS
  // SPORTELLO_OPENING_HOURS: when counsellors answer, as
  // bot/domain/opening_hours.h reads it; `hours` above is the same told to
  // people.
  std::string opening_hours = "1-5 09:00-13:00; 2,4 15:00-17:30";
  // SPORTELLO_CLOSURES: the centre's own closed days besides Italy's public
  // holidays, as bot/domain/holidays.h reads it (Bari's patron saint, 6
  // December, by default).
  std::string closures = "12-06";
  // The services people can book here (codes of storage/appointments.h's
  // services); empty: every one.
  std::vector<std::string> services;
};

}  // namespace sportello
