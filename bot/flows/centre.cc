#include "bot/flows/centre.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/core/utf8.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "bot/flows/consent.h"
#include "bot/flows/router.h"
#include "storage/centres.h"
#include "storage/conversations.h"

namespace sportello::flows {
namespace {

using nlohmann::json;
using Kind = CentreRequest::Kind;

// The region's default centre: where people from comuni no centre serves go.
constexpr int64_t kDefaultCentre = storage::kFirstCentre;
// Centres offered as buttons: a WhatsApp list has ten rows, one is the way
// out. Beyond that, the person types their comune.
constexpr size_t kMaxCentreButtons = 9;
// Words of a place tried as a comune's name ("San Ferdinando di Puglia").
constexpr size_t kMaxNameWords = 6;
// Fewer for a name with a slip, which a longer run reaches more by chance.
constexpr size_t kMaxSlipWords = 4;
// A centre named by part of its name ("al centro di Porta Futuro") needs
// this many letters.
constexpr size_t kShortestCentreName = 4;
// What is said back of a place not found, in characters.
constexpr size_t kEchoed = 40;

constexpr const char* kPlacedSlot = "_centre";
constexpr const char* kAskedSlot = "_centre_asked";

struct Cue {
  std::string_view words;  // folded, between spaces
  Kind kind;
};

// Asking for a centre by place: the words that say so. "nel centro di Bari"
// is the town centre, never a job centre.
constexpr Cue kCues[] = {
    {" centro per l'impiego di ", Kind::kWantsCentre},
    {" centro per l'impiego a ", Kind::kWantsCentre},
    {" centro impiego di ", Kind::kWantsCentre},
    {" al centro di ", Kind::kWantsCentre},
    {" il centro di ", Kind::kWantsCentre},
    {" del centro di ", Kind::kWantsCentre},
    {" cpi di ", Kind::kWantsCentre},
    {" sportello di ", Kind::kWantsCentre},
    {" centre in ", Kind::kWantsCentre},
    {" center in ", Kind::kWantsCentre},
    {" sono di ", Kind::kLivesIn},
    {" abito a ", Kind::kLivesIn},
    {" abito ad ", Kind::kLivesIn},
    {" abito in ", Kind::kLivesIn},
    {" vivo a ", Kind::kLivesIn},
    {" vivo ad ", Kind::kLivesIn},
    {" vivo in ", Kind::kLivesIn},
    {" risiedo a ", Kind::kLivesIn},
    {" risiedo ad ", Kind::kLivesIn},
    {" risiedo in ", Kind::kLivesIn},
    {" residente a ", Kind::kLivesIn},
    {" residente ad ", Kind::kLivesIn},
    {" residente in ", Kind::kLivesIn},
    {" vengo da ", Kind::kLivesIn},
    {" i live in ", Kind::kLivesIn},
    {" i'm from ", Kind::kLivesIn},
    {" im from ", Kind::kLivesIn},
    {" i am from ", Kind::kLivesIn},
    {" i come from ", Kind::kLivesIn},
};

constexpr std::string_view kChangeCues[] = {
    " cambia centro",     " cambiare centro",    " cambio centro",
    " cambia il centro",  " cambiare il centro", " altro centro",
    " change centre",     " change center",      " change the centre",
    " change the center", " another centre",     " another center",
};

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::string FirstWords(const std::vector<std::string>& words, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? " " : "") + words[i];
  return out;
}

bool IsPlaced(const storage::Conversation& c) {
  if (c.centre_id != kDefaultCentre) return true;
  const json slots = Slots(c);
  const auto it = slots.find(kPlacedSlot);
  return it != slots.end() && it->is_number_integer() &&
         it->get<int64_t>() == c.centre_id;
}

core::Result<bool> SeveralCentres(storage::Database& db) {
  auto n = storage::CountEnabledCentres(db);
  if (!n.ok()) return n.status();
  return *n > 1;
}

// Puts the conversation in `centre_id`; the rest of the turn speaks for it.
core::Status MoveTo(const FlowDeps& deps, Turn& turn, int64_t centre_id) {
  auto& c = turn.conversation;
  if (c.centre_id != centre_id) {
    auto told = CentreAsTold(turn.db, centre_id, deps.centre);
    if (!told.ok()) return told.status();
    if (auto s =
            storage::PlaceConversation(turn.db, c.id, centre_id, turn.now_ms);
        !s.ok())
      return s;
    c.centre_id = centre_id;
    turn.centre = std::move(*told);
  }
  json slots = Slots(c);
  slots[kPlacedSlot] = centre_id;
  SaveSlots(c, slots);
  return core::Status::Ok();
}

// Where someone living in one of `comuni` (one name) goes: the centre
// serving the first that has one, else the default centre.
struct Destination {
  int64_t centre = kDefaultCentre;
  std::string unserved;  // the comune's name when no centre serves it
};
core::Result<Destination> DestinationFor(
    storage::Database& db, const std::vector<const Comuni::Comune*>& comuni) {
  for (const auto* comune : comuni) {
    auto centre = storage::CentreForComune(db, comune->istat);
    if (!centre.ok()) return centre.status();
    if (centre->has_value()) return Destination{**centre, ""};
  }
  return Destination{kDefaultCentre,
                     comuni.empty() ? std::string() : comuni.front()->name};
}

std::vector<core::Button> AfterPlacing(const Catalog& t,
                                       const std::string& lang) {
  return {{kMenuBooking, t.Text(lang, "menu.booking")},
          {kMenuInfo, t.Text(lang, "menu.info")},
          {kCentreChange, t.Text(lang, "centre.change_button")}};
}

}  // namespace

namespace {

CentreConfig Told(const storage::Centre& row, const CentreConfig& configured) {
  if (row.from_config) {
    CentreConfig told = configured;
    told.services = row.services;
    return told;
  }
  CentreConfig told;
  told.name = row.name;
  told.address = row.address;
  told.contacts = row.contacts;
  told.hours = row.hours;
  told.opening_hours = row.opening_hours;
  if (told.opening_hours.empty()) {
    told.opening_hours = configured.opening_hours;
    if (told.hours.empty()) told.hours = configured.hours;
  } else if (told.hours.empty()) {
    told.hours = told.opening_hours;  // the truth, if not pretty
  }
  told.closures = row.closures.empty() ? configured.closures : row.closures;
  told.services = row.services;
  return told;
}

}  // namespace

core::Result<CentreConfig> CentreAsTold(storage::Database& db, int64_t id,
                                        const CentreConfig& configured) {
  auto found = storage::FindCentre(db, id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return core::Status::NotFound("no centre " + std::to_string(id));
  return Told(**found, configured);
}

core::Result<CentreConfig> CentreOfTurn(storage::Database& db,
                                        storage::Conversation& conversation,
                                        const CentreConfig& configured,
                                        int64_t now_ms) {
  auto found = storage::FindCentre(db, conversation.centre_id);
  if (!found.ok()) return found.status();
  if (found->has_value() && !(*found)->disabled)
    return Told(**found, configured);
  if (conversation.centre_id == kDefaultCentre) {
    return core::Status::NotFound("no centre " +
                                  std::to_string(kDefaultCentre));
  }
  if (auto s = storage::PlaceConversation(db, conversation.id, kDefaultCentre,
                                          now_ms);
      !s.ok())
    return s;
  conversation.centre_id = kDefaultCentre;
  return CentreAsTold(db, kDefaultCentre, configured);
}

CentreRequest ReadCentreRequest(std::string_view text) {
  std::string folded = " " + FoldName(text) + " ";
  for (char& c : folded) {
    if (c == '\t' || c == '\r') c = ' ';
  }
  CentreRequest found;
  size_t found_at = std::string::npos;
  for (const Cue& cue : kCues) {
    const size_t at = folded.find(cue.words);
    if (at == std::string::npos) continue;
    // Asking for a centre wins over saying where one lives; else the first.
    const bool better =
        found.kind == Kind::kNone ||
        (cue.kind == Kind::kWantsCentre && found.kind == Kind::kLivesIn) ||
        (cue.kind == found.kind && at < found_at);
    if (!better) continue;
    std::string_view rest =
        std::string_view(folded).substr(at + cue.words.size());
    rest = rest.substr(0, rest.find_first_of(".,;:!?\n()\""));
    const auto words = Words(rest);
    if (words.empty()) continue;
    found.kind = cue.kind;
    found.place = FirstWords(words, words.size());
    found_at = at;
  }
  if (found.kind != Kind::kNone) return found;
  for (std::string_view cue : kChangeCues) {
    if (folded.find(cue) != std::string::npos) {
      found.kind = Kind::kChange;
      return found;
    }
  }
  return found;
}

std::vector<const Comuni::Comune*> FindComune(const Comuni& comuni,
                                              std::string_view place) {
  const auto words = Words(FoldName(place));
  for (size_t n = std::min(words.size(), kMaxNameWords); n > 0; --n) {
    auto exact = comuni.Named(FirstWords(words, n));
    if (!exact.empty()) return exact;
  }
  for (size_t n = std::min(words.size(), kMaxSlipWords); n > 0; --n) {
    auto near = comuni.Closest(FirstWords(words, n));
    if (!near.empty()) return near;
  }
  return {};
}

// The enabled centres, by id: what a person may choose.
struct CentreFlow::Centres {
  std::vector<std::pair<int64_t, std::string>> list;  // id, name

  static core::Result<Centres> Load(storage::Database& db) {
    auto all = storage::ListCentres(db, /*with_disabled=*/false);
    if (!all.ok()) return all.status();
    Centres out;
    for (const auto& c : *all) out.list.emplace_back(c.id, c.name);
    return out;
  }
  bool Has(int64_t id) const {
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& c) { return c.first == id; });
  }
};

std::vector<Reply> CentreFlow::Failed(Turn& turn, const core::Status& s) const {
  if (RetryLater(turn, s)) return {};
  core::LogError("centre",
                 "user " + std::to_string(turn.user.id) + ": " + s.ToString());
  EndFlow(turn.conversation);
  return {{deps_.catalog.Text(turn.lang, "flow.error"), {}}};
}

std::vector<Reply> CentreFlow::Choose(Turn& turn, const Centres& centres,
                                      const std::string& prompt) const {
  const Catalog& t = deps_.catalog;
  turn.conversation.flow = std::string(kCentreFlow);
  turn.conversation.step = "comune";
  Reply r{prompt, {}};
  for (const auto& [id, name] : centres.list) {
    if (r.buttons.size() == kMaxCentreButtons) break;
    r.buttons.push_back(
        {std::string(kCentrePickPrefix) + std::to_string(id), name});
  }
  const bool asked = Slots(turn.conversation).contains("then");
  r.buttons.push_back(
      {kCentreSkip,
       t.Text(turn.lang, asked ? "centre.skip_button" : "centre.keep_button")});
  return {std::move(r)};
}

std::vector<Reply> CentreFlow::Placed(Turn& turn, int64_t centre_id,
                                      const std::string& unserved) const {
  if (auto s = MoveTo(deps_, turn, centre_id); !s.ok()) return Failed(turn, s);
  const Catalog& t = deps_.catalog;
  const CentreConfig& c = turn.centre;
  const std::string text = unserved.empty()
                               ? t.Text(turn.lang, "centre.placed",
                                        {{"centre", c.name},
                                         {"address", c.address},
                                         {"hours", c.hours}})
                               : t.Text(turn.lang, "centre.unserved",
                                        {{"comune", unserved},
                                         {"centre", c.name},
                                         {"address", c.address},
                                         {"hours", c.hours}});
  const json then = Slots(turn.conversation).value("then", json());
  EndFlow(turn.conversation);
  // What they had asked for follows at once, with its own buttons.
  if (ReleaseRequest(turn.conversation, then)) return {{text, {}}};
  return {{text, AfterPlacing(t, turn.lang)}};
}

std::vector<Reply> CentreFlow::Start(Turn& turn) const {
  auto centres = Centres::Load(turn.db);
  if (!centres.ok()) return Failed(turn, centres.status());
  return Choose(turn, *centres,
                deps_.catalog.Text(turn.lang, "centre.choose",
                                   {{"centre", turn.centre.name},
                                    {"address", turn.centre.address}}));
}

std::vector<Reply> CentreFlow::Continue(Turn& turn) const {
  const Catalog& t = deps_.catalog;
  const std::string_view id = turn.in.button_id;
  if (id == kCentreSkip) {
    const json then = Slots(turn.conversation).value("then", json());
    EndFlow(turn.conversation);
    const std::string text = t.Text(
        turn.lang, "centre.kept",
        {{"centre", turn.centre.name}, {"address", turn.centre.address}});
    if (ReleaseRequest(turn.conversation, then)) return {{text, {}}};
    return {{text, AfterPlacing(t, turn.lang)}};
  }
  auto centres = Centres::Load(turn.db);
  if (!centres.ok()) return Failed(turn, centres.status());
  if (id.starts_with(kCentrePickPrefix)) {
    const auto picked = core::ParseInt(id.substr(kCentrePickPrefix.size()), 1,
                                       std::numeric_limits<int64_t>::max());
    if (picked && centres->Has(*picked)) return Placed(turn, *picked, "");
    return Start(turn);  // a centre disabled since it was offered
  }
  if (!id.empty()) return Start(turn);  // "Cambia centro", or an older button
  const CentreRequest request = ReadCentreRequest(turn.in.text);
  if (request.kind == Kind::kChange) return Start(turn);
  const std::string place =
      request.kind == Kind::kNone ? turn.in.text : request.place;
  const auto comuni = FindComune(*comuni_, place);
  if (comuni.empty()) {
    return Choose(turn, *centres,
                  t.Text(turn.lang, "centre.unknown",
                         {{"typed", core::utf8::Truncate(place, kEchoed)}}));
  }
  auto destination = DestinationFor(turn.db, comuni);
  if (!destination.ok()) return Failed(turn, destination.status());
  return Placed(turn, destination->centre, destination->unserved);
}

std::optional<std::vector<Reply>> CentreFlow::Answer(Turn& turn) const {
  auto& c = turn.conversation;
  if (!turn.in.button_id.empty() || turn.in.text.empty() ||
      c.flow == kCentreFlow) {
    return std::nullopt;
  }
  const CentreRequest request = ReadCentreRequest(turn.in.text);
  if (request.kind == Kind::kNone ||
      (request.kind == Kind::kLivesIn && !c.flow.empty())) {
    return std::nullopt;
  }
  auto several = SeveralCentres(turn.db);
  if (!several.ok()) return Failed(turn, several.status());
  if (!*several) return std::nullopt;
  if (request.kind == Kind::kChange) {
    EndFlow(c);
    return Start(turn);
  }
  const auto comuni = FindComune(*comuni_, request.place);
  if (!comuni.empty()) {
    auto destination = DestinationFor(turn.db, comuni);
    if (!destination.ok()) return Failed(turn, destination.status());
    EndFlow(c);
    if (request.kind == Kind::kWantsCentre && !destination->unserved.empty()) {
      auto centres = Centres::Load(turn.db);
      if (!centres.ok()) return Failed(turn, centres.status());
      return Choose(turn, *centres,
                    deps_.catalog.Text(turn.lang, "centre.none_for",
                                       {{"comune", destination->unserved}}));
    }
    return Placed(turn, destination->centre, destination->unserved);
  }
  if (request.kind != Kind::kWantsCentre ||
      request.place.size() < kShortestCentreName) {
    return std::nullopt;
  }
  // "al centro di Porta Futuro": a centre by (part of) its name.
  auto centres = Centres::Load(turn.db);
  if (!centres.ok()) return Failed(turn, centres.status());
  std::optional<int64_t> named;
  for (const auto& [id, name] : centres->list) {
    if (FoldName(name).find(request.place) == std::string::npos) continue;
    if (named) return std::nullopt;  // several: not sure which
    named = id;
  }
  if (!named) return std::nullopt;
  EndFlow(c);
  return Placed(turn, *named, "");
}

std::optional<std::vector<Reply>> CentreFlow::AskFirst(
    Turn& turn, std::string_view then) const {
  auto& c = turn.conversation;
  if (IsPlaced(c) || Slots(c).value(kAskedSlot, false)) return std::nullopt;
  auto several = SeveralCentres(turn.db);
  if (!several.ok()) return Failed(turn, several.status());
  if (!*several) return std::nullopt;
  auto centres = Centres::Load(turn.db);
  if (!centres.ok()) return Failed(turn, centres.status());
  EndFlow(c);
  json slots = Slots(c);
  slots[kAskedSlot] = true;
  SaveSlots(c, slots);
  HoldRequest(turn, then);
  return Choose(turn, *centres, deps_.catalog.Text(turn.lang, "centre.ask"));
}

std::string PlaceByProfileComune(const FlowDeps& deps, const Comuni& comuni,
                                 Turn& turn, std::string_view comune) {
  if (IsPlaced(turn.conversation)) return "";
  const auto fail = [&](const core::Status& s) {
    core::LogError(
        "centre", "user " + std::to_string(turn.user.id) + ": " + s.ToString());
    return std::string();
  };
  auto several = SeveralCentres(turn.db);
  if (!several.ok()) return fail(several.status());
  if (!*several) return "";
  const auto named = comuni.Named(comune);
  if (named.empty()) return "";
  auto destination = DestinationFor(turn.db, named);
  if (!destination.ok()) return fail(destination.status());
  if (auto s = MoveTo(deps, turn, destination->centre); !s.ok()) return fail(s);
  return deps.catalog.Text(
      turn.lang, "centre.placed_note",
      {{"centre", turn.centre.name}, {"address", turn.centre.address}});
}

}  // namespace sportello::flows
