// Read models for reports and attendance: who came to an appointment, and
// the people a funnel report counts, one row each, for bot/domain/reports.h
// to add up (eligibility and age need the questionnaire's rules, not SQL).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/database.h"

namespace sportello::storage {

// "attended" | "no_show" on a booking that is not cancelled, by `by` at
// `now_ms`; marking again replaces the mark. NotFound for an unknown or
// cancelled booking.
core::Status SetAttendance(Database& db, int64_t booking_id,
                           std::string_view attendance, std::string_view by,
                           int64_t now_ms);

// The booking's mark, nullopt while unmarked or when there is no booking.
core::Result<std::optional<std::string>> FindAttendance(Database& db,
                                                        int64_t booking_id);

// One person whose first message arrived in the report's period.
struct FunnelPerson {
  int64_t user_id = 0;
  std::string channel;
  int64_t first_contact_at = 0;  // their first message in, unix ms
  bool consented = false;
  bool profile_completed = false;
  std::optional<std::string> age_band;
  std::map<std::string, std::string> answers;  // the questionnaire's
  // At least one booking, kept or cancelled since, at the scope's centres.
  bool booked = false;
  // The start of the earliest appointment marked attended at the scope's
  // centres.
  std::optional<int64_t> first_attended_at;
  bool vacancy_proposed = false;    // the bot showed them an offer
  bool vacancy_interested = false;  // they pressed "Mi interessa"
};

// People whose first message in is in [from_ms, to_ms) and whose
// conversation belongs to a centre of `scope`, by user id. Their bookings
// count at the scope's slots only: a centre reports the people it took in
// charge itself (someone transferred in after an appointment elsewhere has
// not been, by this centre), the region every appointment.
core::Result<std::vector<FunnelPerson>> FunnelPeople(Database& db,
                                                     int64_t from_ms,
                                                     int64_t to_ms,
                                                     const CentreScope& scope);

}  // namespace sportello::storage
