// The events flow: upcoming recruiting days, workshops and seminars three
// at a time, the details of one, signing up (or joining the waiting list
// when it is full), cancelling. The rules behind it (sign-ups, reminders,
// the waiting list) are in bot/domain/events.h and serve the console too.
//
// The flow waits for no typed answer, so it never holds the conversation;
// its buttons come back by their prefix:
//   events:list:<offset>   a page of upcoming events
//   events:show:<event>    details, with sign up / cancel
//   events:join:<event>    sign up (or join the waiting list)
//   events:leave:<event>   asks to confirm the cancellation
//   events:leave_ok:<event>
//   events:mine            the person's sign-ups
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/domain/events.h"
#include "bot/flows/flow.h"
#include "storage/events.h"

namespace sportello::flows {

inline constexpr int kEventsPerPage = 3;
// The sign-up buttons' prefix: signing up keeps who the person is, so it
// waits for consent (browsing does not).
inline constexpr std::string_view kEventJoinPrefix = "events:join:";

class EventsFlow : public Flow {
 public:
  explicit EventsFlow(FlowDeps deps) : deps_(deps) {}
  std::string_view name() const override;
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  std::vector<Reply> List(Turn& turn, int offset,
                          const char* empty_key = "events.none") const;
  std::vector<Reply> Details(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Join(Turn& turn, int64_t event_id) const;
  std::vector<Reply> AskLeave(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Leave(Turn& turn, int64_t event_id) const;
  std::vector<Reply> Mine(Turn& turn) const;
  // Signing up for a cancelled event: refused, politely.
  std::vector<Reply> NoLonger(Turn& turn, const storage::Event& event) const;
  std::vector<Reply> Failed(Turn& turn, const core::Status& why) const;

  FlowDeps deps_;
};

}  // namespace sportello::flows
