// A jobseeker's profile (the questionnaire's answers by question id, and the
// age band given with consent), the consent and notice choices kept on
// users, and what the privacy rights need: an account of everything stored
// about a person, and its erasure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// What erased texts read afterwards, in the history a counsellor sees.
inline constexpr std::string_view kErasedText = "[cancellato]";

struct Profile {
  int64_t user_id = 0;
  // "14_15" | "16_29" | "30_39" | "40_plus"; nullopt when not given.
  std::optional<std::string> age_band;
  // Question id -> value: an option id, comma-separated option ids, a year,
  // a comune or free text; "" for a skipped question.
  std::map<std::string, std::string> answers;
  std::optional<int64_t> completed_at;  // first time the questionnaire ended
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// nullopt when the person has no profile.
core::Result<std::optional<Profile>> FindProfile(Database& db, int64_t user_id);

// The following create the profile when it is missing.
// InvalidArgument for a band outside the four above (under 14 included).
core::Status SetAgeBand(Database& db, int64_t user_id, std::string_view band,
                        int64_t now_ms);
core::Status SaveAnswer(Database& db, int64_t user_id,
                        std::string_view question, std::string_view value,
                        int64_t now_ms);
core::Status DeleteAnswer(Database& db, int64_t user_id,
                          std::string_view question, int64_t now_ms);
// Sets completed_at the first time; later calls keep the first time.
core::Status MarkProfileCompleted(Database& db, int64_t user_id,
                                  int64_t now_ms);

// Consent to the privacy notice `version`, given at `now_ms` (GDPR art. 7:
// we must be able to show what was agreed to, and when).
core::Status RecordConsent(Database& db, int64_t user_id,
                           std::string_view version, int64_t now_ms);
// Notices (events, news) on or off.
core::Status SetNotify(Database& db, int64_t user_id, bool notify);

// What a subscriber asked to hear about (user_topics). No topic at all means
// every notice: the audience's topic filter lets such people in.
core::Result<std::vector<std::string>> UserTopics(Database& db,
                                                  int64_t user_id);
core::Status AddUserTopic(Database& db, int64_t user_id,
                          std::string_view topic);
core::Status ClearUserTopics(Database& db, int64_t user_id);

// How much is stored about a person beyond the users row and the profile.
struct StoredDataCounts {
  int64_t messages_from_user = 0;  // not erased
  int64_t messages_to_user = 0;    // not erased
  int64_t messages_erased = 0;
  int64_t bookings = 0;           // booked or cancelled
  int64_t vacancy_interests = 0;  // "mi interessa"
};
core::Result<StoredDataCounts> CountStoredData(Database& db, int64_t user_id);

struct Erasure {
  bool profile = false;  // a profile was deleted
  int64_t messages = 0;  // history rows whose text was erased
  int64_t bookings = 0;  // bookings no longer linked to the person
  int64_t vacancy_interests = 0;
};

// Erases what is stored about a person, keeping only what is needed to answer
// them on their channel (the users row's ids and language): the profile and
// its answers; the text and buttons of every message of their conversation
// (replaced by kErasedText); their name, consent and notice choice; their
// "mi interessa" marks; the link from their bookings (kept anonymous for the
// centre's counts); the payloads of their processed inbox rows and their
// outbox rows already sent or given up. Pending outbox rows stay: the
// confirmation of this erasure is one. Cancelling upcoming appointments (and
// their reminders) is the caller's, before this call.
// REQUIRES: inside a write transaction.
core::Result<Erasure> ErasePersonalData(Database& db, int64_t user_id,
                                        int64_t now_ms);

}  // namespace sportello::storage
