// Reply language of a message: "it" or "en". Users are mostly Italian, so a
// message is English only when English words outweigh Italian ones; loanwords
// used in Italian chat ("job", "workshop", "ok", "stop") count for neither.
#pragma once

#include <string_view>

namespace sportello::intents {

std::string_view DetectLanguage(std::string_view text);

// The same for text that is already Fold()ed (NormalizedText::folded).
std::string_view DetectLanguageOfFolded(std::string_view folded);

}  // namespace sportello::intents
