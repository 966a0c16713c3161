// The language a conversation is answered in, "it" or "en". People here
// mostly write Italian, and an odd message ("...", quotes, an emoji,
// "okay", "thx", "help") says nothing about the language they read: once a
// conversation has a language, it changes only on clear evidence, at least
// two words that belong to the other language in a message that reads as
// that language as a whole.
#pragma once

#include <string>
#include <string_view>

#include "intents/engine.h"

namespace sportello {

// `current`: the person's language so far ("" before their first message);
// `analysis`: the message's (empty for buttons, media and empty text);
// `client_hint`: the language their app reports ("en-US"), used only when
// nothing else says which.
std::string ReplyLanguage(std::string_view current, std::string_view text,
                          const intents::Analysis& analysis,
                          std::string_view client_hint);

// Words of `text` that belong to `lang` ("it" or "en"), not merely shared.
int WordsOf(std::string_view lang, std::string_view text);

}  // namespace sportello
