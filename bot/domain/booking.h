// Appointments as people see them: finding a free time, booking it with its
// reminders, cancelling and rescheduling, and dates written the Italian (or
// English) way, on Rome's clock. What the booking flow calls. Like a flow, it
// never reads the clock or touches the network: `now_ms` comes in, and what
// must reach the person later leaves as outbox rows due at their time.
//
//   auto day = booking::FreeDays(db, "orientamento", now, 5);      // buttons
//   auto times = booking::FreeTimes(db, "orientamento", (*day)[0], now);
//   auto appt = booking::Book(db, catalog, user_id, (*times)[0].id,
//   "orientamento", now); if (appt.status().code() ==
//   core::Status::Code::kAlreadyExists) {
//     // someone was faster: offer NextFreeSlots(db, "orientamento", now, 3)
//   }
//   reply = booking::AppointmentText(catalog, lang, "booking.confirmed",
//   *appt);
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/catalog.h"
#include "bot/domain/holidays.h"
#include "storage/appointments.h"
#include "storage/database.h"

namespace sportello::booking {

// Reminders go this long before the start: elapsed time, so across a change
// to or from summer time the day-before reminder shows on the wall clock an
// hour off the appointment's own time.
inline constexpr int64_t kReminder24hMs = 24 * 3'600'000;
inline constexpr int64_t kReminder2hMs = 2 * 3'600'000;
// Among due outbox rows, after replies (0): a reminder never delays an answer.
inline constexpr int kReminderPriority = 1;
// Free slots are offered up to this far ahead.
inline constexpr int kHorizonDays = 60;

// A booking with its slot and service: everything needed to describe it.
struct Appointment {
  storage::Booking booking;
  storage::Slot slot;
  storage::Service service;
};

// The outbox dedupe key of a booking's reminder: "reminder:<id>:24h", "...:2h".
std::string ReminderKey(int64_t booking_id, std::string_view which);

// --- Writing dates and times (Europe/Rome). `lang` is "it" or "en"; any
// other value reads as Italian.

enum class DayStyle {
  kLong,   // "martedì 3 dicembre" / "Tuesday 3 December"
  kShort,  // "mar 3 dic" / "Tue 3 Dec": fits a WhatsApp button with a time
};
std::string FormatDay(std::string_view lang, std::chrono::year_month_day day,
                      DayStyle style = DayStyle::kLong);
// "10:30", Rome's wall clock.
std::string FormatTime(int64_t at_ms);
// "martedì 3 dicembre, ore 10:30" / "Tuesday 3 December, 10:30".
std::string FormatWhen(std::string_view lang, int64_t at_ms);

std::string ServiceName(const storage::Service& service, std::string_view lang);
// The address, or "online: <link>" from the catalogue.
std::string PlaceText(const Catalog& catalog, std::string_view lang,
                      const storage::Slot& slot);

// The catalogue text `key` with {service}, {when}, {day}, {time} and {place}
// of `appointment` filled in: "booking.confirmed", "booking.cancelled",
// "booking.rescheduled", "booking.list_item", the reminders.
std::string AppointmentText(const Catalog& catalog, std::string_view lang,
                            std::string_view key,
                            const Appointment& appointment);

// --- Reading. Only slots starting after `now_ms` are ever offered, up to
// kHorizonDays ahead, and never on a day in `closed` (public holidays always;
// the centre's own closures when the caller passes them), and only slots of
// `centres` (a person is offered their own centre's: Only({centre}); the
// default, every centre, is for tools). When several counsellors are free at
// the same time, one slot stands for them (per start time, in person and
// online apart), so a list of times never repeats itself.

core::Result<std::vector<storage::Service>> Services(storage::Database& db);
// Up to `max_days` Rome dates with a free slot for the service, soonest first.
core::Result<std::vector<std::chrono::year_month_day>> FreeDays(
    storage::Database& db, std::string_view service_code, int64_t now_ms,
    int max_days, const ClosedDays& closed = {},
    const storage::CentreScope& centres = storage::CentreScope::Every());
// The free slots of one Rome date, by time.
core::Result<std::vector<storage::Slot>> FreeTimes(
    storage::Database& db, std::string_view service_code,
    std::chrono::year_month_day day, int64_t now_ms,
    const ClosedDays& closed = {},
    const storage::CentreScope& centres = storage::CentreScope::Every());
// The first `n` free slots starting after `after_ms`: the alternatives to
// offer when a slot was taken.
core::Result<std::vector<storage::Slot>> NextFreeSlots(
    storage::Database& db, std::string_view service_code, int64_t after_ms,
    int n, const ClosedDays& closed = {},
    const storage::CentreScope& centres = storage::CentreScope::Every());

core::Result<std::optional<Appointment>> FindAppointment(storage::Database& db,
                                                         int64_t booking_id);
// A person's booked appointments that have not started, soonest first.
core::Result<std::vector<Appointment>> UpcomingAppointments(
    storage::Database& db, int64_t user_id, int64_t now_ms);

// --- Changing. REQUIRES: inside a write transaction on `db` (roll back on
// an error: a failed call may have written part of its work).

// Books `slot_id` for the person and, in the same transaction, enqueues the
// 24 h and 2 h reminders (those not already past) in their language, for
// their channel. `service_code` may be empty for a slot of one service.
//   AlreadyExists    the slot is taken: offer NextFreeSlots
//   NotFound         no such person or slot
//   InvalidArgument  the slot has started, or is for another service, or
//                    no service was chosen for a slot open to any
core::Result<Appointment> Book(storage::Database& db, const Catalog& catalog,
                               int64_t user_id, int64_t slot_id,
                               std::string_view service_code, int64_t now_ms);

// Cancels the person's booking, freeing the slot, and cancels its pending
// reminders: none is sent afterwards.
//   NotFound         no such booking of this person
//   InvalidArgument  already cancelled, or the appointment has started
core::Result<Appointment> Cancel(storage::Database& db, int64_t user_id,
                                 int64_t booking_id, int64_t now_ms);

// Moves the person's booking to `new_slot_id`, same service: books the new
// slot (with its reminders), then cancels the old booking (and its
// reminders). Returns the new appointment. Errors as Book and Cancel; on
// AlreadyExists the old booking is untouched.
core::Result<Appointment> Reschedule(storage::Database& db,
                                     const Catalog& catalog, int64_t user_id,
                                     int64_t booking_id, int64_t new_slot_id,
                                     int64_t now_ms);

}  // namespace sportello::booking
