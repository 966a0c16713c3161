#include "intents/language.h"

#include <string>
#include <utility>
#include <vector>

#include "intents/normalize.h"
#include "intents/word_map.h"

namespace sportello::intents {
namespace {

// Function words and frequent verbs of each language, plus its chat
// shorthand, as written (folded, not expanded). Loanwords and words both
// languages use ("stop", "open", "a") count for neither.
constexpr std::string_view kItalianCues =
    "il lo la gli le un una uno di da del della dei delle dello al alla allo "
    "ai agli alle nel nella nei sul sulla sui per con che chi cosa come dove "
    "quando quanto quanti quale quali perche non si sono sei siete ho hai ha "
    "abbiamo avete hanno c e l d un voglio vorrei cerco posso puoi potete puo "
    "mi ti ci vi ne mio mia miei mie tuo tua questo questa quello anche "
    "ancora piu gia ciao buongiorno buonasera buonanotte salve grazie prego "
    "bene va fare lavoro offerte appuntamento prenotare sapere ora oggi "
    "domani dopodomani settimana prossima prossimo lunedi martedi mercoledi "
    "giovedi venerdi sabato domenica aiuto nn cmq xke xk x ke raga grz tnx "
    "qlc xo sn tt dati fate fammi dimmi sto sta tutto tutti niente nulla "
    "certo esatto arrivederci presto iscrivermi notifiche messaggi orari "
    "aperti corsi tirocinio eventi sede persona operatore voi noi io tu lui "
    "lei o ed ma pero se sulle dal dalla tra fra su a";
constexpr std::string_view kEnglishCues =
    "the an you your my me is are am was be do does did don doesn can could "
    "would should will what where when how who why which want need to for of "
    "and with please thanks thank thx hi hello yes yeah yep nope not any "
    "about have has this that there it on off at from by get like looking "
    "jobs work bye goodbye see later sure now tell talk speak real someone "
    "somebody human people turn subscribe unsubscribe keep posted book "
    "booking cancel reschedule move meeting appointment appointments next "
    "coming up join sign delete erase forget send download personal "
    "information offers opening hours located reach internship internships "
    "training courses course young workers weather joke morning evening "
    "afternoon night good great okay alright fine much lot very help anything "
    "something waiter english speakers fair events workshops week month today "
    "tomorrow monday tuesday wednesday thursday friday saturday sunday i im "
    "we they our us if or but just some here still again apply find looking "
    "search vacancies open notifications messages stop schedule counsellor "
    "counselor advisor agent operator person address phone program programs "
    "programme startup business courses free more alerts anymore hey u ur pls "
    "plz wanna gonna ty";
constexpr std::string_view kNeutral = "stop open person pls a e o";

// Positive: Italian; negative: English.
std::vector<std::pair<std::string_view, float>> CueTable() {
  std::vector<std::pair<std::string_view, float>> cues;
  const auto add = [&](std::string_view list, float value) {
    size_t start = 0;
    while (start < list.size()) {
      size_t end = list.find(' ', start);
      if (end == std::string_view::npos) end = list.size();
      cues.emplace_back(list.substr(start, end - start), value);
      start = end + 1;
    }
  };
  add(kItalianCues, 1.0f);
  add(kEnglishCues, -1.0f);
  add(kNeutral, 0.0f);  // later entries win in a WordMap
  return cues;
}

// CueTable() in a WordMap: built once from the readable table above.
class Cues {
 public:
  static const Cues& Get() {
    static const Cues kInstance;
    return kInstance;
  }
  float Of(std::string_view w) const {
    const float* v = map_.Find(w);
    return v ? *v : 0.0f;
  }

 private:
  Cues() : map_(CueTable()) {}
  WordMap<float> map_;
};

// Three equal letters in a row: no Italian or English word has them.
bool HasStretchedLetters(std::string_view w) {
  for (size_t i = 2; i < w.size(); ++i) {
    if (w[i] == w[i - 1] && w[i] == w[i - 2]) return true;
  }
  return false;
}

}  // namespace

std::string_view DetectLanguage(std::string_view text) {
  return DetectLanguageOfFolded(Fold(text));
}

std::string_view DetectLanguageOfFolded(std::string_view folded) {
  const Cues& cues = Cues::Get();
  float score = 0;
  size_t i = 0;
  while (i < folded.size()) {
    while (i < folded.size() && !(folded[i] >= 'a' && folded[i] <= 'z')) ++i;
    const size_t start = i;
    while (i < folded.size() && folded[i] >= 'a' && folded[i] <= 'z') ++i;
    if (i == start) break;
    std::string_view word = folded.substr(start, i - start);
    std::string collapsed;
    if (HasStretchedLetters(word)) {  // "heyyy" -> "hey", as Normalize() does
      for (size_t j = 0; j < word.size();) {
        size_t k = j;
        while (k < word.size() && word[k] == word[j]) ++k;
        collapsed.append(k - j >= 3 ? 1 : k - j, word[j]);
        j = k;
      }
      word = collapsed;
    }
    score += cues.Of(word);
  }
  return score < 0 ? "en" : "it";
}

}  // namespace sportello::intents
