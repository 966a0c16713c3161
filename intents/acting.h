// When the bot may act on what the engine understood. Intents whose answer
// changes something for the person (a setting, their data, a booking, a
// place in a queue) are acted on only when the engine is sure; on a guess
// the bot asks first (bot/flows/clarify.h).
#pragma once

#include <string_view>

namespace sportello::intents {

// Confidences are calibrated (calibration.tsv): about 0.8 of the messages
// read at 0.8 are read right, and most of those above it far more often, so
// at this threshold a wrong action is rare, not a matter of luck.
inline constexpr double kActAtLeast = 0.8;

constexpr bool ChangesState(std::string_view label) {
  return label == "notify_on" || label == "notify_off" ||
         label == "privacy_erase" || label == "booking_cancel" ||
         label == "event_signup" || label == "handoff";
}

}  // namespace sportello::intents
