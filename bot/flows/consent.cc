#include "bot/flows/consent.h"

#include <algorithm>
#include <cctype>

#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/flows/events.h"
#include "bot/flows/privacy.h"
#include "bot/flows/profile.h"
#include "bot/flows/router.h"
#include "bot/flows/vacancies.h"
#include "storage/profiles.h"

namespace sportello::flows {
namespace {

using nlohmann::json;

constexpr std::string_view kAgePrefix = "consent:age:";
constexpr const char* kBands[] = {"u14", "14_15", "16_29", "30_39", "40_plus"};

int ThisYear(int64_t now_ms) {
  return static_cast<int>(core::RomeDate(core::FromMillis(now_ms)).year());
}

// Ages we take from typed text; anything outside is asked again with the
// buttons rather than guessed at (a format string or a stray digit read as
// "age 1" would otherwise send an adult away and erase what they wrote).
constexpr int kYoungestTyped = 14;
constexpr int kOldestTyped = 99;

// An age (or a birth year) typed as digits: "17", "ho 17 anni", "2008",
// "sono del 2004". The number must stand alone, be the only one, and the
// rest be words: "%1$d", "{1}" or "3/4" are not an age.
std::optional<int> TypedAge(std::string_view text, int this_year) {
  std::optional<int64_t> number;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (number || j - i > 4) return std::nullopt;
      number = core::ParseInt(text.substr(i, j - i), 0, 9999);
      i = j;
      continue;
    }
    const bool word = std::isalpha(c) || c >= 0x80 || c == ' ' || c == '\'' ||
                      c == '.' || c == ',' || c == '!' || c == '?';
    if (!word) return std::nullopt;
    ++i;
  }
  if (!number) return std::nullopt;
  const int n = static_cast<int>(*number);
  const int age = n >= 1000 ? this_year - n : n;
  if (age < kYoungestTyped || age > kOldestTyped) return std::nullopt;
  return age;
}

json EntitiesJson(const intents::Entities& e) {
  json j = json::object();
  if (e.city) j["city"] = *e.city;
  if (e.role) j["role"] = *e.role;
  if (e.contract) j["contract"] = *e.contract;
  if (e.date) j["date"] = *e.date;
  return j;
}

std::optional<std::string> OptionalString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

bool HasConsent(const storage::User& user) {
  return user.consent_version.has_value() && !user.consent_version->empty();
}

bool NeedsConsent(std::string_view flow, std::string_view button_id,
                  std::string_view intent) {
  if (flow == kVacanciesFlow)
    return button_id.starts_with(kVacancyInterestPrefix);
  if (flow == kEventsFlow) return button_id.starts_with(kEventJoinPrefix);
  if (flow == kPrivacyFlow) {
    if (!button_id.empty()) {
      return button_id == kPrivacyNotifyOn ||
             button_id.starts_with(kPrivacyTopicPrefix);
    }
    return intent == "notify_on";
  }
  return flow == kProfileFlow || flow == kBookingFlow;
}

std::string AgeBand(int age) {
  if (age < 14) return "u14";
  if (age <= 15) return "14_15";
  if (age <= 29) return "16_29";
  if (age <= 39) return "30_39";
  return "40_plus";
}

Reply ConsentFlow::AskAge(const std::string& lang, const char* key) const {
  Reply r{deps_.catalog.Text(lang, key), {}};
  for (const char* band : kBands) {
    r.buttons.push_back(
        {std::string(kAgePrefix) + band,
         deps_.catalog.Text(lang, std::string("consent.age.") + band)});
  }
  return r;
}

Reply ConsentFlow::Notice(const Turn& turn, const char* key) const {
  const std::string& lang = turn.lang;
  Reply r{deps_.catalog.Text(lang, key, {{"centre", turn.centre.name}}), {}};
  r.buttons = {{kConsentYes, deps_.catalog.Text(lang, "consent.yes")},
               {kConsentNo, deps_.catalog.Text(lang, "consent.no")},
               {kConsentMore, deps_.catalog.Text(lang, "consent.more_button")}};
  return r;
}

std::vector<Reply> ConsentFlow::Start(Turn& turn) const {
  turn.conversation.step = "age";
  return {AskAge(turn.lang, "consent.age")};
}

void HoldRequest(Turn& turn, std::string_view then_flow) {
  json slots = Slots(turn.conversation);
  json then = {{"flow", std::string(then_flow)},
               {"text", turn.in.text},
               {"button", turn.in.button_id},
               {"kind", std::string(core::InboundKindName(turn.in.kind))},
               {"intent", turn.analysis.intent},
               {"confidence", turn.analysis.confidence},
               {"lang", turn.analysis.lang},
               {"entities", EntitiesJson(turn.analysis.entities)}};
  slots["then"] = std::move(then);
  SaveSlots(turn.conversation, slots);
}

bool ReleaseRequest(storage::Conversation& c, const json& then) {
  if (!then.is_object() || !OptionalString(then, "flow")) return false;
  json kept = Slots(c);
  kept["resume"] = then;
  SaveSlots(c, kept);
  return true;
}

std::vector<Reply> ConsentFlow::StartFor(Turn& turn,
                                         std::string_view then_flow) const {
  HoldRequest(turn, then_flow);
  turn.conversation.step = "age";
  return {AskAge(turn.lang, "consent.first")};
}

std::vector<Reply> ConsentFlow::Continue(Turn& turn) const {
  const std::string_view id = turn.in.button_id;
  if (id == kConsentStart) {
    EndFlow(turn.conversation);
    turn.conversation.flow = std::string(kConsentFlow);
    return Start(turn);
  }
  // Digits typed at the age question are an age, not the number of a
  // button: "1" must not become "Meno di 14" and an erasure.
  const std::string_view typed = turn.in.text;
  const bool typed_number =
      !typed.empty() && std::all_of(typed.begin(), typed.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == ' ' || c == '.';
      });
  if (id.substr(0, kAgePrefix.size()) == kAgePrefix && typed_number) {
    if (auto age = TypedAge(typed, ThisYear(turn.now_ms)))
      return OnAge(turn, AgeBand(*age));
    return {AskAge(turn.lang, "consent.age_retry")};
  }
  if (id.substr(0, kAgePrefix.size()) == kAgePrefix) {
    const std::string band(id.substr(kAgePrefix.size()));
    for (const char* known : kBands) {
      if (band == known) return OnAge(turn, band);
    }
  }
  if (id == kConsentYes || id == kConsentNo || id == kConsentMore)
    return OnChoice(turn, id);

  const std::string& step = turn.conversation.step;
  if (id.empty() && step == "age") {
    if (auto age = TypedAge(turn.in.text, ThisYear(turn.now_ms)))
      return OnAge(turn, AgeBand(*age));
    return {AskAge(turn.lang, "consent.age_retry")};
  }
  if (id.empty() && step == "choice") {
    const std::string& intent = turn.analysis.intent;
    if (intent == "affirm" && turn.analysis.confidence >= 0.8)
      return OnChoice(turn, kConsentYes);
    if (intent == "deny" && turn.analysis.confidence >= 0.8)
      return OnChoice(turn, kConsentNo);
    return {Notice(turn, "consent.choice_retry")};
  }
  // A stale press or a state this build does not know: from the top.
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(kConsentFlow);
  return Start(turn);
}

std::vector<Reply> ConsentFlow::OnAge(Turn& turn,
                                      const std::string& band) const {
  const Catalog& t = deps_.catalog;
  if (band == "u14") {
    // Nothing about a child is kept: not the band, not what they wrote.
    EndFlow(turn.conversation);
    if (auto erased = ErasePerson(turn, deps_.catalog); !erased.ok()) {
      core::LogError("consent",
                     "under-14 erasure failed: " + erased.status().ToString());
    }
    const auto& centre = turn.centre;
    return {{t.Text(turn.lang, "consent.under14",
                    {{"centre", centre.name},
                     {"contacts", centre.contacts},
                     {"address", centre.address}}),
             {}}};
  }
  json slots = Slots(turn.conversation);
  slots["band"] = band;
  SaveSlots(turn.conversation, slots);
  turn.conversation.step = "choice";
  return {Notice(turn, "consent.notice")};
}

std::vector<Reply> ConsentFlow::OnChoice(Turn& turn,
                                         std::string_view choice) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  json slots = Slots(turn.conversation);
  const auto band = OptionalString(slots, "band");
  if (!band) {  // the notice's buttons pressed again after the flow ended
    EndFlow(turn.conversation);
    turn.conversation.flow = std::string(kConsentFlow);
    return Start(turn);
  }
  if (choice == kConsentMore) {
    turn.conversation.step = "choice";
    return {Notice(turn, "consent.more")};
  }
  const json then = slots.value("then", json());
  EndFlow(turn.conversation);
  if (choice == kConsentNo) {
    return {{t.Text(lang, "consent.refused"),
             {{kMenuInfo, t.Text(lang, "menu.info")},
              {kMenuJobs, t.Text(lang, "menu.jobs")}}}};
  }
  if (auto s = storage::RecordConsent(turn.db, turn.user.id, kConsentVersion,
                                      turn.now_ms);
      !s.ok()) {
    core::LogError("consent", "recording consent failed: " + s.ToString());
    return {{t.Text(lang, "flow.error"), {}}};
  }
  if (auto s = storage::SetAgeBand(turn.db, turn.user.id, *band, turn.now_ms);
      !s.ok()) {
    core::LogError("consent", "saving the age band failed: " + s.ToString());
  }
  turn.user.consent_version = kConsentVersion;
  turn.user.consent_at = turn.now_ms;
  std::vector<Reply> out{{t.Text(lang, "consent.accepted"), {}}};
  if (!ReleaseRequest(turn.conversation, then)) {
    out.push_back({t.Text(lang, "consent.next"),
                   {{kProfileStart, t.Text(lang, "profile.start_button")},
                    {kMenuJobs, t.Text(lang, "menu.jobs")},
                    {kMenuBooking, t.Text(lang, "menu.booking")}}});
  }
  return out;
}

std::optional<Resume> TakeResume(storage::Conversation& c,
                                 const core::InboundMessage& current) {
  json slots = Slots(c);
  auto it = slots.find("resume");
  if (it == slots.end()) return std::nullopt;
  const json then = *it;
  slots.erase(it);
  SaveSlots(c, slots);
  const auto flow = OptionalString(then, "flow");
  if (!flow) return std::nullopt;
  Resume r;
  r.flow = *flow;
  r.in = current;
  r.in.text = OptionalString(then, "text").value_or("");
  r.in.button_id = OptionalString(then, "button").value_or("");
  r.in.callback_query_id.clear();
  r.in.kind =
      core::ParseInboundKind(OptionalString(then, "kind").value_or("text"))
          .value_or(core::InboundKind::kText);
  r.analysis.intent = OptionalString(then, "intent").value_or("");
  if (auto c_it = then.find("confidence");
      c_it != then.end() && c_it->is_number()) {
    r.analysis.confidence = c_it->get<double>();
  }
  r.analysis.lang = OptionalString(then, "lang").value_or("");
  if (!r.analysis.intent.empty())
    r.analysis.top = {{r.analysis.intent, r.analysis.confidence}};
  const json entities = then.value("entities", json::object());
  if (entities.is_object()) {
    r.analysis.entities.city = OptionalString(entities, "city");
    r.analysis.entities.role = OptionalString(entities, "role");
    r.analysis.entities.contract = OptionalString(entities, "contract");
    r.analysis.entities.date = OptionalString(entities, "date");
  }
  return r;
}

}  // namespace sportello::flows
