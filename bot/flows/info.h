// Practical information: the centre's address, opening hours and contacts
// (the person's centre, Turn::centre), and a short FAQ on the programmes
// (Garanzia Giovani, traineeships, Erasmus+ and Europe, starting a business,
// courses, over-40s) from bot/flows/data/faq.json, in Italian and English.
//
// "info_programs" with a topic's words ("cos'è garanzia giovani?") answers
// that topic; without them, the topics as buttons. Everything else (the
// menu's "Info e orari", "info_where_when") gets the centre's details. The
// flow waits for no typed answer, so it never holds the conversation: its
// buttons ("info:centre", "info:topics", "info:topic:<id>") reach it by
// their prefix.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "bot/flows/flow.h"

namespace sportello::flows {

struct FaqTopic {
  std::string id;                     // "garanzia_giovani"
  std::vector<std::string> keywords;  // normalised (intents::Normalize)
  std::string title_it, text_it, title_en, text_en;

  const std::string& title(std::string_view lang) const {
    return lang == "en" ? title_en : title_it;
  }
  const std::string& text(std::string_view lang) const {
    return lang == "en" ? text_en : text_it;
  }
};

class Faq {
 public:
  // InvalidArgument naming the topic and field that are wrong: a missing id,
  // title or text in either language, no keywords, a title over 24
  // characters (a WhatsApp list row), or an id used twice.
  static core::Result<Faq> Parse(std::string_view json_text);
  // faq.json as compiled into the binary.
  static core::Result<Faq> LoadEmbedded();

  const std::vector<FaqTopic>& topics() const { return topics_; }
  const FaqTopic* Find(std::string_view id) const;
  // The topic `text` is about: the one whose keywords start the most words
  // of it (longer keywords count more); nullptr when none does.
  const FaqTopic* Match(std::string_view text) const;

 private:
  std::vector<FaqTopic> topics_;
};

inline constexpr std::string_view kInfoTopicPrefix = "info:topic:";
inline constexpr const char* kInfoTopics = "info:topics";
inline constexpr const char* kInfoCentre = "info:centre";

class InfoFlow : public Flow {
 public:
  InfoFlow(FlowDeps deps, Faq faq) : deps_(deps), faq_(std::move(faq)) {}
  std::string_view name() const override;
  std::vector<Reply> Start(Turn& turn) const override;
  std::vector<Reply> Continue(Turn& turn) const override;

 private:
  Reply Centre(const Turn& turn) const;
  Reply Topics(const std::string& lang) const;
  Reply Topic(const std::string& lang, const FaqTopic& topic) const;

  FlowDeps deps_;
  Faq faq_;
};

// The info flow with the embedded FAQ. Throws std::runtime_error when the
// compiled-in faq.json is broken (a broken build: start-up stops).
std::unique_ptr<Flow> MakeInfoFlow(const FlowDeps& deps);

}  // namespace sportello::flows
