// The person's privacy rights, at any time (/privacy, "i miei dati",
// "cancella i miei dati", "notifiche on/off"): a readable account of
// everything stored about them; erasure after a confirmation; notices on or
// off. Consent itself is given in the consent flow (its "consent:start"
// button is offered here to people who have not consented).
//
// Steps: only "erase" (waiting for the confirmation) keeps the flow running;
// every other answer ends it at once, its buttons still reaching it by id.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "bot/domain/questionnaire.h"
#include "bot/flows/flow.h"
#include "storage/profiles.h"

namespace sportello::flows {

// Button ids.
inline constexpr const char* kPrivacyExport = "privacy:export";
inline constexpr const char* kPrivacyErase = "privacy:erase";
inline constexpr const char* kPrivacyEraseYes = "privacy:erase_yes";
inline constexpr const char* kPrivacyEraseNo = "privacy:erase_no";
inline constexpr const char* kPrivacyNotifyOn = "privacy:notify_on";
inline constexpr const char* kPrivacyNotifyOff = "privacy:notify_off";
inline constexpr const char* kPrivacyNotice = "privacy:notice";
// Opting in at the end of the profile: "no thanks".
inline constexpr const char* kPrivacyNotifyNo = "privacy:notify_no";
// Topic preferences: "privacy:topic:<id>" adds one, "all" clears them (every
// notice), "done" closes the choice.
inline constexpr std::string_view kPrivacyTopicPrefix = "privacy:topic:";
inline constexpr const char* kPrivacyTopicsAll = "privacy:topics_all";
inline constexpr const char* kPrivacyTopicsDone = "privacy:topics_done";

// The topics a subscriber can choose, as staff tag events and audiences
// (labels in the catalogue as "topic.<id>"). Few, so they fit one list.
inline constexpr std::string_view kNoticeTopics[] = {
    "recruiting", "workshop", "tirocini", "impresa", "europa", "over40"};

class PrivacyFlow : public Flow {
 public:
  PrivacyFlow(FlowDeps deps, std::shared_ptr<const Questionnaire> questionnaire)
      : deps_(deps), questionnaire_(std::move(questionnaire)) {}
  std::string_view name() const override;
  // By the turn's intent: privacy_export, privacy_erase, notify_on,
  // notify_off; anything else (/privacy) shows the overview.
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  std::vector<Reply> Overview(Turn& turn) const;
  std::vector<Reply> Export(Turn& turn) const;
  std::vector<Reply> AskErase(Turn& turn) const;
  std::vector<Reply> Erase(Turn& turn) const;
  std::vector<Reply> Notify(Turn& turn, bool on) const;
  // The topics not chosen yet as buttons, after `text`.
  Reply TopicChoice(Turn& turn, std::string text) const;
  std::vector<Reply> AddTopic(Turn& turn, std::string_view topic) const;

  FlowDeps deps_;
  std::shared_ptr<const Questionnaire> questionnaire_;
};

// The audit log's actor for what people ask of their own data (export,
// erasure) through the bot; staff actions carry the staff username.
inline constexpr std::string_view kAuditPerson = "person";

struct PersonErasure {
  storage::Erasure erased;
  int cancelled_appointments = 0;   // upcoming ones, with their reminders
  int cancelled_event_signups = 0;  // places given to the next in line
};
// Erases what is stored about the turn's person (storage::ErasePersonalData),
// cancelling their upcoming appointments and event sign-ups first so no
// reminder goes out (and a freed event place goes to the next in line), and
// ends the running flow. The turn's user is updated to match.
core::Result<PersonErasure> ErasePerson(Turn& turn, const Catalog& catalog);

}  // namespace sportello::flows
