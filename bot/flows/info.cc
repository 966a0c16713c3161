#include "bot/flows/info.h"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>

#include "bot/core/embedded_files.h"
#include "bot/core/utf8.h"
#include "bot/flows/router.h"
#include "intents/normalize.h"

namespace sportello::flows {
namespace {

using nlohmann::json;

constexpr size_t kMaxTitleChars = 24;  // a WhatsApp list row

core::Status Bad(const std::string& where, const std::string& what) {
  return core::Status::InvalidArgument("faq.json: " + where + ": " + what);
}

core::Status ReadLanguage(const json& topic, const std::string& where,
                          const char* lang, std::string* title,
                          std::string* text) {
  auto it = topic.find(lang);
  if (it == topic.end() || !it->is_object())
    return Bad(where, std::string("no '") + lang + "'");
  for (auto [key, out] : {std::pair{"title", title}, std::pair{"text", text}}) {
    auto f = it->find(key);
    if (f == it->end() || !f->is_string() || f->get<std::string>().empty()) {
      return Bad(where, std::string(lang) + "." + key + " missing");
    }
    *out = f->get<std::string>();
  }
  if (core::utf8::CodePoints(*title) > kMaxTitleChars) {
    return Bad(where, std::string(lang) + ".title '" + *title +
                          "' is longer than 24 characters");
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<Faq> Faq::Parse(std::string_view json_text) {
  const json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Bad("document", "not a JSON object");
  auto topics = doc.find("topics");
  if (topics == doc.end() || !topics->is_array() || topics->empty()) {
    return Bad("document", "'topics' must be a non-empty array");
  }
  Faq faq;
  std::set<std::string> ids;
  for (size_t i = 0; i < topics->size(); ++i) {
    const json& t = (*topics)[i];
    std::string where = "topic " + std::to_string(i + 1);
    if (!t.is_object() || !t.contains("id") || !t["id"].is_string() ||
        t["id"].get<std::string>().empty()) {
      return Bad(where, "id missing");
    }
    FaqTopic topic;
    topic.id = t["id"].get<std::string>();
    where += " (" + topic.id + ")";
    if (!ids.insert(topic.id).second) return Bad(where, "id used twice");
    if (!t.contains("keywords") || !t["keywords"].is_array())
      return Bad(where, "keywords missing");
    for (const auto& k : t["keywords"]) {
      if (!k.is_string()) return Bad(where, "a keyword is not a string");
      std::string normalised = intents::Normalize(k.get<std::string>());
      if (!normalised.empty()) topic.keywords.push_back(std::move(normalised));
    }
    if (topic.keywords.empty()) return Bad(where, "keywords missing");
    if (auto s = ReadLanguage(t, where, "it", &topic.title_it, &topic.text_it);
        !s.ok())
      return s;
    if (auto s = ReadLanguage(t, where, "en", &topic.title_en, &topic.text_en);
        !s.ok())
      return s;
    faq.topics_.push_back(std::move(topic));
  }
  return faq;
}

core::Result<Faq> Faq::LoadEmbedded() {
  const auto text = EmbeddedFile("faq.json");
  if (!text) return core::Status::NotFound("faq.json is not compiled in");
  return Parse(*text);
}

const FaqTopic* Faq::Find(std::string_view id) const {
  for (const auto& t : topics_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const FaqTopic* Faq::Match(std::string_view text) const {
  const std::string words = " " + intents::Normalize(text) + " ";
  const FaqTopic* best = nullptr;
  size_t best_score = 0;
  for (const auto& t : topics_) {
    size_t score = 0;
    for (const auto& k : t.keywords) {
      if (words.find(" " + k) != std::string::npos) score += k.size();
    }
    if (score > best_score) {
      best = &t;
      best_score = score;
    }
  }
  return best;
}

std::string_view InfoFlow::name() const { return kInfoFlow; }

Reply InfoFlow::Centre(const Turn& turn) const {
  const std::string& lang = turn.lang;
  const auto& centre = turn.centre;
  const Catalog& t = deps_.catalog;
  return {t.Text(lang, "info.text",
                 {{"address", centre.address},
                  {"hours", centre.hours},
                  {"contacts", centre.contacts}}),
          {{kInfoTopics, t.Text(lang, "info.programs")},
           {kMenuBooking, t.Text(lang, "info.book")}}};
}

Reply InfoFlow::Topics(const std::string& lang) const {
  Reply r{deps_.catalog.Text(lang, "info.topics_prompt"), {}};
  for (const auto& topic : faq_.topics()) {
    r.buttons.push_back(
        {std::string(kInfoTopicPrefix) + topic.id, topic.title(lang)});
  }
  r.buttons.push_back({kInfoCentre, deps_.catalog.Text(lang, "info.centre")});
  return r;
}

Reply InfoFlow::Topic(const std::string& lang, const FaqTopic& topic) const {
  const Catalog& t = deps_.catalog;
  return {topic.text(lang),
          {{kMenuBooking, t.Text(lang, "info.book")},
           {kInfoTopics, t.Text(lang, "info.other_topics")}}};
}

std::vector<Reply> InfoFlow::Start(Turn& turn) const {
  EndFlow(
      turn.conversation);  // nothing to wait for: buttons come back by prefix
  if (turn.analysis.intent != "info_programs") return {Centre(turn)};
  if (const FaqTopic* topic = faq_.Match(turn.in.text))
    return {Topic(turn.lang, *topic)};
  return {Topics(turn.lang)};
}

std::vector<Reply> InfoFlow::Continue(Turn& turn) const {
  EndFlow(turn.conversation);
  const std::string_view id = turn.in.button_id;
  if (id == kInfoTopics) return {Topics(turn.lang)};
  if (id.substr(0, kInfoTopicPrefix.size()) == kInfoTopicPrefix) {
    if (const FaqTopic* topic = faq_.Find(id.substr(kInfoTopicPrefix.size()))) {
      return {Topic(turn.lang, *topic)};
    }
    return {Topics(turn.lang)};  // a topic this build no longer has
  }
  if (id == kInfoCentre) return {Centre(turn)};
  return Start(turn);  // typed text: the flow never waits for it, but be kind
}

std::unique_ptr<Flow> MakeInfoFlow(const FlowDeps& deps) {
  auto faq = Faq::LoadEmbedded();
  if (!faq.ok()) throw std::runtime_error(faq.status().ToString());
  return std::make_unique<InfoFlow>(deps, std::move(*faq));
}

}  // namespace sportello::flows
