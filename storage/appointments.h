// Appointments with counsellors: the services offered, the slots counsellors
// make available, and the bookings that take them. The rules about people
// (reminders, who may cancel what) live in bot/domain/booking.h; this is the
// tables. Times are unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/centres.h"
#include "storage/database.h"

namespace sportello::storage {

inline constexpr std::string_view kOnline =
    "online";  // Slot::place of a video call

struct Service {
  std::string code;  // "orientamento", "bilancio_competenze", ...
  std::string name_it;
  std::string name_en;
  int minutes = 0;  // usual length of an appointment
};

struct NewSlot {
  std::optional<std::string> service_code;  // nullopt: any service
  std::string counsellor;                   // "" when not named
  int64_t starts_at = 0;
  int minutes = 0;
  std::string place;                // an address, or kOnline
  std::optional<std::string> link;  // REQUIRES: set when place is kOnline
  int64_t centre_id = kFirstCentre;
};

struct Slot {
  int64_t id = 0;
  std::optional<std::string> service_code;
  std::string counsellor;
  int64_t starts_at = 0;
  int minutes = 0;
  std::string place;
  std::optional<std::string> link;
  std::optional<int64_t> booking_id;  // the booking holding it, if any
  int64_t centre_id = kFirstCentre;   // a booking's centre is its slot's

  bool online() const { return place == kOnline; }
  int64_t ends_at() const { return starts_at + int64_t{minutes} * 60'000; }
};

enum class BookingState { kBooked, kCancelled };

struct Booking {
  int64_t id = 0;
  int64_t slot_id = 0;
  std::optional<int64_t> user_id;  // nullopt once the person's data is erased
  std::string service_code;
  BookingState state = BookingState::kBooked;
  int64_t created_at = 0;
  std::optional<int64_t> cancelled_at;
};

// Services in the order they are offered.
core::Result<std::vector<Service>> ListServices(Database& db);
core::Result<std::optional<Service>> FindService(Database& db,
                                                 std::string_view code);

// Adds a slot. InvalidArgument for an unknown service, a length outside
// 1-480 minutes, an empty place, or online without a link; AlreadyExists when
// the counsellor has a slot overlapping it.
core::Result<int64_t> AddSlot(Database& db, const NewSlot& slot,
                              int64_t now_ms);

// The slot, if it exists and belongs to a centre of `scope`.
core::Result<std::optional<Slot>> FindSlot(
    Database& db, int64_t slot_id,
    const CentreScope& scope = CentreScope::Every());

// Every slot of `scope`'s centres starting in [from_ms, to_ms), booked or
// not, by start time.
core::Result<std::vector<Slot>> ListSlots(
    Database& db, int64_t from_ms, int64_t to_ms,
    const CentreScope& scope = CentreScope::Every());

// Free slots of `scope`'s centres usable for `service_code` (its own and
// those for any service) starting in [from_ms, to_ms), by start time, at
// most `limit`. A person is offered their own centre's: Only({centre}).
core::Result<std::vector<Slot>> FreeSlots(
    Database& db, std::string_view service_code, int64_t from_ms, int64_t to_ms,
    int limit, const CentreScope& scope = CentreScope::Every());

// Takes `slot_id` for `user_id`. AlreadyExists when the slot is booked
// already: the database's unique index decides, so of two connections racing
// for a slot exactly one succeeds. NotFound for an unknown slot, user or
// service. Returns the booking's id.
core::Result<int64_t> InsertBooking(Database& db, int64_t slot_id,
                                    int64_t user_id,
                                    std::string_view service_code,
                                    int64_t now_ms);

core::Result<std::optional<Booking>> FindBooking(Database& db,
                                                 int64_t booking_id);

// A person's bookings in state kBooked whose slot starts at or after
// `from_ms`, soonest first.
core::Result<std::vector<Booking>> ListBookedForUser(Database& db,
                                                     int64_t user_id,
                                                     int64_t from_ms);

// kBooked -> kCancelled, freeing the slot. NotFound when there is no such
// booking in state kBooked.
core::Status MarkBookingCancelled(Database& db, int64_t booking_id,
                                  int64_t now_ms);

}  // namespace sportello::storage
