// The intent labels the engine knows, as indexes for tables and the model.
#pragma once

#include <array>
#include <string_view>

namespace sportello::intents {

inline constexpr std::array<std::string_view, 21> kIntentLabels = {
    "greet",          "help",           "profile",         "vacancy_search",
    "booking_create", "booking_cancel", "booking_list",    "events",
    "event_signup",   "handoff",        "notify_off",      "notify_on",
    "privacy_erase",  "privacy_export", "info_where_when", "info_programs",
    "thanks",         "goodbye",        "affirm",          "deny",
    "out_of_scope",
};
inline constexpr int kNumIntents = static_cast<int>(kIntentLabels.size());
inline constexpr int kOutOfScope = kNumIntents - 1;
inline constexpr int kVacancySearch = 3;

// The index of `label` in kIntentLabels, or -1.
constexpr int IntentIndex(std::string_view label) {
  for (int i = 0; i < kNumIntents; ++i) {
    if (kIntentLabels[i] == label) return i;
  }
  return -1;
}

static_assert(IntentIndex("out_of_scope") == kOutOfScope);
static_assert(IntentIndex("vacancy_search") == kVacancySearch);

}  // namespace sportello::intents
