#include "bot/domain/booking.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <set>
#include <utility>

#include "bot/core/message.h"
#include "bot/core/rome_time.h"
#include "storage/codec.h"
#include "storage/outbox.h"
#include "storage/users.h"

namespace sportello::booking {
namespace {

using core::Status;
using std::chrono::year_month_day;

constexpr int64_t kDayMs = 24 * 3'600'000;

// Indexed by std::chrono::weekday::c_encoding(): Sunday first.
constexpr std::array<const char*, 7> kWeekdaysIt = {
    "domenica", "lunedì",  "martedì", "mercoledì",
    "giovedì",  "venerdì", "sabato"};
constexpr std::array<const char*, 7> kWeekdaysEn = {
    "Sunday",   "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 7> kWeekdaysShortIt = {
    "dom", "lun", "mar", "mer", "gio", "ven", "sab"};
constexpr std::array<const char*, 7> kWeekdaysShortEn = {
    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
// Indexed by month - 1.
constexpr std::array<const char*, 12> kMonthsIt = {
    "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
    "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
constexpr std::array<const char*, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 12> kMonthsShortIt = {
    "gen", "feb", "mar", "apr", "mag", "giu",
    "lug", "ago", "set", "ott", "nov", "dic"};
constexpr std::array<const char*, 12> kMonthsShortEn = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool English(std::string_view lang) { return lang == "en"; }

// Midnight at the start of `day` in Rome.
int64_t RomeMidnight(year_month_day day) {
  return core::ToMillis(core::FromRome(day, 0, 0));
}

year_month_day RomeDay(int64_t at_ms) {
  return core::RomeDate(core::FromMillis(at_ms));
}

// One slot per start time and mode (in person / online): the first is the
// service's own slot before one open to any service (FreeSlots' order).
std::vector<storage::Slot> OnePerTime(std::vector<storage::Slot> slots,
                                      size_t limit) {
  std::set<std::pair<int64_t, bool>> seen;
  std::vector<storage::Slot> out;
  for (auto& s : slots) {
    if (out.size() >= limit) break;
    if (seen.insert({s.starts_at, s.online()}).second)
      out.push_back(std::move(s));
  }
  return out;
}

core::Result<Appointment> LoadAppointment(storage::Database& db,
                                          const storage::Booking& b) {
  auto slot = storage::FindSlot(db, b.slot_id);
  if (!slot.ok()) return slot.status();
  auto service = storage::FindService(db, b.service_code);
  if (!service.ok()) return service.status();
  if (!slot->has_value() || !service->has_value()) {
    return Status::Internal("booking " + std::to_string(b.id) +
                            ": slot or service missing");
  }
  return Appointment{b, std::move(**slot), std::move(**service)};
}

// The person's own booking in state kBooked that has not started.
core::Result<Appointment> CancellableAppointment(storage::Database& db,
                                                 int64_t user_id,
                                                 int64_t booking_id,
                                                 int64_t now_ms) {
  auto appt = FindAppointment(db, booking_id);
  if (!appt.ok()) return appt.status();
  if (!appt->has_value() || (*appt)->booking.user_id != user_id) {
    return Status::NotFound("booking " + std::to_string(booking_id) +
                            " of user " + std::to_string(user_id) +
                            " not found");
  }
  Appointment a = std::move(**appt);
  if (a.booking.state != storage::BookingState::kBooked) {
    return Status::InvalidArgument("booking " + std::to_string(booking_id) +
                                   " is already cancelled");
  }
  if (a.slot.starts_at <= now_ms) {
    return Status::InvalidArgument("booking " + std::to_string(booking_id) +
                                   " has started");
  }
  return a;
}

core::Status EnqueueReminders(storage::Database& db, const Catalog& catalog,
                              const storage::User& user,
                              const Appointment& appt, int64_t now_ms) {
  const auto channel = core::ParseChannel(user.channel);
  if (!channel)
    return Status::Internal("booking: user " + std::to_string(user.id) +
                            " has unknown channel '" + user.channel + "'");
  const std::string lang = SupportedLanguage(user.language);
  struct Reminder {
    const char* which;
    const char* key;
    int64_t before_ms;
  };
  for (const Reminder& r :
       {Reminder{"24h", "booking.reminder_24h", kReminder24hMs},
        Reminder{"2h", "booking.reminder_2h", kReminder2hMs}}) {
    const int64_t due = appt.slot.starts_at - r.before_ms;
    if (due <= now_ms) continue;  // too late for this one
    core::OutboundMessage msg;
    msg.channel = *channel;
    msg.chat_id = user.chat_id;
    msg.kind = core::OutboundKind::kText;
    msg.text = AppointmentText(catalog, lang, r.key, appt);
    storage::NewOutboxRow row;
    row.channel = user.channel;
    row.chat_id = user.chat_id;
    row.user_id = user.id;
    row.kind = std::string(core::OutboundKindName(msg.kind));
    row.payload = EncodeOutbound(msg);
    row.priority = kReminderPriority;
    row.dedupe_key = ReminderKey(appt.booking.id, r.which);
    row.due_at = due;
    auto id = storage::EnqueueOutbox(db, row, now_ms);
    if (!id.ok()) return id.status();
    // Booking ids are never reused, so the key cannot be taken already.
    if (!id->has_value())
      return Status::Internal("booking: reminder " + *row.dedupe_key +
                              " exists");
  }
  return Status::Ok();
}

core::Status CancelReminders(storage::Database& db, int64_t booking_id) {
  for (const char* which : {"24h", "2h"}) {
    auto cancelled =
        storage::CancelOutboxByDedupeKey(db, ReminderKey(booking_id, which));
    if (!cancelled.ok()) return cancelled.status();
  }
  return Status::Ok();
}

}  // namespace

std::string ReminderKey(int64_t booking_id, std::string_view which) {
  return "reminder:" + std::to_string(booking_id) + ":" + std::string(which);
}

std::string FormatDay(std::string_view lang, year_month_day day,
                      DayStyle style) {
  const unsigned wd =
      std::chrono::weekday{std::chrono::sys_days{day}}.c_encoding();
  const unsigned m = static_cast<unsigned>(day.month()) - 1;
  const bool en = English(lang);
  const bool brief = style == DayStyle::kShort;
  const char* weekday = brief ? (en ? kWeekdaysShortEn : kWeekdaysShortIt)[wd]
                              : (en ? kWeekdaysEn : kWeekdaysIt)[wd];
  const char* month = brief ? (en ? kMonthsShortEn : kMonthsShortIt)[m]
                            : (en ? kMonthsEn : kMonthsIt)[m];
  return std::string(weekday) + " " +
         std::to_string(static_cast<unsigned>(day.day())) + " " + month;
}

std::string FormatTime(int64_t at_ms) {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour % 100, t.minute % 100);
  return buf;
}

std::string FormatWhen(std::string_view lang, int64_t at_ms) {
  const std::string day = FormatDay(lang, RomeDay(at_ms));
  return English(lang) ? day + ", " + FormatTime(at_ms)
                       : day + ", ore " + FormatTime(at_ms);
}

std::string ServiceName(const storage::Service& service,
                        std::string_view lang) {
  return English(lang) ? service.name_en : service.name_it;
}

std::string PlaceText(const Catalog& catalog, std::string_view lang,
                      const storage::Slot& slot) {
  if (!slot.online()) return slot.place;
  const std::string link = slot.link.value_or("");
  return catalog.Text(lang, "booking.place_online", {{"link", link}});
}

std::string AppointmentText(const Catalog& catalog, std::string_view lang,
                            std::string_view key,
                            const Appointment& appointment) {
  const int64_t at = appointment.slot.starts_at;
  const std::string service = ServiceName(appointment.service, lang);
  const std::string when = FormatWhen(lang, at);
  const std::string day = FormatDay(lang, RomeDay(at));
  const std::string time = FormatTime(at);
  const std::string place = PlaceText(catalog, lang, appointment.slot);
  return catalog.Text(lang, key,
                      {{"service", service},
                       {"when", when},
                       {"day", day},
                       {"time", time},
                       {"place", place}});
}

core::Result<std::vector<storage::Service>> Services(storage::Database& db) {
  return storage::ListServices(db);
}

core::Result<std::vector<year_month_day>> FreeDays(
    storage::Database& db, std::string_view service_code, int64_t now_ms,
    int max_days, const ClosedDays& closed,
    const storage::CentreScope& centres) {
  const int64_t horizon = now_ms + kHorizonDays * kDayMs;
  std::vector<year_month_day> days;
  // One indexed look-up per day found: the first free slot after the last
  // day found, wherever it is.
  int64_t from = now_ms + 1;
  while (static_cast<int>(days.size()) < max_days && from < horizon) {
    auto next = storage::FreeSlots(db, service_code, from, horizon, 1, centres);
    if (!next.ok()) return next.status();
    if (next->empty()) break;
    const year_month_day day = RomeDay(next->front().starts_at);
    if (!closed.Contains(day)) days.push_back(day);
    from = RomeMidnight(
        year_month_day{std::chrono::sys_days{day} + std::chrono::days{1}});
  }
  return days;
}

core::Result<std::vector<storage::Slot>> FreeTimes(
    storage::Database& db, std::string_view service_code, year_month_day day,
    int64_t now_ms, const ClosedDays& closed,
    const storage::CentreScope& centres) {
  if (closed.Contains(day)) return std::vector<storage::Slot>();
  const int64_t from = std::max(now_ms + 1, RomeMidnight(day));
  const int64_t to =
      std::min(RomeMidnight(year_month_day{std::chrono::sys_days{day} +
                                           std::chrono::days{1}}),
               now_ms + kHorizonDays * kDayMs);
  if (from >= to) return std::vector<storage::Slot>();
  auto slots = storage::FreeSlots(db, service_code, from, to, 1000, centres);
  if (!slots.ok()) return slots.status();
  return OnePerTime(std::move(*slots), SIZE_MAX);
}

core::Result<std::vector<storage::Slot>> NextFreeSlots(
    storage::Database& db, std::string_view service_code, int64_t after_ms,
    int n, const ClosedDays& closed, const storage::CentreScope& centres) {
  if (n <= 0) return std::vector<storage::Slot>();
  // Extra rows, so that after folding parallel counsellors n remain.
  auto slots =
      storage::FreeSlots(db, service_code, after_ms + 1,
                         after_ms + kHorizonDays * kDayMs, n * 8, centres);
  if (!slots.ok()) return slots.status();
  std::erase_if(*slots, [&](const storage::Slot& s) {
    return closed.ContainsInstant(s.starts_at);
  });
  return OnePerTime(std::move(*slots), static_cast<size_t>(n));
}

core::Result<std::optional<Appointment>> FindAppointment(storage::Database& db,
                                                         int64_t booking_id) {
  auto b = storage::FindBooking(db, booking_id);
  if (!b.ok()) return b.status();
  if (!b->has_value()) return std::optional<Appointment>();
  auto appt = LoadAppointment(db, **b);
  if (!appt.ok()) return appt.status();
  return std::optional<Appointment>(std::move(*appt));
}

core::Result<std::vector<Appointment>> UpcomingAppointments(
    storage::Database& db, int64_t user_id, int64_t now_ms) {
  auto bookings = storage::ListBookedForUser(db, user_id, now_ms + 1);
  if (!bookings.ok()) return bookings.status();
  std::vector<Appointment> out;
  for (const auto& b : *bookings) {
    auto appt = LoadAppointment(db, b);
    if (!appt.ok()) return appt.status();
    out.push_back(std::move(*appt));
  }
  return out;
}

core::Result<Appointment> Book(storage::Database& db, const Catalog& catalog,
                               int64_t user_id, int64_t slot_id,
                               std::string_view service_code, int64_t now_ms) {
  auto user = storage::FindUserById(db, user_id);
  if (!user.ok()) return user.status();
  if (!user->has_value())
    return Status::NotFound("booking: no user " + std::to_string(user_id));
  auto slot = storage::FindSlot(db, slot_id);
  if (!slot.ok()) return slot.status();
  if (!slot->has_value())
    return Status::NotFound("booking: no slot " + std::to_string(slot_id));
  const storage::Slot& s = **slot;
  if (s.starts_at <= now_ms) {
    return Status::InvalidArgument("booking: slot " + std::to_string(slot_id) +
                                   " has started");
  }
  std::string service(service_code);
  if (service.empty()) {
    if (!s.service_code) {
      return Status::InvalidArgument("booking: slot " +
                                     std::to_string(slot_id) +
                                     " is open to any service: say which");
    }
    service = *s.service_code;
  } else if (s.service_code && *s.service_code != service) {
    return Status::InvalidArgument("booking: slot " + std::to_string(slot_id) +
                                   " is for " + *s.service_code + ", not " +
                                   service);
  }
  // No check that the slot is free: the insert is the check (the unique
  // index), so it holds for racing connections too.
  auto id = storage::InsertBooking(db, slot_id, user_id, service, now_ms);
  if (!id.ok()) {
    if (id.status().code() == Status::Code::kNotFound) {
      return Status::InvalidArgument("booking: unknown service '" + service +
                                     "'");
    }
    return id.status();
  }
  auto appt = FindAppointment(db, *id);
  if (!appt.ok()) return appt.status();
  if (!appt->has_value())
    return Status::Internal("booking: new booking not found");
  if (auto st = EnqueueReminders(db, catalog, **user, **appt, now_ms); !st.ok())
    return st;
  return std::move(**appt);
}

core::Result<Appointment> Cancel(storage::Database& db, int64_t user_id,
                                 int64_t booking_id, int64_t now_ms) {
  auto appt = CancellableAppointment(db, user_id, booking_id, now_ms);
  if (!appt.ok()) return appt.status();
  if (auto s = storage::MarkBookingCancelled(db, booking_id, now_ms); !s.ok())
    return s;
  if (auto s = CancelReminders(db, booking_id); !s.ok()) return s;
  appt->booking.state = storage::BookingState::kCancelled;
  appt->booking.cancelled_at = now_ms;
  appt->slot.booking_id.reset();
  return appt;
}

core::Result<Appointment> Reschedule(storage::Database& db,
                                     const Catalog& catalog, int64_t user_id,
                                     int64_t booking_id, int64_t new_slot_id,
                                     int64_t now_ms) {
  auto old = CancellableAppointment(db, user_id, booking_id, now_ms);
  if (!old.ok()) return old.status();
  if (old->slot.id == new_slot_id) {
    return Status::InvalidArgument("booking " + std::to_string(booking_id) +
                                   " is already at slot " +
                                   std::to_string(new_slot_id));
  }
  // The new slot first: if someone took it, nothing has changed.
  auto moved = Book(db, catalog, user_id, new_slot_id,
                    old->booking.service_code, now_ms);
  if (!moved.ok()) return moved.status();
  if (auto s = Cancel(db, user_id, booking_id, now_ms); !s.ok())
    return s.status();
  return moved;
}

}  // namespace sportello::booking
