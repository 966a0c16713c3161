#include "intents/entities/gazetteer.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "bot/core/numbers.h"
#include "intents/entities/data_file.h"

namespace sportello::intents::entities {
namespace {

// A common-word name after a cue counts in lower case too from this size
// ("lavoro a prato").
constexpr uint32_t kBigCity = 40'000;
// Names of kShortName letters or fewer are ambiguous below this size.
constexpr uint32_t kShortNameCity = 25'000;
constexpr size_t kShortName = 4;
constexpr size_t kMinTypoWord = 5;          // letters of a name, for one edit
constexpr size_t kMinTypoQuery = 6;         // letters of a lower-case word
constexpr size_t kMinCapitalTypoQuery = 5;  // letters of a capitalised word
// A word one typo from a name is read as that name only for the bigger towns:
// one in thirty Italian words is a typo away from some comune. Capitalised
// words this long may name smaller ones.
constexpr uint32_t kMinTypoCity = 20'000;
constexpr size_t kMinCapitalTypoWordAnyCity = 8;
// The value of an alias of "-": "Salento" is a region, not the comune.
constexpr uint32_t kNotAPlace = UINT32_MAX;
constexpr size_t kMaxTypoSpan = 3;  // words of a misspelt name

// Words that announce a place: "a Bari", "in provincia di Lecce", "zona
// Modugno", "near Milan", "su Bari" (southern chat).
const WordSet& PlaceCues() {
  static const WordSet kCues = {
      "a",         "ad",       "in",     "di",     "da",     "dal",
      "dalla",     "nel",      "su",     "vicino", "presso", "zona",
      "provincia", "prov",     "comune", "citta",  "verso",  "tra",
      "fra",       "dintorni", "near",   "at",     "to",     "from",
      "around",    "nearby",   "all",    "nell",   "dall"};
  return kCues;
}

bool IsPlaceCue(const Token& w) {
  if (w.lexicon != kAnyEntity) return (w.lexicon & kPlaceCue) != 0;
  return PlaceCues().contains(KeyOf(w));
}

// "a parlare", "a cancellarmi", "di venire": a verb, not a misspelt city.
bool LooksLikeInfinitive(std::string_view w) {
  static constexpr std::array<std::string_view, 11> kClitics = {
      "", "mi", "ti", "si", "ci", "vi", "lo", "la", "li", "le", "ne"};
  for (const std::string_view clitic : kClitics) {
    if (!w.ends_with(clitic)) continue;
    const std::string_view stem = w.substr(0, w.size() - clitic.size());
    if (clitic.empty()) {
      if (stem.ends_with("are") || stem.ends_with("ere") ||
          stem.ends_with("ire")) {
        return true;
      }
    } else if (stem.ends_with("ar") || stem.ends_with("er") ||
               stem.ends_with("ir")) {
      return true;
    }
  }
  return false;
}

bool IsAlphabetic(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80;
  });
}

// "Reggio nell'Emilia" -> "reggio nell emilia": the words a message would show.
std::string NameKey(std::string_view name) {
  thread_local std::vector<Token> words;  // reused over thousands of names
  TokenizeInto(name, &words);
  std::string key;
  for (const Token& token : words) {
    if (!key.empty()) key.push_back(' ');
    key.append(token.text);
  }
  return key;
}

std::string JoinWords(const std::vector<Token>& tokens, size_t begin,
                      size_t end) {
  std::string key;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) key.push_back(' ');
    key.append(tokens[i].text);
  }
  return key;
}

size_t LetterCount(std::string_view key) {
  return static_cast<size_t>(
      std::count_if(key.begin(), key.end(), [](char c) { return c != ' '; }));
}

bool HasCue(const std::vector<Token>& tokens, size_t begin) {
  return begin > 0 && !tokens[begin].sentence_start &&
         IsPlaceCue(tokens[begin - 1]);
}

bool HasInformativeCapital(const Token& token) {
  return token.capitalised && !token.sentence_start;
}

}  // namespace

void Gazetteer::ForEachPlaceCue(
    const std::function<void(const std::string&)>& fn) {
  for (const std::string& cue : PlaceCues()) fn(cue);
}

core::Result<Gazetteer> Gazetteer::Load(
    const std::string& data_dir,
    const std::vector<std::string>& protected_words) {
  Gazetteer g;
  if (auto s = g.ReadComuni(data_dir + "/comuni.tsv"); !s.ok()) return s;
  if (auto s = g.ReadCommonWords(data_dir + "/city_common_words.txt");
      !s.ok()) {
    return s;
  }
  if (auto s = g.ReadAliases(data_dir + "/city_aliases.tsv"); !s.ok()) return s;
  for (const std::string& word : protected_words) g.protected_.insert(word);
  g.common_place_.reserve(g.places_.size());
  for (uint32_t i = 0; i < g.places_.size(); ++i) {
    g.common_place_.push_back(g.IsCommon(g.place_keys_[i], i));
  }
  g.place_keys_ = {};  // only needed while loading
  return g;
}

core::Status Gazetteer::ReadComuni(const std::string& path) {
  core::Status read = ForEachDataLine(
      path,
      [&](int line,
          const std::vector<std::string_view>& fields) -> core::Status {
        if (fields.size() < 6) {
          return core::Status::InvalidArgument(
              Where(path, line) + "expected 6 tab-separated fields");
        }
        if (fields[0] == "name") return core::Status::Ok();  // the header
        const std::string_view digits = fields[5];
        const auto population =
            core::ParseInt(digits, 0, std::numeric_limits<uint32_t>::max());
        if (!population) {
          return core::Status::InvalidArgument(Where(path, line) +
                                               "bad population '" +
                                               std::string(digits) + "'");
        }
        places_.push_back(
            {std::string(fields[0]), static_cast<uint32_t>(*population)});
        return core::Status::Ok();
      });
  if (!read.ok()) return read;
  if (places_.empty()) {
    return core::Status::InvalidArgument(path + ": no municipalities");
  }
  // Most populous first: a name shared by two comuni, and ties between typo
  // corrections, go to the bigger one.
  std::stable_sort(places_.begin(), places_.end(),
                   [](const Place& a, const Place& b) {
                     return a.population > b.population;
                   });
  place_keys_.reserve(places_.size());
  for (uint32_t i = 0; i < places_.size(); ++i) {
    place_keys_.push_back(NameKey(places_[i].name));
    names_.Add(place_keys_[i], i);
  }
  return core::Status::Ok();
}

core::Status Gazetteer::ReadAliases(const std::string& path) {
  return ForEachDataLine(
      path,
      [&](int line,
          const std::vector<std::string_view>& fields) -> core::Status {
        if (fields.size() != 2) {
          return core::Status::InvalidArgument(
              Where(path, line) + "expected alias<TAB>official name");
        }
        const std::string key = NameKey(fields[0]);
        if (fields[1] == "-") {
          names_.Add(
              key, kNotAPlace,
              /*typo_target=*/false);  // a no-op if a comune has the name
          not_places_.insert(key);
          return core::Status::Ok();
        }
        const auto place = names_.Find(NameKey(fields[1]));
        if (!place || *place == kNotAPlace ||
            places_[*place].name != fields[1]) {
          return core::Status::InvalidArgument(Where(path, line) +
                                               "no municipality named '" +
                                               std::string(fields[1]) + "'");
        }
        // A one-word alias is no typo target: many are words or names one
        // letter from another ("vernice" is not Venice, "Giuliano" not
        // Giugliano).
        names_.Add(key, *place,
                   /*typo_target=*/key.find(' ') != std::string::npos &&
                       !common_.contains(key));
        return core::Status::Ok();
      });
}

core::Status Gazetteer::ReadCommonWords(const std::string& path) {
  return ForEachDataLine(
      path, [&](int, const std::vector<std::string_view>& fields) {
        for (const std::string_view field : fields) {
          if (std::string key = NameKey(field); !key.empty()) {
            common_.insert(std::move(key));
          }
        }
        return core::Status::Ok();
      });
}

bool Gazetteer::IsCommon(std::string_view key, uint32_t place) const {
  if (common_.find(key) != common_.end()) return true;
  return LetterCount(key) <= kShortName &&
         places_[place].population < kShortNameCity;
}

int Gazetteer::ScoreExact(const std::vector<Token>& tokens,
                          const PhraseMatch& match) const {
  if (match.value == kNotAPlace) return 0;
  const std::string key = JoinWords(tokens, match.begin, match.end);
  if (not_places_.contains(key)) return 0;
  const bool cue = HasCue(tokens, match.begin);
  const bool capital = HasInformativeCapital(tokens[match.begin]);
  if (IsCommon(key, match.value)) {
    const bool big = places_[match.value].population >= kBigCity;
    if (!cue || !(capital || big)) return 0;
  }
  return 4 + (cue ? 2 : 0) + (capital ? 1 : 0);
}

std::pair<std::optional<PhraseMatch>, int> Gazetteer::BestTypo(
    const std::vector<Token>& tokens, size_t begin) const {
  const Token& first = tokens[begin];
  // Only after a place cue: a capitalised word alone is as likely a first
  // name one letter from a comune ("sono Andrea" is not Andria).
  if (!IsAlphabetic(first.text) || !HasCue(tokens, begin)) {
    return {std::nullopt, 0};
  }
  const bool capital = HasInformativeCapital(first);
  // One missing, extra or swapped letter past the first two ("molfeta",
  // "modungo"): a changed letter mostly makes another word or name ("dorato"
  // is not Corato, "Monica" not Modica), and so do two edits ("ventimila" is
  // not Ventimiglia).
  TypoLimits limits;
  limits.min_length = kMinTypoWord;
  limits.substitutions = false;
  // A real word is not a misspelt city, nor is a name already rejected.
  const std::string& w = first.text;
  const WordKey key = KeyOf(first);
  const bool may_be_typo =
      w.size() >= (capital ? kMinCapitalTypoQuery : kMinTypoQuery) &&
      !common_.contains(key) && !protected_.contains(key) &&
      !names_.Contains(first) && !IsPlaceCue(first) &&
      (capital || !LooksLikeInfinitive(w));
  const bool starts_name = first.lexicon == kAnyEntity
                               ? names_.StartsPhrase(first)
                               : (first.lexicon & kStartsCity) != 0;
  std::optional<PhraseMatch> best;
  for (size_t words = 1;
       words <= kMaxTypoSpan && begin + words <= tokens.size(); ++words) {
    if (!IsAlphabetic(tokens[begin + words - 1].text)) break;
    // "castellamare", "san sevro": the typo is in this word or a later one
    // of a name that starts with it.
    if (words == 1 && !may_be_typo) continue;
    if (words > 1 && !may_be_typo && !starts_name) break;
    for (const PhraseMatch& m : names_.Near(tokens, begin, words, limits)) {
      if (m.value == kNotAPlace || common_place_[m.value]) continue;
      if (places_[m.value].population < kMinTypoCity &&
          !(capital && first.text.size() >= kMinCapitalTypoWordAnyCity)) {
        continue;
      }
      const bool better =
          !best || m.distance < best->distance ||
          (m.distance == best->distance && m.value < best->value);
      if (better) best = m;
    }
  }
  if (!best) return {std::nullopt, 0};
  return {best, 1};
}

std::optional<std::string> Gazetteer::FindCity(
    const std::vector<Token>& tokens) const {
  std::optional<PhraseMatch> best;
  int best_score = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if ((tokens[i].lexicon & kStartsCity) == 0) continue;
    const auto match = names_.LongestAt(tokens, i);
    if (!match) continue;
    const int score = ScoreExact(tokens, *match);
    if (score > best_score) best = match, best_score = score;
    if (score > 0 || match->value == kNotAPlace) i = match->end - 1;
  }
  if (!best) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const auto [match, score] = BestTypo(tokens, i);
      if (score > best_score) best = match, best_score = score;
    }
  }
  if (!best) return std::nullopt;
  return places_[best->value].name;
}

}  // namespace sportello::intents::entities
