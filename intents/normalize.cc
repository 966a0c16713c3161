// Normalize(): one pass over Fold()ed text that splits words, expands chat
// shorthand, maps emoji and marks clause boundaries (see normalize.h).
#include "intents/normalize.h"

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/utf8.h"
#include "intents/word_map.h"

namespace sportello::intents {
namespace {

// Chat shorthand, after folding and collapsing repeated letters, as
// "short=expansion" with "_" for a space. The expansions are what rules and
// the model see; the language detector reads the words as written, so "nn"
// still counts as Italian.
constexpr std::string_view kItalianShorthand =
    "x=per nn=non cmq=comunque cmnq=comunque xke=perche xk=perche xche=perche "
    "pke=perche pk=perche xo=pero qlc=qualche qlcs=qualcosa qcs=qualcosa "
    "qlcn=qualcuno qcn=qualcuno grz=grazie graz=grazie grazi=grazie "
    "pfv=per_favore xfv=per_favore xfavore=per_favore perfavore=per_favore "
    "sn=sono ke=che ki=chi cm=come cn=con dv=dove qnd=quando qndo=quando "
    "qdo=quando qnt=quanto qnto=quanto tt=tutto nnt=niente bn=bene dmn=domani "
    "sett=settimana prox=prossima mex=messaggio msg=messaggio msgs=messaggi "
    "tel=telefono cell=cellulare num=numero nr=numero raga=ragazzi "
    "ragaz=ragazzi bho=boh vabbe=va_bene vabe=va_bene vabbene=va_bene "
    "vabene=va_bene daccordo=d_accordo okay=ok okey=ok oki=ok okk=ok okei=ok "
    "oke=ok appt=appointment apt=appointment tnx=thanks thx=thanks tks=thanks "
    "thks=thanks thanx=thanks thnx=thanks ty=thank_you pls=please plz=please "
    "plis=please pliz=please";
constexpr std::string_view kEnglishShorthand =
    "u=you ur=your r=are im=i_am ive=i_have dont=do_not doesnt=does_not "
    "didnt=did_not cant=can_not cannot=can_not wont=will_not isnt=is_not "
    "arent=are_not wanna=want_to gonna=going_to gotta=got_to lemme=let_me "
    "gimme=give_me tmrw=tomorrow tmr=tomorrow 2moro=tomorrow "
    "idk=i_do_not_know coz=because cuz=because bc=because pic=picture";

// The tables above, parsed once; the expansions live in storage_.
class Shorthand {
 public:
  static const Shorthand& Get() {
    static const Shorthand kInstance;
    return kInstance;
  }
  const std::string_view* Find(std::string_view w) const {
    return map_.Find(w);
  }

 private:
  Shorthand() : map_(Entries()) {}
  std::vector<std::pair<std::string_view, std::string_view>> Entries() {
    std::vector<std::pair<std::string_view, std::string_view>> entries;
    for (const std::string_view table :
         {kItalianShorthand, kEnglishShorthand}) {
      size_t start = 0;
      while (start < table.size()) {
        size_t end = table.find(' ', start);
        if (end == std::string_view::npos) end = table.size();
        const std::string_view item = table.substr(start, end - start);
        const size_t eq = item.find('=');
        std::string expansion(item.substr(eq + 1));
        std::replace(expansion.begin(), expansion.end(), '_', ' ');
        storage_.push_back(std::move(expansion));
        entries.emplace_back(item.substr(0, eq), std::string_view());
        start = end + 1;
      }
    }
    // storage_ is complete: now its strings no longer move.
    for (size_t i = 0; i < entries.size(); ++i) entries[i].second = storage_[i];
    return entries;
  }
  std::deque<std::string> storage_;
  WordMap<std::string_view> map_;
};

// Words that open a new clause: negation does not reach past them.
bool IsClauseConjunction(std::string_view w) {
  return w == "ma" || w == "pero" || w == "but" || w == "invece" ||
         w == "tuttavia" || w == "however";
}

// What an emoji says, where it says something; "" otherwise.
std::string_view EmojiMeaning(char32_t cp) {
  switch (cp) {
    case 0x1F44D:
    case 0x2705:
    case 0x2714:
    case 0x2611:
      return "si";
    case 0x1F44C:
    case 0x1F197:
      return "ok";
    case 0x1F44E:
    case 0x274C:
    case 0x2716:
    case 0x1F6AB:
    case 0x274E:
      return "no";
    case 0x26D4:
    case 0x1F6D1:
      return "stop";
    case 0x1F44B:
    case 0x1F64B:
      return "ciao";
    case 0x1F64F:
    case 0x2764:
    case 0x1F499:
    case 0x1F49A:
    case 0x1F49B:
    case 0x1F49C:
    case 0x1F9E1:
    case 0x1F5A4:
    case 0x1F90D:
    case 0x1F495:
    case 0x1F496:
    case 0x1F970:
    case 0x1F60D:
    case 0x1F917:
      return "grazie";
    case 0x1F198:
      return "aiuto";
    case 0x1F4BC:
      return "lavoro";
    case 0x1F515:
      return "stop notifiche";
    case 0x1F514:
      return "notifiche";
    case 0x1F4DE:
    case 0x260E:
      return "telefono";
    case 0x1F4E7:
    case 0x2709:
      return "mail";
    case 0x1F4CD:
      return "dove";
    default:
      return "";
  }
}

// Emoji and symbols that end a clause like "?" or "!" do.
bool IsClauseMark(char32_t cp) {
  return cp == 0x2753 || cp == 0x2754 || cp == 0x2757 || cp == 0x2755 ||
         cp == 0x203C || cp == 0x2049 || cp == 0xBF || cp == 0xA1;
}

// Letters of scripts other than Latin-ASCII (after Fold) count as word
// characters; emoji, symbols and punctuation do not.
bool IsWordCodePoint(char32_t cp) {
  return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
         (cp >= 0x370 && cp <= 0x1FFF) || (cp >= 0x3040 && cp <= 0x9FFF) ||
         (cp >= 0xAC00 && cp <= 0xD7AF);
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAsciiLetter(char c) { return c >= 'a' && c <= 'z'; }

// "ciaooo" -> "ciao", "okkkk" -> "ok", "siii" -> "si", "ciaoo" -> "ciao".
// Runs of three or more letters never occur in Italian or English words;
// a doubled final a/i/u/o hardly does ("zoo", "too" excepted).
void CollapseRepeats(std::string* w) {
  size_t out = 0;
  const size_t n = w->size();
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && (*w)[j] == (*w)[i]) ++j;
    const size_t run = j - i;
    const bool letter = IsAsciiLetter((*w)[i]);
    const size_t keep = letter && run >= 3 ? 1 : run;
    for (size_t k = 0; k < keep; ++k) (*w)[out++] = (*w)[i];
    i = j;
  }
  w->resize(out);
  if (out >= 3) {
    const char last = (*w)[out - 1];
    if (last == (*w)[out - 2] &&
        (last == 'a' || last == 'i' || last == 'u' || last == 'o') &&
        *w != "zoo" && *w != "too" && *w != "woo" && *w != "boo") {
      w->pop_back();
    }
  }
}

class Builder {
 public:
  // Appends the words of `words` (one or more, space-separated).
  void Emit(std::string_view words) {
    size_t start = 0;
    while (start < words.size()) {
      size_t end = words.find(' ', start);
      if (end == std::string_view::npos) end = words.size();
      if (end > start) EmitOne(words.substr(start, end - start));
      start = end + 1;
    }
  }
  void BreakClause() { clause_pending_ = true; }

  // A word as written (folded): collapse, expand, emit.
  void EmitRaw(std::string* word) {
    if (word->empty()) return;
    CollapseRepeats(word);
    const std::string_view* expansion = Shorthand::Get().Find(*word);
    if (expansion == nullptr) {
      EmitOne(*word);
    } else {
      Emit(*expansion);
    }
    word->clear();
  }

  void Reserve(size_t bytes) {
    out_.text.reserve(bytes + 16);
    const size_t words = bytes / 2 + 4;
    out_.word_begin.reserve(words);
    out_.word_end.reserve(words);
    out_.clause_start.reserve(words);
  }
  NormalizedText Take() { return std::move(out_); }

 private:
  void EmitOne(std::string_view w) {
    if (IsClauseConjunction(w)) clause_pending_ = true;
    if (!out_.text.empty()) out_.text.push_back(' ');
    out_.word_begin.push_back(static_cast<uint32_t>(out_.text.size()));
    out_.text.append(w);
    out_.word_end.push_back(static_cast<uint32_t>(out_.text.size()));
    out_.clause_start.push_back(clause_pending_ || out_.clause_start.empty());
    clause_pending_ = false;
  }

  NormalizedText out_;
  bool clause_pending_ = true;
};

// English contractions after an apostrophe: "don't" -> "do not", "I'm" ->
// "i am". Returns false when `suffix` is not one (Italian elision: "l'estate").
bool EmitContraction(std::string* word, std::string_view suffix, Builder* b) {
  std::string_view expansion;
  if (suffix == "t" && word->size() >= 2 && word->back() == 'n') {
    word->pop_back();  // "don" -> "do", "can" -> "ca"
    if (*word == "ca") *word = "can";
    if (*word == "wo") *word = "will";
    if (*word == "ai") *word = "is";
    expansion = "not";
  } else if (suffix == "m") {
    expansion = "am";
  } else if (suffix == "re") {
    expansion = "are";
  } else if (suffix == "ll") {
    expansion = "will";
  } else if (suffix == "ve") {
    expansion = "have";
  } else if (suffix == "d") {
    expansion = "would";
  } else if (suffix == "s") {
    expansion = *word == "let" ? "us" : "is";
  } else {
    return false;
  }
  b->EmitRaw(word);
  b->Emit(expansion);
  return true;
}

}  // namespace

NormalizedText NormalizeDetailed(std::string_view text) {
  std::string folded = Fold(text);
  const std::string_view f = folded;
  Builder b;
  b.Reserve(f.size());
  std::string word;
  size_t i = 0;
  while (i < f.size()) {
    const char c = f[i];
    if (IsAsciiAlnum(c)) {
      word.push_back(c);
      ++i;
      continue;
    }
    if (c == '\'' || c == '`') {
      ++i;
      if (!word.empty() && i < f.size() && IsAsciiLetter(f[i])) {
        size_t j = i;
        while (j < f.size() && IsAsciiLetter(f[j])) ++j;
        const bool at_word_end = j == f.size() || !IsAsciiAlnum(f[j]);
        if (at_word_end && EmitContraction(&word, f.substr(i, j - i), &b)) {
          i = j;
          continue;
        }
      }
      b.EmitRaw(&word);  // elision ("l'estate") or an accent typed as "perche'"
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      b.EmitRaw(&word);
      switch (c) {
        case ',':
        case ';':
        case '.':
        case '!':
        case '?':
        case ':':
        case '\n':
        case '\r':
        case '(':
        case ')':
          b.BreakClause();
          break;
        case '+': {  // "nn mi mandate + niente": a lone "+" reads "piu"
          const bool alone_before = i == 0 || f[i - 1] == ' ';
          const bool alone_after = i + 1 == f.size() || f[i + 1] == ' ';
          if (alone_before && alone_after) b.Emit("piu");
          break;
        }
        default:
          break;
      }
      ++i;
      continue;
    }
    const size_t start = i;
    const char32_t cp = core::utf8::Decode(f, &i);
    if (IsWordCodePoint(cp)) {
      word.append(f.substr(start, i - start));
      continue;
    }
    b.EmitRaw(&word);
    if (IsClauseMark(cp)) {
      b.BreakClause();
    } else if (const std::string_view meaning = EmojiMeaning(cp);
               !meaning.empty()) {
      b.Emit(meaning);
    }
  }
  b.EmitRaw(&word);
  NormalizedText out = b.Take();
  out.folded = std::move(folded);
  return out;
}

std::string Normalize(std::string_view text) {
  return NormalizeDetailed(text).text;
}

}  // namespace sportello::intents
