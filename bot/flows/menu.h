// The front door: greeting, main menu, info, handoff request. The flows of
// issue #4 (profiling, vacancies, booking, events) plug in behind the menu's
// buttons.
#pragma once

#include <vector>

#include "bot/catalog.h"
#include "bot/config.h"
#include "bot/flows/turn.h"

namespace sportello::flows {

// Button ids of the main menu.
inline constexpr const char* kMenuJobs = "menu:jobs";
inline constexpr const char* kMenuBooking = "menu:booking";
inline constexpr const char* kMenuEvents = "menu:events";
inline constexpr const char* kMenuInfo = "menu:info";
inline constexpr const char* kMenuHuman = "menu:human";

class FrontDoor {
 public:
  FrontDoor(const Catalog& catalog, const CentreConfig& centre);

  // Answers one turn of a conversation the bot holds.
  std::vector<Reply> Respond(Turn& turn) const;

 private:
  Reply Menu(const std::string& lang, const char* prompt_key) const;
  std::vector<Reply> RequestHuman(Turn& turn) const;

  const Catalog& catalog_;
  const CentreConfig& centre_;
};

}  // namespace sportello::flows
