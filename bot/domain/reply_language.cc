#include "bot/domain/reply_language.h"

#include "bot/domain/catalog.h"
#include "intents/language.h"
#include "intents/normalize.h"

namespace sportello {
namespace {

// Whether one folded word belongs to `lang`. The detector weighs each cue
// word the same, and a word it does not know counts for neither: a word is
// English when it alone reads as English, Italian when it outweighs an
// English cue beside it.
bool Belongs(std::string_view lang, std::string_view word) {
  if (lang == "en") return intents::DetectLanguage(word) == "en";
  return intents::DetectLanguage(std::string(word) + " hi") == "it";
}

}  // namespace

int WordsOf(std::string_view lang, std::string_view text) {
  const std::string folded = intents::Fold(text);
  int n = 0;
  size_t i = 0;
  while (i < folded.size()) {
    while (i < folded.size() && !(folded[i] >= 'a' && folded[i] <= 'z')) ++i;
    const size_t start = i;
    while (i < folded.size() && folded[i] >= 'a' && folded[i] <= 'z') ++i;
    if (i > start &&
        Belongs(lang, std::string_view(folded).substr(start, i - start)))
      ++n;
  }
  return n;
}

std::string ReplyLanguage(std::string_view current, std::string_view text,
                          const intents::Analysis& analysis,
                          std::string_view client_hint) {
  const std::string& said = analysis.lang;
  if (current.empty()) {
    // First words: what they wrote, when it was understood; else their app.
    if (!said.empty() && !analysis.intent.empty() && analysis.confidence >= 0.5)
      return said;
    return SupportedLanguage(client_hint);
  }
  if (said.empty() || said == current) return std::string(current);
  constexpr int kClearEvidence = 2;
  return WordsOf(said, text) >= kClearEvidence ? said : std::string(current);
}

}  // namespace sportello
