// Loading and checking the questionnaire's data file: every way it could be
// unusable is refused here, at start-up, with the question named.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "bot/core/embedded_files.h"
#include "bot/core/utf8.h"
#include "bot/domain/questionnaire.h"

namespace sportello {
namespace {

using nlohmann::json;

// Button ids are "profile:<question>:<option>" within Telegram's 64 bytes.
constexpr size_t kMaxIdBytes = 24;
// A WhatsApp list has 10 rows; a question may add "Salta" or "Fatto".
constexpr size_t kMaxOptions = 9;
constexpr size_t kMaxTitle = 20;

core::Status Bad(const std::string& where, const std::string& what) {
  return core::Status::InvalidArgument("profile.json: " + where + ": " + what);
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes || id[0] == '_') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Keys of `j` outside `allowed` (and "_comment"): typos in the data file.
core::Status OnlyKeys(const json& j,
                      std::initializer_list<std::string_view> allowed,
                      const std::string& where) {
  for (const auto& [key, value] : j.items()) {
    if (key == "_comment") continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Bad(where, "unknown key \"" + key + "\"");
    }
  }
  return core::Status::Ok();
}

core::Result<int> IntField(const json& j, const char* key, int fallback,
                           const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number_integer())
    return Bad(where, std::string(key) + " is not an integer");
  return it->get<int>();
}

core::Result<std::vector<std::string>> StringList(const json& j,
                                                  const std::string& where) {
  if (!j.is_array()) return Bad(where, "is not a list");
  std::vector<std::string> out;
  for (const auto& s : j) {
    if (!s.is_string() || s.get<std::string>().empty())
      return Bad(where, "has a non-text entry");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::optional<AnswerType> ParseType(std::string_view t) {
  if (t == "choice") return AnswerType::kChoice;
  if (t == "multi") return AnswerType::kMulti;
  if (t == "text") return AnswerType::kText;
  if (t == "year") return AnswerType::kYear;
  if (t == "comune") return AnswerType::kComune;
  return std::nullopt;
}

// Parses one condition; `earlier` are the questions before this one.
core::Result<Condition> ParseCondition(const json& j,
                                       const std::vector<Question>& earlier,
                                       const std::string& where) {
  if (!j.is_object()) return Bad(where, "a condition is not an object");
  if (auto s =
          OnlyKeys(j, {"age_min", "age_max", "question", "in", "any"}, where);
      !s.ok())
    return s;
  Condition c;
  if (j.contains("age_min")) {
    auto v = IntField(j, "age_min", 0, where);
    if (!v.ok()) return v.status();
    c.age_min = *v;
  }
  if (j.contains("age_max")) {
    auto v = IntField(j, "age_max", 0, where);
    if (!v.ok()) return v.status();
    c.age_max = *v;
  }
  if (j.contains("question") != j.contains("in"))
    return Bad(where, "question and in go together");
  if (j.contains("question")) {
    if (!j["question"].is_string()) return Bad(where, "question is not text");
    c.question = j["question"].get<std::string>();
    const auto q =
        std::find_if(earlier.begin(), earlier.end(),
                     [&](const Question& e) { return e.id == c.question; });
    if (q == earlier.end())
      return Bad(where, "condition on \"" + c.question +
                            "\", not an earlier question");
    auto in = StringList(j["in"], where + ".in");
    if (!in.ok()) return in.status();
    c.in = *in;
    for (const auto& option : c.in) {
      if (!q->FindOption(option))
        return Bad(where,
                   "\"" + c.question + "\" has no option \"" + option + "\"");
    }
  }
  if (j.contains("any")) {
    if (!j["any"].is_array() || j["any"].empty())
      return Bad(where, "any is not a list of conditions");
    for (size_t i = 0; i < j["any"].size(); ++i) {
      auto sub = ParseCondition(j["any"][i], earlier,
                                where + ".any[" + std::to_string(i) + "]");
      if (!sub.ok()) return sub.status();
      c.any.push_back(std::move(*sub));
    }
  }
  if (!c.age_min && !c.age_max && c.question.empty() && c.any.empty()) {
    return Bad(where, "an empty condition");
  }
  return c;
}

core::Result<Option> ParseOption(const json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "an option is not an object");
  if (auto s = OnlyKeys(j, {"id", "match", "exclusive"}, where); !s.ok())
    return s;
  Option o;
  if (!j.contains("id") || !j["id"].is_string() ||
      !ValidId(j["id"].get<std::string>())) {
    return Bad(where, "id missing or not [a-z0-9_]+ (at most 24)");
  }
  o.id = j["id"].get<std::string>();
  if (j.contains("match")) {
    auto m = StringList(j["match"], where + ".match");
    if (!m.ok()) return m.status();
    o.match = *m;
  }
  if (j.contains("exclusive")) {
    if (!j["exclusive"].is_boolean())
      return Bad(where, "exclusive is not true/false");
    o.exclusive = j["exclusive"].get<bool>();
  }
  return o;
}

core::Result<Question> ParseQuestion(const json& j,
                                     const std::vector<Question>& earlier,
                                     size_t index) {
  std::string where = "questions[" + std::to_string(index) + "]";
  if (!j.is_object()) return Bad(where, "not an object");
  if (!j.contains("id") || !j["id"].is_string() ||
      !ValidId(j["id"].get<std::string>())) {
    return Bad(where, "id missing or not [a-z0-9_]+ (at most 24)");
  }
  Question q;
  q.id = j["id"].get<std::string>();
  where += " (" + q.id + ")";
  for (const auto& e : earlier) {
    if (e.id == q.id) return Bad(where, "duplicate id");
  }
  if (auto s = OnlyKeys(j,
                        {"id", "type", "optional", "options", "when", "format",
                         "max_length", "min_age", "max_age", "entity"},
                        where);
      !s.ok()) {
    return s;
  }
  const auto type = j.contains("type") && j["type"].is_string()
                        ? ParseType(j["type"].get<std::string>())
                        : std::nullopt;
  if (!type)
    return Bad(where, "type must be choice, multi, text, year or comune");
  q.type = *type;
  if (j.contains("optional")) {
    if (!j["optional"].is_boolean())
      return Bad(where, "optional is not true/false");
    q.optional = j["optional"].get<bool>();
  }
  const bool has_options =
      q.type == AnswerType::kChoice || q.type == AnswerType::kMulti;
  if (has_options != j.contains("options")) {
    return Bad(where, has_options ? "options missing"
                                  : "options only go with choice and multi");
  }
  if (has_options) {
    const json& options = j["options"];
    if (!options.is_array() || options.empty())
      return Bad(where, "options is not a list");
    if (options.size() > kMaxOptions - (q.optional ? 1 : 0)) {
      return Bad(
          where,
          "too many options for a phone's list (at most 9 with Salta/Fatto)");
    }
    for (size_t i = 0; i < options.size(); ++i) {
      auto o = ParseOption(options[i],
                           where + ".options[" + std::to_string(i) + "]");
      if (!o.ok()) return o.status();
      if (q.FindOption(o->id))
        return Bad(where, "duplicate option \"" + o->id + "\"");
      if (o->exclusive && q.type != AnswerType::kMulti)
        return Bad(where, "exclusive needs multi");
      q.options.push_back(std::move(*o));
    }
  }
  if (j.contains("format")) {
    if (q.type != AnswerType::kText || !j["format"].is_string() ||
        (j["format"] != "" && j["format"] != "name")) {
      return Bad(where, "format is \"name\" and only for text");
    }
    q.format = j["format"].get<std::string>();
  }
  if (j.contains("entity")) {
    if (q.type != AnswerType::kText || j["entity"] != "role") {
      return Bad(where, "entity is \"role\" and only for text");
    }
    q.entity = "role";
  }
  auto max_length = IntField(j, "max_length", q.max_length, where);
  auto min_age = IntField(j, "min_age", q.min_age, where);
  auto max_age = IntField(j, "max_age", q.max_age, where);
  if (!max_length.ok()) return max_length.status();
  if (!min_age.ok()) return min_age.status();
  if (!max_age.ok()) return max_age.status();
  q.max_length = *max_length;
  q.min_age = *min_age;
  q.max_age = *max_age;
  if (q.max_length < 1 || q.max_length > 500)
    return Bad(where, "max_length outside 1-500");
  if (q.min_age < 0 || q.max_age > 120 || q.min_age >= q.max_age) {
    return Bad(where, "min_age/max_age not an age range");
  }
  if (j.contains("when")) {
    if (!j["when"].is_array())
      return Bad(where, "when is not a list of conditions");
    for (size_t i = 0; i < j["when"].size(); ++i) {
      auto c = ParseCondition(j["when"][i], earlier,
                              where + ".when[" + std::to_string(i) + "]");
      if (!c.ok()) return c.status();
      q.when.push_back(std::move(*c));
    }
  }
  return q;
}

}  // namespace

core::Result<Questionnaire> Questionnaire::Parse(std::string_view json_text) {
  const json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return Bad("root", "not a JSON object");
  if (auto s = OnlyKeys(root, {"questions", "garanzia_giovani"}, "root");
      !s.ok())
    return s;
  if (!root.contains("questions") || !root["questions"].is_array() ||
      root["questions"].empty()) {
    return Bad("root", "questions is not a non-empty list");
  }
  Questionnaire out;
  for (size_t i = 0; i < root["questions"].size(); ++i) {
    auto q = ParseQuestion(root["questions"][i], out.questions_, i);
    if (!q.ok()) return q.status();
    out.questions_.push_back(std::move(*q));
  }
  const json gg = root.value("garanzia_giovani", json());
  if (!gg.is_object()) return Bad("garanzia_giovani", "missing");
  if (auto s = OnlyKeys(gg,
                        {"birth_year", "age_min", "age_max", "status",
                         "not_in_work_or_education"},
                        "garanzia_giovani");
      !s.ok()) {
    return s;
  }
  const auto text_field = [&gg](const char* key) {
    auto it = gg.find(key);
    return it != gg.end() && it->is_string() ? it->get<std::string>()
                                             : std::string();
  };
  const Question* year = out.Find(text_field("birth_year"));
  if (!year || year->type != AnswerType::kYear)
    return Bad("garanzia_giovani", "birth_year is not a year question");
  const Question* status = out.Find(text_field("status"));
  if (!status || status->type != AnswerType::kChoice) {
    return Bad("garanzia_giovani", "status is not a choice question");
  }
  out.gg_birth_year_ = year->id;
  out.gg_status_ = status->id;
  auto age_min = IntField(gg, "age_min", out.gg_age_min_, "garanzia_giovani");
  auto age_max = IntField(gg, "age_max", out.gg_age_max_, "garanzia_giovani");
  if (!age_min.ok()) return age_min.status();
  if (!age_max.ok()) return age_max.status();
  out.gg_age_min_ = *age_min;
  out.gg_age_max_ = *age_max;
  auto eligible = StringList(gg.contains("not_in_work_or_education")
                                 ? gg["not_in_work_or_education"]
                                 : json::array(),
                             "garanzia_giovani.not_in_work_or_education");
  if (!eligible.ok()) return eligible.status();
  for (const auto& option : *eligible) {
    if (!status->FindOption(option))
      return Bad("garanzia_giovani", "status has no option \"" + option + "\"");
  }
  out.gg_eligible_status_ = *eligible;
  return out;
}

core::Result<Questionnaire> Questionnaire::LoadEmbedded() {
  auto file = EmbeddedFile("profile.json");
  if (!file)
    return core::Status::Internal("questionnaire: profile.json not embedded");
  return Parse(*file);
}

core::Status Questionnaire::CheckTexts(const Catalog& catalog) const {
  for (const char* lang : {"it", "en"}) {
    const auto need = [&](const std::string& key, bool title) -> core::Status {
      if (!catalog.Has(lang, key))
        return core::Status::NotFound("questionnaire: " + std::string(lang) +
                                      "." + key + " missing");
      if (title &&
          core::utf8::CodePoints(catalog.Text(lang, key)) > kMaxTitle) {
        return core::Status::InvalidArgument(
            "questionnaire: " + std::string(lang) + "." + key +
            " over 20 characters");
      }
      return core::Status::Ok();
    };
    for (const auto& q : questions_) {
      if (auto s = need(QuestionKey(q.id), false); !s.ok()) return s;
      if (auto s = need(LabelKey(q.id), true); !s.ok()) return s;
      for (const auto& o : q.options) {
        if (auto s = need(OptionKey(q.id, o.id), true); !s.ok()) return s;
      }
    }
  }
  return core::Status::Ok();
}

}  // namespace sportello
