// Contacts collected at the front desk (paper forms, events) who agreed to
// receive notices: a CSV with a header row naming the columns
//   channel      required: telegram | whatsapp
//   address      required: WhatsApp wa_id (6-15 digits, no '+') or
//                Telegram chat id (digits, '-' allowed)
//   consent_at   required: when they consented (YYYY-MM-DD, DD/MM/YYYY or
//                ISO 8601); a contact without consent is refused, never
//                stored
//   name, comune, topics   optional; topics separated by ';' or '|'
//   birth_year   optional: 1900 to this year
// Each becomes a users row (external_id = chat_id = address) with consent
// and notices on, its comune and birth_year profile answers, and its topics.
// Importing a file again changes nothing; a person already known keeps their
// own choices (an opt-out is never undone by an import).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"
#include "storage/vacancy_import.h"

namespace sportello::storage {

// The consent_version recorded for imported contacts.
inline constexpr std::string_view kFrontDeskConsent = "front_desk";

struct Contact {
  int line = 0;
  std::string channel;
  std::string address;
  std::string name;
  std::string comune;
  std::string birth_year;  // "" when not given
  int64_t consent_at = 0;
  std::vector<std::string> topics;
};

struct ParsedContacts {
  std::vector<Contact> rows;     // valid rows, in file order
  std::vector<RowError> errors;  // "line 4: address: ..."
};

// InvalidArgument (nothing imported) for a file without a header, with an
// unknown column or without a required one. `now_ms` bounds birth_year.
core::Result<ParsedContacts> ParseContactsCsv(std::string_view text,
                                              int64_t now_ms);

struct ContactsSummary {
  int inserted = 0;  // new people
  int existing = 0;  // already known: only what was missing was added
  std::vector<RowError> rejected;
};

// REQUIRES: inside a Transaction (the import is applied whole); a non-OK
// status is a storage failure.
core::Result<ContactsSummary> ImportContacts(Database& db,
                                             const ParsedContacts& contacts,
                                             int64_t now_ms);

}  // namespace sportello::storage
