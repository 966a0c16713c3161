#include "bot/flows/profile.h"

#include <algorithm>

#include "bot/core/log.h"
#include "bot/core/rome_time.h"
#include "bot/flows/centre.h"
#include "bot/flows/consent.h"
#include "bot/flows/privacy.h"
#include "bot/flows/router.h"

namespace sportello::flows {
namespace {

using nlohmann::json;

constexpr std::string_view kButtonPrefix = "profile:";
constexpr std::string_view kStepPrefix = "q:";
constexpr std::string_view kSkip = "_skip";
constexpr std::string_view kMultiDone = "_done";

int ThisYear(int64_t now_ms) {
  return static_cast<int>(core::RomeDate(core::FromMillis(now_ms)).year());
}

// Paragraphs, skipping empty ones.
std::string Join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += (out.empty() ? "" : "\n\n") + p;
  }
  return out;
}

// The options picked so far for the multiple choice `question_id`.
std::vector<std::string> Picked(const storage::Conversation& c,
                                std::string_view question_id) {
  const json slots = Slots(c);
  std::vector<std::string> out;
  if (slots.value("multi", "") != question_id) return out;
  const json picked = slots.value("picked", json::array());
  for (const auto& p : picked) {
    if (p.is_string()) out.push_back(p.get<std::string>());
  }
  return out;
}

void SetPicked(storage::Conversation& c, std::string_view question_id,
               const std::vector<std::string>& picked) {
  json slots = Slots(c);
  if (question_id.empty()) {
    slots.erase("multi");
    slots.erase("picked");
  } else {
    slots["multi"] = std::string(question_id);
    slots["picked"] = picked;
  }
  SaveSlots(c, slots);
}

// The picked options as a stored value, in the questionnaire's order.
std::string InOrder(const Question& q, const std::vector<std::string>& picked) {
  std::string value;
  for (const auto& o : q.options) {
    if (std::find(picked.begin(), picked.end(), o.id) == picked.end()) continue;
    value += (value.empty() ? "" : ",") + o.id;
  }
  return value;
}

}  // namespace

const char* EligibilityKey(Eligibility e) {
  switch (e) {
    case Eligibility::kEligible:
      return "profile.gg.eligible";
    case Eligibility::kEligibleIfUnder30:
      return "profile.gg.eligible_if_under_30";
    case Eligibility::kTooYoung:
      return "profile.gg.too_young";
    case Eligibility::kTooOld:
      return "profile.gg.too_old";
    case Eligibility::kInWorkOrEducation:
      return "profile.gg.in_work_or_education";
    case Eligibility::kUnknown:
      return "profile.gg.unknown";
  }
  return "profile.gg.unknown";
}

std::string_view ProfileFlow::name() const { return kProfileFlow; }

std::optional<ProfileFlow::State> ProfileFlow::Load(Turn& turn) const {
  auto profile = storage::FindProfile(turn.db, turn.user.id);
  if (!profile.ok()) {
    core::LogError("profile", "loading the profile failed: " +
                                  profile.status().ToString());
    return std::nullopt;
  }
  State s;
  if (profile->has_value()) {
    s.answers = (*profile)->answers;
    s.age_band = (*profile)->age_band;
  }
  s.age = questionnaire_->AgeOf(s.answers, s.age_band, ThisYear(turn.now_ms));
  return s;
}

bool ProfileFlow::Save(Turn& turn, State& state, const Question& q,
                       const std::string& value) const {
  auto& db = turn.db;
  const int64_t user = turn.user.id;
  if (auto s = storage::SaveAnswer(db, user, q.id, value, turn.now_ms);
      !s.ok()) {
    core::LogError("profile", "saving " + q.id + " failed: " + s.ToString());
    return false;
  }
  state.answers[q.id] = value;
  state.age = questionnaire_->AgeOf(state.answers, state.age_band,
                                    ThisYear(turn.now_ms));
  if (q.type == AnswerType::kYear && state.age) {
    // The birth year is more precise than the band given with consent.
    const std::string band = AgeBand(*state.age);
    if (band != "u14" && storage::SetAgeBand(db, user, band, turn.now_ms).ok())
      state.age_band = band;
  }
  // An edit may close a branch (a younger birth year, "no" to responsibility):
  // what only that branch asked goes.
  for (const auto& id : questionnaire_->Stale(state.answers, state.age)) {
    if (auto s = storage::DeleteAnswer(db, user, id, turn.now_ms); !s.ok())
      return false;
    state.answers.erase(id);
  }
  return true;
}

std::string ProfileFlow::Harvest(Turn& turn, State& state,
                                 const Question* current) const {
  const auto& entities = turn.analysis.entities;
  std::string notes;
  for (const auto& q : questionnaire_->questions()) {
    if (&q == current || state.answers.count(q.id) ||
        !questionnaire_->Applies(q, state.answers, state.age)) {
      continue;
    }
    std::optional<std::string> value;
    if (q.type == AnswerType::kComune) value = entities.city;
    if (q.type == AnswerType::kText && q.entity == "role")
      value = entities.role;
    if (!value || !Save(turn, state, q, *value)) continue;
    notes += (notes.empty() ? "" : "\n") +
             deps_.catalog.Text(
                 turn.lang, "profile.noted",
                 {{"label", deps_.catalog.Text(turn.lang,
                                               Questionnaire::LabelKey(q.id))},
                  {"value", *value}});
    if (q.type == AnswerType::kComune) {
      if (std::string placed = PlaceBy(turn, *value); !placed.empty())
        notes += "\n" + placed;
    }
  }
  return notes;
}

std::vector<Reply> ProfileFlow::Ask(Turn& turn, const Question& q,
                                    const std::string& before) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  turn.conversation.flow = std::string(kProfileFlow);
  turn.conversation.step = std::string(kStepPrefix) + q.id;
  std::string hint;
  const std::vector<std::string> picked = Picked(turn.conversation, q.id);
  if (q.type == AnswerType::kMulti) {
    hint = picked.empty()
               ? t.Text(lang, "profile.multi_hint")
               : t.Text(lang, "profile.multi_picked",
                        {{"list", questionnaire_->Display(q, InOrder(q, picked),
                                                          t, lang)}});
  }
  Reply r{Join({before, t.Text(lang, Questionnaire::QuestionKey(q.id)), hint}),
          {}};
  const std::string prefix = std::string(kButtonPrefix) + q.id + ":";
  for (const auto& o : q.options) {
    const bool on =
        std::find(picked.begin(), picked.end(), o.id) != picked.end();
    r.buttons.push_back(
        {prefix + o.id,
         (on ? "✓ " : "") +
             t.Text(lang, Questionnaire::OptionKey(q.id, o.id))});
  }
  if (q.type == AnswerType::kMulti) {
    r.buttons.push_back(
        {prefix + std::string(kMultiDone), t.Text(lang, "profile.multi_done")});
  }
  if (q.optional)
    r.buttons.push_back(
        {prefix + std::string(kSkip), t.Text(lang, "profile.skip")});
  return {r};
}

std::vector<Reply> ProfileFlow::Next(Turn& turn, State& state,
                                     const std::string& before) const {
  SetPicked(turn.conversation, "", {});
  if (const Question* q = questionnaire_->NextOpen(state.answers, state.age)) {
    return Ask(turn, *q, before);
  }
  if (auto s =
          storage::MarkProfileCompleted(turn.db, turn.user.id, turn.now_ms);
      !s.ok()) {
    core::LogError("profile",
                   "marking the profile complete failed: " + s.ToString());
  }
  std::vector<Reply> out = Summary(turn, state);
  out.front().text =
      Join({before, deps_.catalog.Text(turn.lang, "profile.finished"),
            out.front().text});
  // The end of onboarding is where people are asked about notices: once.
  if (!turn.user.notify) {
    const Catalog& t = deps_.catalog;
    out.push_back(
        {t.Text(turn.lang, "privacy.notify_ask"),
         {{kPrivacyNotifyOn, t.Text(turn.lang, "privacy.notify_yes_button")},
          {kPrivacyNotifyNo, t.Text(turn.lang, "privacy.notify_no_button")}}});
  }
  return out;
}

std::vector<Reply> ProfileFlow::Summary(Turn& turn, const State& state) const {
  EndFlow(turn.conversation);
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  std::string text = t.Text(lang, "profile.summary");
  for (const auto& q : questionnaire_->questions()) {
    auto it = state.answers.find(q.id);
    if (it == state.answers.end() ||
        !questionnaire_->Applies(q, state.answers, state.age))
      continue;
    text += "\n• " + t.Text(lang, Questionnaire::LabelKey(q.id)) + ": " +
            questionnaire_->Display(q, it->second, t, lang);
  }
  const Eligibility gg =
      questionnaire_->GaranziaGiovani(state.answers, ThisYear(turn.now_ms));
  text += "\n\n" + t.Text(lang, EligibilityKey(gg));
  // The experienced track was asked: point at its programmes.
  bool track = false;
  for (const auto& q : questionnaire_->questions()) {
    track = track || (!q.when.empty() && state.answers.count(q.id) &&
                      questionnaire_->Applies(q, state.answers, state.age));
  }
  if (track) text += "\n\n" + t.Text(lang, "profile.track");
  return {{text,
           {{kProfileEdit, t.Text(lang, "profile.edit_button")},
            {kMenuJobs, t.Text(lang, "menu.jobs")},
            {kMenuBooking, t.Text(lang, "menu.booking")}}}};
}

std::vector<Reply> ProfileFlow::EditList(Turn& turn, const State& state) const {
  EndFlow(turn.conversation);
  const Catalog& t = deps_.catalog;
  Reply r{t.Text(turn.lang, "profile.edit_prompt"), {}};
  for (const auto& q : questionnaire_->questions()) {
    if (!questionnaire_->Applies(q, state.answers, state.age)) continue;
    r.buttons.push_back({std::string(kProfileEdit) + ":" + q.id,
                         t.Text(turn.lang, Questionnaire::LabelKey(q.id))});
  }
  r.buttons.push_back({kProfileDone, t.Text(turn.lang, "profile.done_button")});
  return {r};
}

std::vector<Reply> ProfileFlow::Failed(Turn& turn) const {
  EndFlow(turn.conversation);
  return {{deps_.catalog.Text(turn.lang, "flow.error"), {}}};
}

std::vector<Reply> ProfileFlow::Start(Turn& turn) const {
  auto state = Load(turn);
  if (!state) return Failed(turn);
  SetPicked(turn.conversation, "", {});
  const std::string notes = Harvest(turn, *state, nullptr);
  if (const Question* q =
          questionnaire_->NextOpen(state->answers, state->age)) {
    bool answered = false;
    for (const auto& other : questionnaire_->questions()) {
      answered = answered ||
                 (state->answers.count(other.id) &&
                  other.type != AnswerType::kComune && other.entity.empty());
    }
    const char* intro = answered ? "profile.resume" : "profile.intro";
    return Ask(turn, *q, Join({notes, deps_.catalog.Text(turn.lang, intro)}));
  }
  std::vector<Reply> out = Summary(turn, *state);
  out.front().buttons.clear();
  std::vector<Reply> edit = EditList(turn, *state);
  out.insert(out.end(), edit.begin(), edit.end());
  return out;
}

std::vector<Reply> ProfileFlow::Continue(Turn& turn) const {
  auto state = Load(turn);
  if (!state) return Failed(turn);
  const std::string_view id = turn.in.button_id;
  if (id.substr(0, kButtonPrefix.size()) == kButtonPrefix) {
    return OnButton(turn, *state, id.substr(kButtonPrefix.size()));
  }
  if (id.empty() && turn.analysis.intent == "profile" &&
      turn.analysis.confidence >= 0.9) {
    return Start(turn);  // "modifica profilo" again, mid-way
  }
  const std::string& step = turn.conversation.step;
  if (id.empty() && step.substr(0, kStepPrefix.size()) == kStepPrefix) {
    if (const Question* q =
            questionnaire_->Find(step.substr(kStepPrefix.size()))) {
      return OnText(turn, *state, *q);
    }
  }
  return Start(turn);
}

std::vector<Reply> ProfileFlow::OnButton(Turn& turn, State& state,
                                         std::string_view rest) const {
  const Catalog& t = deps_.catalog;
  if (rest == "start") return Start(turn);
  if (rest == "edit") return EditList(turn, state);
  if (rest == "done") {
    EndFlow(turn.conversation);
    return {{t.Text(turn.lang, "profile.saved"),
             {{kMenuJobs, t.Text(turn.lang, "menu.jobs")},
              {kMenuBooking, t.Text(turn.lang, "menu.booking")}}}};
  }
  if (rest.substr(0, 5) == "edit:") {
    const Question* q = questionnaire_->Find(rest.substr(5));
    if (!q || !questionnaire_->Applies(*q, state.answers, state.age))
      return EditList(turn, state);
    SetPicked(turn.conversation, "", {});
    std::string current;
    if (auto it = state.answers.find(q->id); it != state.answers.end()) {
      current = t.Text(
          turn.lang, "profile.current",
          {{"value", questionnaire_->Display(*q, it->second, t, turn.lang)}});
      if (q->type == AnswerType::kMulti) {
        std::vector<std::string> picked;
        for (const auto& o : q->options) {
          if (("," + it->second + ",").find("," + o.id + ",") !=
              std::string::npos)
            picked.push_back(o.id);
        }
        SetPicked(turn.conversation, q->id, picked);
      }
    }
    return Ask(turn, *q, current);
  }
  const size_t colon = rest.find(':');
  const Question* q = questionnaire_->Find(rest.substr(0, colon));
  if (!q || colon == std::string_view::npos) return Start(turn);
  const std::string_view option = rest.substr(colon + 1);
  if (option == kSkip) {
    if (!q->optional) return Ask(turn, *q, "");
    if (!Save(turn, state, *q, "")) return Failed(turn);
    return Next(turn, state, "");
  }
  if (q->type == AnswerType::kChoice) {
    const Option* o = q->FindOption(option);
    if (!o) return Ask(turn, *q, "");
    if (!Save(turn, state, *q, o->id)) return Failed(turn);
    return Next(turn, state, "");
  }
  if (q->type != AnswerType::kMulti) return Ask(turn, *q, "");
  std::vector<std::string> picked = Picked(turn.conversation, q->id);
  if (option == kMultiDone) {
    if (picked.empty())
      return Ask(turn, *q, t.Text(turn.lang, "profile.multi_empty"));
    if (!Save(turn, state, *q, InOrder(*q, picked))) return Failed(turn);
    return Next(turn, state, "");
  }
  const Option* o = q->FindOption(option);
  if (!o) return Ask(turn, *q, "");
  if (o->exclusive) {  // "nessuna" is the whole answer
    if (!Save(turn, state, *q, o->id)) return Failed(turn);
    return Next(turn, state, "");
  }
  std::erase_if(picked, [q](const std::string& p) {
    const Option* other = q->FindOption(p);
    return !other || other->exclusive;
  });
  if (auto it = std::find(picked.begin(), picked.end(), o->id);
      it != picked.end()) {
    picked.erase(it);
  } else {
    picked.push_back(o->id);
  }
  SetPicked(turn.conversation, q->id, picked);
  return Ask(turn, *q, "");
}

std::vector<Reply> ProfileFlow::OnText(Turn& turn, State& state,
                                       const Question& q) const {
  const Catalog& t = deps_.catalog;
  const std::string& lang = turn.lang;
  const std::string notes = Harvest(turn, state, &q);
  if (q.type == AnswerType::kComune) {
    const auto& city = turn.analysis.entities.city;
    if (!city)
      return Ask(turn, q, Join({notes, t.Text(lang, "profile.retry.comune")}));
    if (!Save(turn, state, q, *city)) return Failed(turn);
    return Next(turn, state, Join({notes, PlaceBy(turn, *city)}));
  }
  // A name that named a place or a role was about that, not a name ("sono
  // di Bari" when asked the name); other free texts may mention them.
  if (q.format == "name" && !notes.empty()) return Ask(turn, q, notes);
  const Parsed parsed = questionnaire_->ParseTyped(q, turn.in.text, t, lang,
                                                   ThisYear(turn.now_ms));
  if (!parsed.ok) {
    std::string retry = "profile.retry.";
    switch (q.type) {
      case AnswerType::kChoice:
        retry += "choice";
        break;
      case AnswerType::kMulti:
        retry += "multi";
        break;
      case AnswerType::kYear:
        retry += "year";
        break;
      default:
        retry += q.format == "name" ? "name" : "text";
        break;
    }
    return Ask(turn, q, notes.empty() ? t.Text(lang, retry) : notes);
  }
  if (!Save(turn, state, q, parsed.value)) return Failed(turn);
  return Next(turn, state, notes);
}

std::string ProfileFlow::PlaceBy(Turn& turn, const std::string& comune) const {
  if (!comuni_) return "";
  return PlaceByProfileComune(deps_, *comuni_, turn, comune);
}

}  // namespace sportello::flows
