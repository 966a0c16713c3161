// Appointments with a counsellor as a conversation: the service, then the
// day, then the time; and seeing, cancelling and moving what is booked. The
// rules (reminders, who may cancel what, dates in Italian) live in
// bot/domain/booking.h; this is the talking.
//
// Buttons carry everything they choose, so one pressed after a restart, or
// from an older message, still does what it said. The step and slots say what
// a typed answer means (a day: "giovedì"; yes or no to a cancellation):
//
//   step       slots                  answered by
//   "service"  day?                   booking:svc:<service>
//   "day"      service, move          booking:day:<service>:<move>:<date>
//   "time"     service, move, day     booking:at:<service>:<move>:<slot>
//   "cancel"   booking                booking:cancel_ok:<booking>
//
// <move> is the booking being moved, 0 for a new one. Other buttons:
// booking:days:<service>:<move>[:<after>] (more days),
// booking:times:<service>:<move>:<date>:<offset> (more times), booking:list,
// booking:new, booking:show|cancel|keep|move:<booking>. A flow that ends
// (booked, listed, cancelled) clears the step: what follows comes back by
// button prefix or intent.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/flows/flow.h"

namespace sportello::flows {

// Choices per message: phone-sized, and within a WhatsApp list (10 rows)
// with room for "more" and "another day".
inline constexpr int kBookingDaysPerPage = 5;
inline constexpr int kBookingTimesPerPage = 6;
// Alternatives offered when the chosen time was taken.
inline constexpr int kBookingAlternatives = 3;

class BookingFlow : public Flow {
 public:
  explicit BookingFlow(FlowDeps deps) : deps_(deps) {}
  std::string_view name() const override;
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  using Day = std::chrono::year_month_day;

  std::vector<Reply> Typed(Turn& turn) const;
  std::vector<Reply> Pressed(Turn& turn, std::string_view id) const;

  std::vector<Reply> AskService(Turn& turn) const;
  std::vector<Reply> OnService(Turn& turn, const std::string& service) const;
  std::vector<Reply> AskDay(Turn& turn, const std::string& service,
                            int64_t move, std::optional<Day> after,
                            std::vector<Reply> before = {}) const;
  std::vector<Reply> AskTime(Turn& turn, const std::string& service,
                             int64_t move, Day day, int offset) const;
  std::vector<Reply> Choose(Turn& turn, const std::string& service,
                            int64_t move, int64_t slot_id) const;
  std::vector<Reply> Taken(Turn& turn, const std::string& service,
                           int64_t move) const;
  std::vector<Reply> NoneFree(Turn& turn) const;

  std::vector<Reply> List(Turn& turn) const;
  std::vector<Reply> Show(Turn& turn, int64_t booking_id) const;
  std::vector<Reply> AskCancel(Turn& turn,
                               std::optional<int64_t> booking_id) const;
  std::vector<Reply> DoCancel(Turn& turn, int64_t booking_id) const;
  std::vector<Reply> Keep(Turn& turn, int64_t booking_id) const;
  std::vector<Reply> Move(Turn& turn, int64_t booking_id) const;
  std::vector<Reply> Gone(Turn& turn) const;

  std::vector<Reply> Failed(Turn& turn, const core::Status& why) const;

  FlowDeps deps_;
};

}  // namespace sportello::flows
