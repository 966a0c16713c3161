#include "storage/appointments.h"

namespace sportello::storage {
namespace {

constexpr int kMaxSlotMinutes = 480;

// A slot with the booking holding it (the partial unique index allows one).
constexpr const char* kSlotSelect =
    "SELECT s.id, s.service_code, s.counsellor, s.starts_at, s.minutes, "
    "s.place, s.link, b.id, s.centre_id"
    " FROM slots s LEFT JOIN bookings b ON b.slot_id = s.id AND b.state = "
    "'booked'";

Slot ReadSlot(const Statement& st) {
  Slot s;
  s.id = st.Int(0);
  s.service_code = st.OptionalText(1);
  s.counsellor = st.Text(2);
  s.starts_at = st.Int(3);
  s.minutes = static_cast<int>(st.Int(4));
  s.place = st.Text(5);
  s.link = st.OptionalText(6);
  s.booking_id = st.OptionalInt(7);
  s.centre_id = st.Int(8);
  return s;
}

constexpr const char* kBookingColumns =
    "id, slot_id, user_id, service_code, state, created_at, cancelled_at";

Booking ReadBooking(const Statement& st) {
  Booking b;
  b.id = st.Int(0);
  b.slot_id = st.Int(1);
  b.user_id = st.OptionalInt(2);
  b.service_code = st.Text(3);
  b.state =
      st.Text(4) == "booked" ? BookingState::kBooked : BookingState::kCancelled;
  b.created_at = st.Int(5);
  b.cancelled_at = st.OptionalInt(6);
  return b;
}

core::Result<std::vector<Slot>> ReadSlots(Statement& st) {
  std::vector<Slot> slots;
  while (st.Step()) slots.push_back(ReadSlot(st));
  if (!st.status().ok()) return st.status();
  return slots;
}

core::Status ValidateSlot(Database& db, const NewSlot& slot) {
  if (slot.minutes <= 0 || slot.minutes > kMaxSlotMinutes) {
    return core::Status::InvalidArgument(
        "slots: length must be 1-480 minutes, not " +
        std::to_string(slot.minutes));
  }
  if (slot.place.empty())
    return core::Status::InvalidArgument("slots: place missing");
  if (slot.place == kOnline && (!slot.link || slot.link->empty())) {
    return core::Status::InvalidArgument("slots: an online slot needs a link");
  }
  if (slot.service_code) {
    auto service = FindService(db, *slot.service_code);
    if (!service.ok()) return service.status();
    if (!service->has_value()) {
      return core::Status::InvalidArgument("slots: unknown service '" +
                                           *slot.service_code + "'");
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<Service>> ListServices(Database& db) {
  Statement st = db.Prepare(
      "SELECT code, name_it, name_en, minutes FROM services ORDER BY position, "
      "code");
  std::vector<Service> services;
  while (st.Step()) {
    services.push_back(
        {st.Text(0), st.Text(1), st.Text(2), static_cast<int>(st.Int(3))});
  }
  if (!st.status().ok()) return st.status();
  return services;
}

core::Result<std::optional<Service>> FindService(Database& db,
                                                 std::string_view code) {
  Statement st = db.Prepare(
      "SELECT code, name_it, name_en, minutes FROM services WHERE code = ?");
  st.Bind(1, code);
  if (st.Step()) {
    return std::optional<Service>(Service{st.Text(0), st.Text(1), st.Text(2),
                                          static_cast<int>(st.Int(3))});
  }
  if (!st.status().ok()) return st.status();
  return std::optional<Service>();
}

core::Result<int64_t> AddSlot(Database& db, const NewSlot& slot,
                              int64_t now_ms) {
  if (auto s = ValidateSlot(db, slot); !s.ok()) return s;
  const int64_t ends_at = slot.starts_at + int64_t{slot.minutes} * 60'000;
  // A counsellor is in one place at a time. (Slots are added by staff, one
  // at a time: this check needs no protection from races.)
  Statement overlap = db.Prepare(
      "SELECT id, starts_at FROM slots WHERE counsellor = ?1 AND starts_at < ?3"
      " AND starts_at + minutes * 60000 > ?2 ORDER BY starts_at LIMIT 1");
  overlap.Bind(1, slot.counsellor).Bind(2, slot.starts_at).Bind(3, ends_at);
  if (overlap.Step()) {
    return core::Status::AlreadyExists(
        "slots: overlaps slot " + std::to_string(overlap.Int(0)) +
        (slot.counsellor.empty() ? std::string(" (no counsellor named)")
                                 : " of " + slot.counsellor));
  }
  if (!overlap.status().ok()) return overlap.status();

  Statement st = db.Prepare(
      "INSERT INTO slots(service_code, counsellor, starts_at, minutes, place, "
      "link, created_at, centre_id)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.Bind(1, slot.service_code)
      .Bind(2, slot.counsellor)
      .Bind(3, slot.starts_at)
      .Bind(4, slot.minutes)
      .Bind(5, slot.place)
      .Bind(6, slot.link)
      .Bind(7, now_ms)
      .Bind(8, slot.centre_id);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.LastInsertRowId();
}

core::Result<std::optional<Slot>> FindSlot(Database& db, int64_t slot_id,
                                           const CentreScope& scope) {
  Statement st = db.Prepare(std::string(kSlotSelect) + " WHERE s.id = ? AND " +
                            CentreCondition("s.centre_id", scope));
  st.Bind(1, slot_id);
  if (st.Step()) return std::optional<Slot>(ReadSlot(st));
  if (!st.status().ok()) return st.status();
  return std::optional<Slot>();
}

core::Result<std::vector<Slot>> ListSlots(Database& db, int64_t from_ms,
                                          int64_t to_ms,
                                          const CentreScope& scope) {
  Statement st = db.Prepare(std::string(kSlotSelect) +
                            " WHERE s.starts_at >= ?1 AND s.starts_at < ?2"
                            " AND " +
                            CentreCondition("s.centre_id", scope) +
                            " ORDER BY s.starts_at, s.counsellor, s.id");
  st.Bind(1, from_ms).Bind(2, to_ms);
  return ReadSlots(st);
}

core::Result<std::vector<Slot>> FreeSlots(Database& db,
                                          std::string_view service_code,
                                          int64_t from_ms, int64_t to_ms,
                                          int limit, const CentreScope& scope) {
  Statement st = db.Prepare(
      std::string(kSlotSelect) +
      " WHERE s.starts_at >= ?2 AND s.starts_at < ?3 AND b.id IS NULL"
      " AND (s.service_code = ?1 OR s.service_code IS NULL) AND " +
      CentreCondition("s.centre_id", scope) +
      " ORDER BY s.starts_at, s.service_code IS NULL, s.id LIMIT ?4");
  st.Bind(1, service_code).Bind(2, from_ms).Bind(3, to_ms).Bind(4, limit);
  return ReadSlots(st);
}

core::Result<int64_t> InsertBooking(Database& db, int64_t slot_id,
                                    int64_t user_id,
                                    std::string_view service_code,
                                    int64_t now_ms) {
  Statement st = db.Prepare(
      "INSERT INTO bookings(slot_id, user_id, service_code, state, created_at)"
      " VALUES(?1, ?2, ?3, 'booked', ?4)");
  st.Bind(1, slot_id).Bind(2, user_id).Bind(3, service_code).Bind(4, now_ms);
  if (auto s = st.Run(); !s.ok()) {
    if (s.code() != core::Status::Code::kAlreadyExists) return s;
    if (db.LastConstraint() == Constraint::kForeignKey) {
      return core::Status::NotFound("bookings: no slot " +
                                    std::to_string(slot_id) + ", user " +
                                    std::to_string(user_id) + " or service '" +
                                    std::string(service_code) + "'");
    }
    return core::Status::AlreadyExists("bookings: slot " +
                                       std::to_string(slot_id) + " is taken");
  }
  return db.LastInsertRowId();
}

core::Result<std::optional<Booking>> FindBooking(Database& db,
                                                 int64_t booking_id) {
  Statement st = db.Prepare(std::string("SELECT ") + kBookingColumns +
                            " FROM bookings WHERE id = ?");
  st.Bind(1, booking_id);
  if (st.Step()) return std::optional<Booking>(ReadBooking(st));
  if (!st.status().ok()) return st.status();
  return std::optional<Booking>();
}

core::Result<std::vector<Booking>> ListBookedForUser(Database& db,
                                                     int64_t user_id,
                                                     int64_t from_ms) {
  Statement st = db.Prepare(
      "SELECT b.id, b.slot_id, b.user_id, b.service_code, b.state, "
      "b.created_at, b.cancelled_at"
      " FROM bookings b JOIN slots s ON s.id = b.slot_id"
      " WHERE b.user_id = ?1 AND b.state = 'booked' AND s.starts_at >= ?2"
      " ORDER BY s.starts_at, b.id");
  st.Bind(1, user_id).Bind(2, from_ms);
  std::vector<Booking> bookings;
  while (st.Step()) bookings.push_back(ReadBooking(st));
  if (!st.status().ok()) return st.status();
  return bookings;
}

core::Status MarkBookingCancelled(Database& db, int64_t booking_id,
                                  int64_t now_ms) {
  Statement st = db.Prepare(
      "UPDATE bookings SET state = 'cancelled', cancelled_at = ?1"
      " WHERE id = ?2 AND state = 'booked'");
  st.Bind(1, now_ms).Bind(2, booking_id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("bookings: no booked booking " +
                                  std::to_string(booking_id));
  }
  return core::Status::Ok();
}

}  // namespace sportello::storage
