#include "bot/flows/booking.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <limits>
#include <utility>

#include "bot/core/iso_date.h"
#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "bot/domain/holidays.h"
#include "bot/flows/router.h"
#include "intents/normalize.h"

namespace sportello::flows {
namespace {

using core::Status;
using std::chrono::year_month_day;

constexpr std::string_view kPrefix = "booking:";

// "2026-12-01"
std::string DateText(year_month_day day) {
  char buf[16];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()) % 10000,
      static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buf;
}

std::vector<std::string_view> Split(std::string_view id) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t colon = id.find(':');
    parts.push_back(id.substr(0, colon));
    if (colon == std::string_view::npos) break;
    id.remove_prefix(colon + 1);
  }
  return parts;
}

std::string Id(std::initializer_list<std::string_view> parts) {
  std::string id(kPrefix);
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) id += ':';
    id += p;
    first = false;
  }
  assert(id.size() <= 64 && "Telegram's callback_data limit");
  return id;
}

year_month_day RomeDay(int64_t at_ms) {
  return core::RomeDate(core::FromMillis(at_ms));
}

// The last millisecond of `day` in Rome: FreeDays looks after it.
int64_t EndOfDay(year_month_day day) {
  const year_month_day next{std::chrono::sys_days{day} + std::chrono::days{1}};
  return core::ToMillis(core::FromRome(next, 0, 0)) - 1;
}

// Whether the centre offers service `code`: every one when it lists none.
bool Offers(const CentreConfig& centre, std::string_view code) {
  return centre.services.empty() ||
         std::find(centre.services.begin(), centre.services.end(), code) !=
             centre.services.end();
}

// The services the person's centre offers.
core::Result<std::vector<storage::Service>> OfferedServices(const Turn& turn) {
  auto all = booking::Services(turn.db);
  if (!all.ok()) return all;
  std::erase_if(*all, [&](const storage::Service& s) {
    return !Offers(turn.centre, s.code);
  });
  return all;
}

// The service a typed message names, in either language: "orientamento",
// "garanzia giovani", "CV check".
std::optional<std::string> NamedService(
    const core::InboundMessage& in,
    const std::vector<storage::Service>& services) {
  if (in.text.empty() || !in.button_id.empty()) return std::nullopt;
  const std::string words = " " + intents::Normalize(in.text) + " ";
  for (const auto& s : services) {
    for (const std::string& name : {s.name_it, s.name_en}) {
      const std::string n = intents::Normalize(name);
      if (!n.empty() && words.find(" " + n + " ") != std::string::npos)
        return s.code;
    }
  }
  return std::nullopt;
}

// The person's own booking, still booked and not started; nullopt for
// anyone else's (ids in buttons come from the client: never show another
// person's appointment), a cancelled one or a past one.
core::Result<std::optional<booking::Appointment>> OwnUpcoming(
    const Turn& turn, int64_t booking_id) {
  auto appt = booking::FindAppointment(turn.db, booking_id);
  if (!appt.ok()) return appt.status();
  if (!appt->has_value() || (*appt)->booking.user_id != turn.user.id ||
      (*appt)->booking.state != storage::BookingState::kBooked ||
      (*appt)->slot.starts_at <= turn.now_ms) {
    return std::optional<booking::Appointment>();
  }
  return std::move(*appt);
}

// The person's booking of `slot_id`, if they hold it: a second press of the
// same time (a double tap, a retry) finds it booked by them.
core::Result<std::optional<booking::Appointment>> HeldSlot(const Turn& turn,
                                                           int64_t slot_id) {
  auto slot = storage::FindSlot(turn.db, slot_id);
  if (!slot.ok()) return slot.status();
  if (!slot->has_value() || !(*slot)->booking_id)
    return std::optional<booking::Appointment>();
  return OwnUpcoming(turn, *(*slot)->booking_id);
}

// The slots a person is offered: their own centre's.
storage::CentreScope OwnCentre(const Turn& turn) {
  return storage::CentreScope::Only({turn.conversation.centre_id});
}

bool IsYes(std::string_view typed) {
  const std::string t = intents::Normalize(typed);
  return t == "si" || t == "yes" || t == "ok" || t == "certo" ||
         t == "si disdici" || t == "yes cancel it";
}

bool IsNo(std::string_view typed) {
  const std::string t = intents::Normalize(typed);
  return t == "no" || t == "no lo tengo" || t == "no keep it";
}

}  // namespace

std::string_view BookingFlow::name() const { return kBookingFlow; }

std::vector<Reply> BookingFlow::Start(Turn& turn) const {
  // A press held back by the consent step comes back through Start.
  if (turn.in.button_id.substr(0, kPrefix.size()) == kPrefix)
    return Continue(turn);
  const std::string& intent = turn.analysis.intent;
  if (intent == "booking_list") return List(turn);
  if (intent == "booking_cancel") return AskCancel(turn, std::nullopt);
  return AskService(turn);
}

std::vector<Reply> BookingFlow::Continue(Turn& turn) const {
  std::string_view id = turn.in.button_id;
  if (id.substr(0, kPrefix.size()) == kPrefix) {
    id.remove_prefix(kPrefix.size());
    return Pressed(turn, id);
  }
  return Typed(turn);
}

std::vector<Reply> BookingFlow::Pressed(Turn& turn, std::string_view id) const {
  const auto p = Split(id);
  const std::string_view verb = p[0];
  if (verb == "list") return List(turn);
  if (verb == "new") return AskService(turn);
  auto number = [&p](size_t i) {
    return i < p.size()
               ? core::ParseInt(p[i], 0, std::numeric_limits<int64_t>::max())
               : std::nullopt;
  };
  if (verb == "svc" && p.size() == 2) return OnService(turn, std::string(p[1]));
  if (verb == "show" && number(1)) return Show(turn, *number(1));
  if (verb == "cancel" && number(1)) return AskCancel(turn, *number(1));
  if (verb == "cancel_ok" && number(1)) return DoCancel(turn, *number(1));
  if (verb == "keep" && number(1)) return Keep(turn, *number(1));
  if (verb == "move" && number(1)) return Move(turn, *number(1));
  // The rest name a service and the booking being moved (0: a new one).
  if (p.size() < 3 || !number(2)) return AskService(turn);
  const std::string service(p[1]);
  const int64_t move = *number(2);
  if (verb == "days") {
    const auto after = p.size() > 3 ? core::ParseIsoDate(p[3]) : std::nullopt;
    return AskDay(turn, service, move, after);
  }
  if (verb == "day" && p.size() == 4 && core::ParseIsoDate(p[3]))
    return AskTime(turn, service, move, *core::ParseIsoDate(p[3]), 0);
  if (verb == "times" && p.size() == 5 && core::ParseIsoDate(p[3]) &&
      number(4)) {
    return AskTime(turn, service, move, *core::ParseIsoDate(p[3]),
                   static_cast<int>(*number(4)));
  }
  if (verb == "at" && number(3)) return Choose(turn, service, move, *number(3));
  return AskService(turn);
}

std::vector<Reply> BookingFlow::Typed(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  const std::string& intent = turn.analysis.intent;
  const auto& c = turn.conversation;
  const nlohmann::json slots = Slots(c);
  const std::optional<year_month_day> named =
      turn.analysis.entities.date
          ? core::ParseIsoDate(*turn.analysis.entities.date)
          : std::nullopt;
  const std::string service = slots.value("service", "");
  const int64_t move = slots.value("move", int64_t{0});
  // "prenota per giovedì" while choosing a day or time: that day.
  if (named && !service.empty() && (c.step == "day" || c.step == "time"))
    return AskTime(turn, service, move, *named, 0);
  if (c.step == "cancel" && slots.contains("booking")) {
    const int64_t booking = slots.value("booking", int64_t{0});
    if (IsYes(turn.in.text)) return DoCancel(turn, booking);
    if (IsNo(turn.in.text)) return Keep(turn, booking);
  }
  if (c.step == "service") {
    auto services = OfferedServices(turn);
    if (!services.ok()) return Failed(turn, services.status());
    // A service or a day typed: AskService takes either.
    if (named || NamedService(turn.in, *services)) return AskService(turn);
  }
  if (intent == "booking_list") return List(turn);
  if (intent == "booking_cancel") return AskCancel(turn, std::nullopt);
  if (c.step.empty() || intent == "booking_create") return Start(turn);
  // Anything else: the question again, so a conversation left half-way
  // (even across a restart) picks up where it was.
  std::vector<Reply> out{{t.Text(turn.lang, "booking.pick"), {}}};
  std::vector<Reply> again;
  if (c.step == "service") {
    again = AskService(turn);
  } else if (c.step == "day" && !service.empty()) {
    again = AskDay(turn, service, move, std::nullopt);
  } else if (c.step == "time" && !service.empty() &&
             core::ParseIsoDate(slots.value("day", ""))) {
    again = AskTime(turn, service, move,
                    *core::ParseIsoDate(slots.value("day", "")), 0);
  } else if (c.step == "cancel") {
    again = AskCancel(turn, slots.value("booking", int64_t{0}));
  } else {
    again = AskService(turn);
  }
  out.insert(out.end(), again.begin(), again.end());
  return out;
}

std::vector<Reply> BookingFlow::AskService(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto services = OfferedServices(turn);
  if (!services.ok()) return Failed(turn, services.status());
  auto& c = turn.conversation;
  nlohmann::json slots = Slots(c);
  // A day named on the way in ("un colloquio per martedì") waits for the
  // service.
  std::optional<std::string> day;
  if (turn.analysis.entities.date &&
      core::ParseIsoDate(*turn.analysis.entities.date))
    day = *turn.analysis.entities.date;
  else if (c.step == "service" && slots.contains("day"))
    day = slots.value("day", "");
  // A service named on the way in ("prenota per il curriculum") skips the
  // question.
  if (auto named = NamedService(turn.in, *services)) {
    EndFlow(c);
    c.flow = std::string(kBookingFlow);
    c.step = "service";
    if (day) {
      slots = Slots(c);
      slots["day"] = *day;
      SaveSlots(c, slots);
    }
    return OnService(turn, *named);
  }
  EndFlow(c);
  c.flow = std::string(kBookingFlow);
  c.step = "service";
  slots = Slots(c);
  if (day) slots["day"] = *day;
  SaveSlots(c, slots);

  Reply r{t.Text(lang, "booking.choose_service"), {}};
  for (const auto& s : *services)
    r.buttons.push_back({Id({"svc", s.code}), booking::ServiceName(s, lang)});
  auto upcoming =
      booking::UpcomingAppointments(turn.db, turn.user.id, turn.now_ms);
  if (!upcoming.ok()) return Failed(turn, upcoming.status());
  if (!upcoming->empty())
    r.buttons.push_back({Id({"list"}), t.Text(lang, "booking.mine")});
  return {r};
}

std::vector<Reply> BookingFlow::OnService(Turn& turn,
                                          const std::string& service) const {
  auto found = storage::FindService(turn.db, service);
  if (!found.ok()) return Failed(turn, found.status());
  if (!found->has_value()) return AskService(turn);
  // A press from an older list, or a client's own: the centre's list again.
  if (!Offers(turn.centre, service)) return AskService(turn);
  const nlohmann::json slots = Slots(turn.conversation);
  const bool asked = turn.conversation.step == "service";
  if (const auto day =
          asked ? core::ParseIsoDate(slots.value("day", "")) : std::nullopt) {
    auto times =
        booking::FreeTimes(turn.db, service, *day, turn.now_ms,
                           CentreClosedDays(turn.centre), OwnCentre(turn));
    if (!times.ok()) return Failed(turn, times.status());
    if (!times->empty()) return AskTime(turn, service, 0, *day, 0);
    const std::string day_text = booking::FormatDay(turn.lang, *day);
    return AskDay(turn, service, 0, std::nullopt,
                  {{deps_.catalog.Text(turn.lang, "booking.day_full",
                                       {{"day", day_text}}),
                    {}}});
  }
  return AskDay(turn, service, 0, std::nullopt);
}

std::vector<Reply> BookingFlow::AskDay(Turn& turn, const std::string& service,
                                       int64_t move,
                                       std::optional<year_month_day> after,
                                       std::vector<Reply> before) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  const int64_t horizon = turn.now_ms + booking::kHorizonDays * 86'400'000LL;
  const int64_t from = after ? EndOfDay(*after) : turn.now_ms;
  auto days = booking::FreeDays(turn.db, service, from, kBookingDaysPerPage + 1,
                                CentreClosedDays(turn.centre), OwnCentre(turn));
  if (!days.ok()) return Failed(turn, days.status());
  // A later page looks from a later "now": keep to the horizon of today's.
  while (!days->empty() && EndOfDay(days->back()) - 86'400'000LL >= horizon)
    days->pop_back();
  if (days->empty()) {
    if (after) return AskDay(turn, service, move, std::nullopt);
    return NoneFree(turn);
  }
  const bool more = static_cast<int>(days->size()) > kBookingDaysPerPage;
  if (more) days->resize(kBookingDaysPerPage);

  auto& c = turn.conversation;
  EndFlow(c);
  c.flow = std::string(kBookingFlow);
  c.step = "day";
  nlohmann::json slots = Slots(c);
  slots["service"] = service;
  slots["move"] = move;
  SaveSlots(c, slots);

  Reply r;
  if (move != 0) {
    auto appt = OwnUpcoming(turn, move);
    if (!appt.ok()) return Failed(turn, appt.status());
    if (!appt->has_value()) return Gone(turn);
    r.text = booking::AppointmentText(t, lang, "booking.move_day", **appt);
  } else {
    r.text = t.Text(lang, "booking.choose_day");
  }
  const std::string m = std::to_string(move);
  for (const auto& day : *days) {
    r.buttons.push_back(
        {Id({"day", service, m, DateText(day)}),
         booking::FormatDay(lang, day, booking::DayStyle::kShort)});
  }
  if (more) {
    r.buttons.push_back({Id({"days", service, m, DateText(days->back())}),
                         t.Text(lang, "booking.more_days")});
  }
  before.push_back(std::move(r));
  return before;
}

std::vector<Reply> BookingFlow::AskTime(Turn& turn, const std::string& service,
                                        int64_t move, year_month_day day,
                                        int offset) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto times =
      booking::FreeTimes(turn.db, service, day, turn.now_ms,
                         CentreClosedDays(turn.centre), OwnCentre(turn));
  if (!times.ok()) return Failed(turn, times.status());
  const std::string day_text = booking::FormatDay(lang, day);
  if (times->empty()) {
    return AskDay(
        turn, service, move, std::nullopt,
        {{t.Text(lang, "booking.day_full", {{"day", day_text}}), {}}});
  }
  if (offset < 0 || offset >= static_cast<int>(times->size())) offset = 0;

  auto& c = turn.conversation;
  EndFlow(c);
  c.flow = std::string(kBookingFlow);
  c.step = "time";
  nlohmann::json slots = Slots(c);
  slots["service"] = service;
  slots["move"] = move;
  slots["day"] = DateText(day);
  SaveSlots(c, slots);

  const std::string m = std::to_string(move);
  Reply r{t.Text(lang, "booking.choose_time", {{"day", day_text}}), {}};
  const int end = std::min<int>(offset + kBookingTimesPerPage,
                                static_cast<int>(times->size()));
  for (int i = offset; i < end; ++i) {
    const storage::Slot& s = (*times)[static_cast<size_t>(i)];
    const std::string time = booking::FormatTime(s.starts_at);
    r.buttons.push_back(
        {Id({"at", service, m, std::to_string(s.id)}),
         s.online() ? t.Text(lang, "booking.time_online", {{"time", time}})
                    : time});
  }
  if (end < static_cast<int>(times->size())) {
    r.buttons.push_back(
        {Id({"times", service, m, DateText(day), std::to_string(end)}),
         t.Text(lang, "booking.more_times")});
  }
  r.buttons.push_back(
      {Id({"days", service, m}), t.Text(lang, "booking.other_day")});
  return {r};
}

std::vector<Reply> BookingFlow::Choose(Turn& turn, const std::string& service,
                                       int64_t move, int64_t slot_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  core::Result<booking::Appointment> done = Status::Internal("unset");
  // A button names its slot: one of another centre (an old message, a
  // forged press) is not offered, as one that does not exist.
  auto offered = storage::FindSlot(turn.db, slot_id, OwnCentre(turn));
  if (!offered.ok()) return Failed(turn, offered.status());
  if (!offered->has_value()) {
    done = Status::NotFound("booking: slot " + std::to_string(slot_id) +
                            " is not the person's centre's");
  } else {
    storage::Savepoint sp(turn.db);
    if (!sp.status().ok()) return Failed(turn, sp.status());
    done = move != 0 ? booking::Reschedule(turn.db, t, turn.user.id, move,
                                           slot_id, turn.now_ms)
                     : booking::Book(turn.db, t, turn.user.id, slot_id, service,
                                     turn.now_ms);
    if (done.ok()) {
      if (auto s = sp.Release(); !s.ok()) return Failed(turn, s);
    }
  }
  if (!done.ok()) {
    const auto code = done.status().code();
    if (code != Status::Code::kAlreadyExists &&
        code != Status::Code::kNotFound &&
        code != Status::Code::kInvalidArgument) {
      return Failed(turn, done.status());
    }
    auto held = HeldSlot(turn, slot_id);
    if (!held.ok()) return Failed(turn, held.status());
    if (held->has_value()) {
      done = std::move(**held);  // pressed again: the same answer
    } else if (code == Status::Code::kAlreadyExists) {
      return Taken(turn, service, move);
    } else {
      // The slot has started, or the booking being moved is gone (cancelled
      // elsewhere, or it has started): what is still possible.
      if (move != 0) {
        auto appt = OwnUpcoming(turn, move);
        if (!appt.ok()) return Failed(turn, appt.status());
        if (!appt->has_value()) return Gone(turn);
      }
      return AskDay(turn, service, move, std::nullopt,
                    {{t.Text(lang, "booking.pick"), {}}});
    }
  }
  EndFlow(turn.conversation);
  return {{booking::AppointmentText(
               t, lang, move != 0 ? "booking.rescheduled" : "booking.confirmed",
               *done),
           {{Id({"list"}), t.Text(lang, "booking.mine")}}}};
}

std::vector<Reply> BookingFlow::Taken(Turn& turn, const std::string& service,
                                      int64_t move) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto next = booking::NextFreeSlots(
      turn.db, service, turn.now_ms, kBookingAlternatives,
      CentreClosedDays(turn.centre), OwnCentre(turn));
  if (!next.ok()) return Failed(turn, next.status());
  if (next->empty()) return NoneFree(turn);
  auto& c = turn.conversation;
  EndFlow(c);
  c.flow = std::string(kBookingFlow);
  c.step = "day";  // a typed day still works, as when choosing one
  nlohmann::json slots = Slots(c);
  slots["service"] = service;
  slots["move"] = move;
  SaveSlots(c, slots);

  const std::string m = std::to_string(move);
  Reply r{t.Text(lang, "booking.taken"), {}};
  for (const auto& s : *next) {
    const std::string day = booking::FormatDay(lang, RomeDay(s.starts_at),
                                               booking::DayStyle::kShort);
    const std::string time = booking::FormatTime(s.starts_at);
    r.buttons.push_back(
        {Id({"at", service, m, std::to_string(s.id)}),
         day + " " +
             (s.online() ? t.Text(lang, "booking.time_online", {{"time", time}})
                         : time)});
  }
  r.buttons.push_back(
      {Id({"days", service, m}), t.Text(lang, "booking.other_day")});
  return {r};
}

std::vector<Reply> BookingFlow::NoneFree(Turn& turn) const {
  EndFlow(turn.conversation);
  return {{deps_.catalog.Text(turn.lang, "booking.none_free"),
           {{kMenuHuman, deps_.catalog.Text(turn.lang, "menu.human")}}}};
}

std::vector<Reply> BookingFlow::List(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  EndFlow(turn.conversation);
  auto upcoming =
      booking::UpcomingAppointments(turn.db, turn.user.id, turn.now_ms);
  if (!upcoming.ok()) return Failed(turn, upcoming.status());
  if (upcoming->empty()) {
    return {{t.Text(lang, "booking.list_empty"),
             {{Id({"new"}), t.Text(lang, "booking.new")}}}};
  }
  Reply r{t.Text(lang, "booking.list_header"), {}};
  for (const auto& a : *upcoming)
    r.text +=
        "\n\n" + booking::AppointmentText(t, lang, "booking.list_item", a);
  if (upcoming->size() == 1) {
    const std::string id = std::to_string(upcoming->front().booking.id);
    r.buttons.push_back({Id({"move", id}), t.Text(lang, "booking.move")});
    r.buttons.push_back({Id({"cancel", id}), t.Text(lang, "booking.cancel")});
  } else {
    for (const auto& a : *upcoming) {
      r.buttons.push_back({Id({"show", std::to_string(a.booking.id)}),
                           booking::FormatDay(lang, RomeDay(a.slot.starts_at),
                                              booking::DayStyle::kShort) +
                               " " + booking::FormatTime(a.slot.starts_at)});
    }
  }
  r.buttons.push_back({Id({"new"}), t.Text(lang, "booking.new")});
  return {r};
}

std::vector<Reply> BookingFlow::Show(Turn& turn, int64_t booking_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  EndFlow(turn.conversation);
  auto appt = OwnUpcoming(turn, booking_id);
  if (!appt.ok()) return Failed(turn, appt.status());
  if (!appt->has_value()) return Gone(turn);
  const std::string id = std::to_string(booking_id);
  return {{booking::AppointmentText(t, lang, "booking.list_item", **appt),
           {{Id({"move", id}), t.Text(lang, "booking.move")},
            {Id({"cancel", id}), t.Text(lang, "booking.cancel")},
            {Id({"list"}), t.Text(lang, "booking.mine")}}}};
}

std::vector<Reply> BookingFlow::AskCancel(
    Turn& turn, std::optional<int64_t> booking_id) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  auto upcoming =
      booking::UpcomingAppointments(turn.db, turn.user.id, turn.now_ms);
  if (!upcoming.ok()) return Failed(turn, upcoming.status());
  const booking::Appointment* chosen = nullptr;
  for (const auto& a : *upcoming) {
    if (booking_id ? a.booking.id == *booking_id : upcoming->size() == 1)
      chosen = &a;
  }
  auto& c = turn.conversation;
  if (!chosen) {
    if (booking_id) return Gone(turn);
    if (upcoming->empty()) return List(turn);
    EndFlow(c);
    Reply r{t.Text(lang, "booking.cancel_which"), {}};
    for (const auto& a : *upcoming) {
      r.buttons.push_back({Id({"cancel", std::to_string(a.booking.id)}),
                           booking::FormatDay(lang, RomeDay(a.slot.starts_at),
                                              booking::DayStyle::kShort) +
                               " " + booking::FormatTime(a.slot.starts_at)});
    }
    return {r};
  }
  EndFlow(c);
  c.flow = std::string(kBookingFlow);
  c.step = "cancel";
  nlohmann::json slots = Slots(c);
  slots["booking"] = chosen->booking.id;
  SaveSlots(c, slots);
  const std::string id = std::to_string(chosen->booking.id);
  return {{booking::AppointmentText(t, lang, "booking.cancel_confirm", *chosen),
           {{Id({"cancel_ok", id}), t.Text(lang, "booking.cancel_yes")},
            {Id({"keep", id}), t.Text(lang, "booking.cancel_no")}}}};
}

std::vector<Reply> BookingFlow::DoCancel(Turn& turn, int64_t booking_id) const {
  const Catalog& t = deps_.catalog;
  EndFlow(turn.conversation);
  core::Result<booking::Appointment> cancelled = Status::Internal("unset");
  {
    storage::Savepoint sp(turn.db);
    if (!sp.status().ok()) return Failed(turn, sp.status());
    cancelled = booking::Cancel(turn.db, turn.user.id, booking_id, turn.now_ms);
    if (cancelled.ok()) {
      if (auto s = sp.Release(); !s.ok()) return Failed(turn, s);
    }
  }
  if (!cancelled.ok()) {
    const auto code = cancelled.status().code();
    if (code == Status::Code::kNotFound ||
        code == Status::Code::kInvalidArgument) {
      return Gone(turn);
    }
    return Failed(turn, cancelled.status());
  }
  return {
      {booking::AppointmentText(t, turn.lang, "booking.cancelled", *cancelled),
       {{Id({"new"}), t.Text(turn.lang, "booking.new")}}}};
}

std::vector<Reply> BookingFlow::Keep(Turn& turn, int64_t booking_id) const {
  EndFlow(turn.conversation);
  auto appt = OwnUpcoming(turn, booking_id);
  if (!appt.ok()) return Failed(turn, appt.status());
  if (!appt->has_value()) return Gone(turn);
  return {{booking::AppointmentText(deps_.catalog, turn.lang, "booking.kept",
                                    **appt),
           {{Id({"list"}), deps_.catalog.Text(turn.lang, "booking.mine")}}}};
}

std::vector<Reply> BookingFlow::Move(Turn& turn, int64_t booking_id) const {
  auto appt = OwnUpcoming(turn, booking_id);
  if (!appt.ok()) return Failed(turn, appt.status());
  if (!appt->has_value()) return Gone(turn);
  return AskDay(turn, (*appt)->booking.service_code, booking_id, std::nullopt);
}

std::vector<Reply> BookingFlow::Gone(Turn& turn) const {
  std::vector<Reply> out{{deps_.catalog.Text(turn.lang, "booking.gone"), {}}};
  auto list = List(turn);
  out.insert(out.end(), list.begin(), list.end());
  return out;
}

std::vector<Reply> BookingFlow::Failed(Turn& turn,
                                       const core::Status& why) const {
  if (RetryLater(turn, why)) return {};
  core::LogError("booking", "user " + std::to_string(turn.user.id) + ": " +
                                why.ToString());
  EndFlow(turn.conversation);
  return {{deps_.catalog.Text(turn.lang, "flow.error"), {}}};
}

}  // namespace sportello::flows
