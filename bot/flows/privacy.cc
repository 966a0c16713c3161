#include "bot/flows/privacy.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "bot/core/log.h"
#include "bot/core/rome_time.h"
#include "bot/domain/booking.h"
#include "bot/domain/events.h"
#include "bot/flows/consent.h"
#include "bot/flows/router.h"
#include "storage/audit.h"

namespace sportello::flows {
namespace {

// "03/11/2026", Rome's calendar.
std::string FormatDate(int64_t at_ms) {
  const auto d = core::RomeDate(core::FromMillis(at_ms));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d",
                static_cast<unsigned>(d.day()),
                static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
  return buf;
}

}  // namespace

std::string_view PrivacyFlow::name() const { return kPrivacyFlow; }

core::Result<PersonErasure> ErasePerson(Turn& turn, const Catalog& catalog) {
  PersonErasure out;
  auto upcoming =
      booking::UpcomingAppointments(turn.db, turn.user.id, turn.now_ms);
  if (!upcoming.ok()) return upcoming.status();
  for (const auto& appointment : *upcoming) {
    auto cancelled = booking::Cancel(turn.db, turn.user.id,
                                     appointment.booking.id, turn.now_ms);
    if (!cancelled.ok()) return cancelled.status();
    ++out.cancelled_appointments;
  }
  auto signups =
      CancelAllEventSignups(turn.db, catalog, turn.user.id, turn.now_ms);
  if (!signups.ok()) return signups.status();
  out.cancelled_event_signups = *signups;
  auto erased = storage::ErasePersonalData(turn.db, turn.user.id, turn.now_ms);
  if (!erased.ok()) return erased.status();
  // The centre must be able to show when a person's data went, and why.
  if (auto s = storage::AppendAudit(
          turn.db,
          {0, turn.now_ms, std::string(kAuditPerson), "erasure",
           turn.conversation.id, turn.user.id,
           "asked by the person through the bot", turn.conversation.centre_id});
      !s.ok())
    return s;
  out.erased = *erased;
  EndFlow(turn.conversation);
  turn.user.name.clear();
  turn.user.consent_version.reset();
  turn.user.consent_at.reset();
  turn.user.notify = false;
  return out;
}

std::vector<Reply> PrivacyFlow::Start(Turn& turn) const {
  const std::string& intent = turn.analysis.intent;
  if (intent == "privacy_export") return Export(turn);
  if (intent == "privacy_erase") return AskErase(turn);
  if (intent == "notify_on") return Notify(turn, true);
  if (intent == "notify_off") return Notify(turn, false);
  return Overview(turn);
}

std::vector<Reply> PrivacyFlow::Continue(Turn& turn) const {
  const std::string_view id = turn.in.button_id;
  if (id == kPrivacyExport) return Export(turn);
  if (id == kPrivacyErase) return AskErase(turn);
  if (id == kPrivacyEraseYes) return Erase(turn);
  if (id == kPrivacyNotifyOn) return Notify(turn, true);
  if (id == kPrivacyNotifyOff) return Notify(turn, false);
  const Catalog& t = deps_.catalog;
  if (id.substr(0, kPrivacyTopicPrefix.size()) == kPrivacyTopicPrefix)
    return AddTopic(turn, id.substr(kPrivacyTopicPrefix.size()));
  if (id == kPrivacyTopicsAll) {
    EndFlow(turn.conversation);
    if (auto s = storage::ClearUserTopics(turn.db, turn.user.id); !s.ok()) {
      core::LogError("privacy", "clearing topics failed: " + s.ToString());
      return {{t.Text(turn.lang, "flow.error"), {}}};
    }
    return {{t.Text(turn.lang, "privacy.topics_all_done"), {}}};
  }
  if (id == kPrivacyTopicsDone) {
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "privacy.topics_done"), {}}};
  }
  if (id == kPrivacyNotifyNo) {
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "privacy.notify_no_done"), {}}};
  }
  if (id == kPrivacyNotice) {
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "consent.more", {{"centre", turn.centre.name}}),
             {{kPrivacyExport, t.Text(turn.lang, "privacy.export_button")},
              {kPrivacyErase, t.Text(turn.lang, "privacy.erase_button")}}}};
  }
  if (id.empty() && turn.conversation.step == "erase") {
    // Only a clear yes erases; another privacy request is answered; anything
    // else keeps the data.
    const std::string& intent = turn.analysis.intent;
    if (intent == "affirm" && turn.analysis.confidence >= 0.9)
      return Erase(turn);
    if ((intent == "privacy_export" || intent == "notify_on" ||
         intent == "notify_off") &&
        turn.analysis.confidence >= 0.8) {
      EndFlow(turn.conversation);
      return Start(turn);
    }
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "privacy.erase_kept"), {}}};
  }
  if (id == kPrivacyEraseNo) {
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "privacy.erase_kept"), {}}};
  }
  return Start(turn);
}

std::vector<Reply> PrivacyFlow::Overview(Turn& turn) const {
  EndFlow(turn.conversation);
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  const storage::User& u = turn.user;
  std::string text =
      t.Text(lang, "privacy.overview", {{"centre", turn.centre.name}});
  text += "\n\n";
  text += HasConsent(u)
              ? t.Text(lang, "privacy.consent_yes",
                       {{"date", FormatDate(u.consent_at.value_or(0))},
                        {"version", *u.consent_version}})
              : t.Text(lang, "privacy.consent_no");
  text += "\n" + t.Text(lang, u.notify ? "privacy.notify_is_on"
                                       : "privacy.notify_is_off");
  Reply r{text, {}};
  r.buttons.push_back({kPrivacyExport, t.Text(lang, "privacy.export_button")});
  r.buttons.push_back({kPrivacyErase, t.Text(lang, "privacy.erase_button")});
  r.buttons.push_back(
      u.notify ? core::Button{kPrivacyNotifyOff,
                              t.Text(lang, "privacy.notify_off_button")}
               : core::Button{kPrivacyNotifyOn,
                              t.Text(lang, "privacy.notify_on_button")});
  if (!HasConsent(u))
    r.buttons.push_back(
        {kConsentStart, t.Text(lang, "privacy.consent_button")});
  r.buttons.push_back({kPrivacyNotice, t.Text(lang, "privacy.notice_button")});
  return {r};
}

std::vector<Reply> PrivacyFlow::Export(Turn& turn) const {
  EndFlow(turn.conversation);
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  const storage::User& u = turn.user;
  auto profile = storage::FindProfile(turn.db, u.id);
  auto counts = storage::CountStoredData(turn.db, u.id);
  if (!profile.ok() || !counts.ok()) {
    core::LogError(
        "privacy",
        "export failed: " +
            (profile.ok() ? counts.status() : profile.status()).ToString());
    return {{t.Text(lang, "flow.error"), {}}};
  }
  if (auto s = storage::AppendAudit(
          turn.db,
          {0, turn.now_ms, std::string(kAuditPerson), "export",
           turn.conversation.id, u.id, "asked by the person through the bot",
           turn.conversation.centre_id});
      !s.ok()) {
    core::LogError("privacy", "export audit failed: " + s.ToString());
  }
  const std::string none = t.Text(lang, "privacy.none");
  // One name line: the name the person gave in the profile, else the one
  // their chat app sent; the profile list below does not repeat it.
  std::string name = u.name;
  const auto is_name = [](const Question& q) { return q.format == "name"; };
  if (profile->has_value()) {
    for (const auto& q : questionnaire_->questions()) {
      auto it = (*profile)->answers.find(q.id);
      if (is_name(q) && it != (*profile)->answers.end() && !it->second.empty())
        name = it->second;
    }
  }
  std::string text =
      t.Text(lang, "privacy.export.header", {{"centre", turn.centre.name}});
  const auto line = [&](std::string_view key, const Catalog::Vars& vars) {
    text += "\n" + t.Text(lang, key, vars);
  };
  line("privacy.export.name", {{"name", name.empty() ? none : name}});
  line("privacy.export.channel",
       {{"channel", u.channel},
        {"language", u.language.empty() ? none : u.language},
        {"date", FormatDate(u.created_at)}});
  if (HasConsent(u)) {
    line("privacy.consent_yes", {{"date", FormatDate(u.consent_at.value_or(0))},
                                 {"version", *u.consent_version}});
  } else {
    line("privacy.consent_no", {});
  }
  line(u.notify ? "privacy.notify_is_on" : "privacy.notify_is_off", {});
  if (!profile->has_value()) {
    line("privacy.export.no_profile", {});
  } else {
    const storage::Profile& p = **profile;
    const std::string band =
        p.age_band ? t.Text(lang, "consent.age." + *p.age_band) : none;
    line("privacy.export.profile", {{"band", band}});
    for (const auto& q : questionnaire_->questions()) {
      auto it = p.answers.find(q.id);
      if (it == p.answers.end() || is_name(q)) continue;
      text += "\n• " + t.Text(lang, Questionnaire::LabelKey(q.id)) + ": " +
              questionnaire_->Display(q, it->second, t, lang);
    }
  }
  line("privacy.export.messages",
       {{"from_user", std::to_string(counts->messages_from_user)},
        {"to_user", std::to_string(counts->messages_to_user)}});
  if (counts->messages_erased > 0) {
    line("privacy.export.erased",
         {{"count", std::to_string(counts->messages_erased)}});
  }
  line("privacy.export.bookings",
       {{"count", std::to_string(counts->bookings)}});
  line("privacy.export.interests",
       {{"count", std::to_string(counts->vacancy_interests)}});
  text += "\n\n" + t.Text(lang, "privacy.export.footer");
  return {{text, {{kPrivacyErase, t.Text(lang, "privacy.erase_button")}}}};
}

std::vector<Reply> PrivacyFlow::AskErase(Turn& turn) const {
  EndFlow(turn.conversation);
  turn.conversation.flow = std::string(kPrivacyFlow);
  turn.conversation.step = "erase";
  const Catalog& t = deps_.catalog;
  return {{t.Text(turn.lang, "privacy.erase_confirm"),
           {{kPrivacyEraseYes, t.Text(turn.lang, "privacy.erase_yes")},
            {kPrivacyEraseNo, t.Text(turn.lang, "privacy.erase_no")}}}};
}

std::vector<Reply> PrivacyFlow::Erase(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  auto erased = ErasePerson(turn, deps_.catalog);
  if (!erased.ok()) {
    if (RetryLater(turn, erased.status())) return {};
    core::LogError("privacy", "erasure failed: " + erased.status().ToString());
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "flow.error"), {}}};
  }
  std::string text = t.Text(turn.lang, "privacy.erased");
  if (erased->cancelled_appointments > 0) {
    text += "\n" +
            t.Text(turn.lang, "privacy.erased_bookings",
                   {{"count", std::to_string(erased->cancelled_appointments)}});
  }
  return {{text, {}}};
}

std::vector<Reply> PrivacyFlow::Notify(Turn& turn, bool on) const {
  EndFlow(turn.conversation);
  const Catalog& t = deps_.catalog;
  if (auto s = storage::SetNotify(turn.db, turn.user.id, on); !s.ok()) {
    core::LogError("privacy", "notify change failed: " + s.ToString());
    return {{t.Text(turn.lang, "flow.error"), {}}};
  }
  turn.user.notify = on;
  if (on) {
    return {TopicChoice(turn, t.Text(turn.lang, "privacy.notify_on_done") +
                                  "\n\n" +
                                  t.Text(turn.lang, "privacy.topics_ask"))};
  }
  return {
      {t.Text(turn.lang, "privacy.notify_off_done"),
       {{kPrivacyNotifyOn, t.Text(turn.lang, "privacy.notify_on_button")}}}};
}

Reply PrivacyFlow::TopicChoice(Turn& turn, std::string text) const {
  const Catalog& t = deps_.catalog;
  auto chosen = storage::UserTopics(turn.db, turn.user.id);
  Reply r{std::move(text), {}};
  for (std::string_view topic : kNoticeTopics) {
    if (chosen.ok() &&
        std::find(chosen->begin(), chosen->end(), topic) != chosen->end())
      continue;
    r.buttons.push_back({std::string(kPrivacyTopicPrefix) + std::string(topic),
                         t.Text(turn.lang, "topic." + std::string(topic))});
  }
  r.buttons.push_back(
      chosen.ok() && !chosen->empty()
          ? core::Button{kPrivacyTopicsDone,
                         t.Text(turn.lang, "profile.done_button")}
          : core::Button{kPrivacyTopicsAll,
                         t.Text(turn.lang, "privacy.topics_all")});
  return r;
}

std::vector<Reply> PrivacyFlow::AddTopic(Turn& turn,
                                         std::string_view topic) const {
  const Catalog& t = deps_.catalog;
  EndFlow(turn.conversation);
  const bool known =
      std::find(std::begin(kNoticeTopics), std::end(kNoticeTopics), topic) !=
      std::end(kNoticeTopics);
  // A stale or forged button: show the choice again rather than store it.
  if (!known)
    return {TopicChoice(turn, t.Text(turn.lang, "privacy.topics_ask"))};
  // Topics only narrow what a subscriber gets; choosing one is opting in.
  if (!turn.user.notify) {
    if (auto s = storage::SetNotify(turn.db, turn.user.id, true); !s.ok()) {
      core::LogError("privacy", "notify change failed: " + s.ToString());
      return {{t.Text(turn.lang, "flow.error"), {}}};
    }
    turn.user.notify = true;
  }
  if (auto s = storage::AddUserTopic(turn.db, turn.user.id, topic); !s.ok()) {
    core::LogError("privacy", "saving a topic failed: " + s.ToString());
    return {{t.Text(turn.lang, "flow.error"), {}}};
  }
  auto chosen = storage::UserTopics(turn.db, turn.user.id);
  std::string names;
  if (chosen.ok()) {
    for (const auto& c : *chosen) {
      if (!names.empty()) names += ", ";
      const bool ours =
          std::find(std::begin(kNoticeTopics), std::end(kNoticeTopics), c) !=
          std::end(kNoticeTopics);
      // Imported contacts may carry the centre's own topics: shown as is.
      names += ours ? t.Text(turn.lang, "topic." + c) : c;
    }
  }
  return {TopicChoice(
      turn, t.Text(turn.lang, "privacy.topics_saved", {{"topics", names}}))};
}

}  // namespace sportello::flows
