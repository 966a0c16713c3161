// A centre moves from SQLite to PostgreSQL in the middle of its working day:
// `serve` on the demo SQLite file with people half-way through every flow on
// Telegram and WhatsApp, stopped; `sportello db copy --to URI`; `serve` on
// the URI with the same channels. Each person's next message carries on
// where they stopped, the console still shows the queue, the history and the
// notes, and new rows get new ids.
#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "tests/e2e/harness.h"
#include "tests/fakes/telegram_updates.h"
#include "tests/fakes/whatsapp_webhooks.h"
#include "tests/support/have_postgres.h"

namespace sportello::e2e {
namespace {

using namespace std::chrono_literals;
namespace tg = fakes::tg;
namespace wa = fakes::wa;

bool Contains(const std::string& all, const std::string& part) {
  return all.find(part) != std::string::npos;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `ms` as "2026-12-07T08:40:05Z".
std::string IsoUtc(int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Every update read and every reply due now has been sent: what a person
// sees after one turn is all there. Reminders due later do not count.
bool Quiet(const Bot& bot) {
  return bot.Count("SELECT count(*) FROM inbox WHERE processed_at IS NULL") ==
             0 &&
         bot.Count(
             "SELECT count(*) FROM outbox WHERE state IN ('pending', "
             "'sending') AND next_attempt_at <= " +
             std::to_string(NowMs() + 2000)) == 0;
}

// The first button id in `replies` that starts with `prefix`; "" if none.
std::string FirstButton(const std::string& replies, const std::string& prefix) {
  const std::string marker = "[button] " + prefix;
  const size_t at = replies.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + 9;
  return replies.substr(start, replies.find('\n', start) - start);
}

// One person on one channel, as the fake API servers saw the bot talk to
// them: each reply's text, then its buttons' ids, "[button] " a line.
class Person {
 public:
  static Person OnTelegram(Bot& bot, int64_t id, std::string name) {
    Person p(bot, std::move(name));
    p.telegram_id_ = id;
    return p;
  }
  static Person OnWhatsApp(Bot& bot, std::string wa_id, std::string name) {
    Person p(bot, std::move(name));
    p.wa_id_ = std::move(wa_id);
    return p;
  }

  // Sends a text or presses a button, then waits until the bot has answered
  // with `expect` somewhere in its replies and has nothing more to send now.
  // Returns the replies to this turn.
  std::string Say(const std::string& text, const std::string& expect) {
    if (telegram_id_ != 0) {
      Post(tg::TextMessage(NextUpdate(), tg::Person{telegram_id_, name_, "it"},
                           text));
    } else {
      PostWa(wa::Text(wa_id_, NextWamid(), text));
    }
    return Await(expect);
  }
  std::string Press(const std::string& button, const std::string& expect) {
    if (telegram_id_ != 0) {
      Post(tg::CallbackQuery(NextUpdate(),
                             tg::Person{telegram_id_, name_, "it"}, button));
    } else {
      PostWa(wa::ButtonReply(wa_id_, NextWamid(), button, button));
    }
    return Await(expect);
  }

  std::string Transcript() const {
    std::string all;
    if (telegram_id_ != 0) {
      for (const auto& call : bot_.telegram.Calls("sendMessage")) {
        if (call.status != 200 || call.body["chat_id"] != telegram_id_)
          continue;
        all += call.body["text"].get<std::string>() + "\n";
        if (!call.body.contains("reply_markup")) continue;
        for (const auto& row : call.body["reply_markup"]["inline_keyboard"])
          for (const auto& b : row)
            all += "[button] " + b["callback_data"].get<std::string>() + "\n";
      }
      return all;
    }
    for (const auto& body : bot_.whatsapp.Accepted(wa_id_)) {
      if (body["type"] == "text") {
        all += body["text"]["body"].get<std::string>() + "\n";
        continue;
      }
      if (body["type"] != "interactive") continue;
      const auto& in = body["interactive"];
      all += in["body"]["text"].get<std::string>() + "\n";
      const auto& action = in["action"];
      if (action.contains("buttons"))
        for (const auto& b : action["buttons"])
          all += "[button] " + b["reply"]["id"].get<std::string>() + "\n";
      if (action.contains("sections"))
        for (const auto& s : action["sections"])
          for (const auto& r : s["rows"])
            all += "[button] " + r["id"].get<std::string>() + "\n";
    }
    return all;
  }

  // What arrived since the last turn (notices, reminders), waiting up to
  // `timeout` for `expect`.
  std::string Await(const std::string& expect,
                    std::chrono::milliseconds timeout = 15s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::string fresh;
    do {
      fresh = Transcript().substr(seen_);
      if (Contains(fresh, expect) && Quiet(bot_)) break;
      std::this_thread::sleep_for(30ms);
    } while (std::chrono::steady_clock::now() < end);
    fresh = Transcript().substr(seen_);
    seen_ += fresh.size();
    return fresh;
  }

  int64_t telegram_id() const { return telegram_id_; }
  // Telegram sends the last update again, as it does when our answer to
  // its webhook was lost; returns the webhook's status.
  int Redeliver() {
    return bot_.Http().PostTelegramUpdate(last_update_, kTelegramSecret).status;
  }

 private:
  Person(Bot& bot, std::string name) : bot_(bot), name_(std::move(name)) {}

  static int64_t NextUpdate() {
    static int64_t next = 900'000;
    return ++next;
  }
  static std::string NextWamid() {
    static int next = 0;
    return "wamid.copyflow" + std::to_string(++next);
  }
  void Post(const nlohmann::json& update) {
    last_update_ = update;
    REQUIRE(bot_.Http().PostTelegramUpdate(update, kTelegramSecret).status ==
            200);
  }
  void PostWa(const nlohmann::json& message) {
    wa::Business biz;
    biz.phone_number_id = bot_.whatsapp.phone_number_id();
    const std::string body = wa::Payload(biz, {message}, {}, name_).dump();
    REQUIRE(bot_.Http().PostWhatsApp(body, kAppSecret).status == 200);
  }

  Bot& bot_;
  std::string name_;
  int64_t telegram_id_ = 0;
  std::string wa_id_;
  size_t seen_ = 0;             // bytes of the transcript already returned
  nlohmann::json last_update_;  // Telegram
};

// "✅ Prenotato! Orientamento, martedì 8 dicembre, ore 9:00.\n..." ->
// {"Orientamento", "martedì 8 dicembre, ore 9:00"}.
std::pair<std::string, std::string> Booked(const std::string& replies) {
  const std::string mark = "✅ Prenotato! ";
  const size_t start = replies.find(mark);
  if (start == std::string::npos) return {};
  const size_t from = start + mark.size();
  const std::string what =
      replies.substr(from, replies.find(".\n", from) - from);
  const size_t comma = what.find(", ");
  if (comma == std::string::npos) return {};
  return {what.substr(0, comma), what.substr(comma + 2)};
}

struct Console {
  support::HttpClient http;
  httplib::Headers auth;

  explicit Console(const Bot& bot) : http(bot.Http()) {
    auto login = http.Post(
        "/api/login", R"({"username":"anna","password":"una-password-lunga"})");
    REQUIRE_MESSAGE(login.status == 200, login.body);
    auth = {{"Authorization",
             "Bearer " + login.Json()["token"].get<std::string>()}};
  }
  nlohmann::json Get(const std::string& where) {
    auto r = http.Get(where, auth);
    REQUIRE_MESSAGE(r.status == 200, (where + ": " + r.body));
    return r.Json();
  }
  support::HttpResponse Post(const std::string& path,
                             const nlohmann::json& body) {
    return http.Post(path, body.dump(), auth);
  }
};

// Whether `conversation` (GET /api/conversations/{id}) holds a message in
// with this text, or a note with it.
bool HasMessage(const nlohmann::json& conversation, const std::string& text) {
  for (const auto& m : conversation["messages"])
    if (m["direction"] == "in" && m["text"] == text) return true;
  return false;
}
bool HasNote(const nlohmann::json& conversation, const std::string& text) {
  for (const auto& n : conversation["notes"])
    if (n["text"] == text && n["author"] == "anna") return true;
  return false;
}

bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = 15s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

size_t Occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size()))
    ++n;
  return n;
}

TEST_CASE(
    "people half-way through every flow carry on after db copy, on "
    "PostgreSQL, where they stopped") {
  if (!support::HavePostgresCluster()) return;
  Bot bot;
  const std::string source = bot.dir.File("sportello.db");
  bot.extra["SPORTELLO_DB"] = source;
  bot.extra["SPORTELLO_DEMO"] = "1";
  auto staff =
      support::RunSportello({"users", "add", "anna", "--role", "counsellor"},
                            bot.Environment(), "una-password-lunga\n");
  REQUIRE_MESSAGE(staff.exit_code == 0, staff.err);
  REQUIRE_MESSAGE(bot.Start(), bot.Log());

  Person giulia = Person::OnTelegram(bot, 71'000'001, "Giulia");
  Person marco = Person::OnWhatsApp(bot, "393471000002", "Marco");
  Person luca = Person::OnTelegram(bot, 71'000'003, "Luca");
  Person sara = Person::OnWhatsApp(bot, "393471000004", "Sara");
  Person paolo = Person::OnTelegram(bot, 71'000'005, "Paolo");

  // --- On SQLite: everyone stops somewhere.

  // Paolo books an appointment, and turns notices on.
  REQUIRE(Contains(paolo.Say("ciao", "[button] menu:booking"), "Ciao"));
  // The demo is a network of centres: those who book, sign up or ask for
  // a counsellor say where they live first (or the bot would ask).
  REQUIRE(Contains(paolo.Say("sono di Bari", "Ti segue"), "Porta Futuro"));
  REQUIRE(Contains(paolo.Press("menu:booking", "[button] consent:age:16_29"),
                   "Quanti anni hai?"));
  (void)paolo.Press("consent:age:16_29", "[button] consent:yes");
  const std::string services =
      paolo.Press("consent:yes", "[button] booking:svc:orientamento");
  REQUIRE(Contains(services, "Per quale servizio"));
  const std::string days =
      paolo.Press("booking:svc:orientamento", "[button] booking:day:");
  const std::string times =
      paolo.Press(FirstButton(days, "booking:day:"), "[button] booking:at:");
  const std::string confirmed =
      paolo.Press(FirstButton(times, "booking:at:"), "✅ Prenotato!");
  const auto [paolo_service, paolo_when] = Booked(confirmed);
  REQUIRE_MESSAGE(!paolo_when.empty(), confirmed);
  REQUIRE(Contains(paolo.Say("attiva notifiche", "🔔 Notifiche attivate"), "🔔"));

  // Giulia is in her profile, asked her year of birth.
  REQUIRE(Contains(giulia.Say("ciao", "[button] menu:jobs"), "Ciao"));
  (void)giulia.Press("profile:start", "[button] consent:age:16_29");
  (void)giulia.Press("consent:age:16_29", "[button] consent:yes");
  REQUIRE(Contains(giulia.Press("consent:yes", "Come ti chiami?"),
                   "Come ti chiami?"));
  REQUIRE(Contains(giulia.Say("Giulia", "In che anno sei nato/a?"),
                   "In che anno sei nato/a?"));

  // Marco chose a service and a day, and is shown the free times.
  (void)marco.Say("ciao", "[button] menu:booking");
  (void)marco.Say("sono di Bari", "Ti segue");
  (void)marco.Press("menu:booking", "[button] consent:age:16_29");
  (void)marco.Press("consent:age:16_29", "[button] consent:yes");
  (void)marco.Press("consent:yes", "[button] booking:svc:orientamento");
  const std::string marco_days =
      marco.Press("booking:svc:orientamento", "[button] booking:day:");
  const std::string marco_times = marco.Press(
      FirstButton(marco_days, "booking:day:"), "[button] booking:at:");
  REQUIRE(Contains(marco_times, "a che ora?"));
  const std::string marco_slot = FirstButton(marco_times, "booking:at:");
  REQUIRE(marco_slot != FirstButton(times, "booking:at:"));  // Paolo's
  const std::string marco_slot_id =
      marco_slot.substr(marco_slot.rfind(':') + 1);

  // Luca waits for a counsellor.
  (void)luca.Say("ciao", "[button] menu:human");
  (void)luca.Say("sono di Bari", "Ti segue");
  REQUIRE(Contains(luca.Press("menu:human", "operatore"), "operatore"));

  // Sara signs up for an event.
  (void)sara.Say("ciao", "[button] menu:events");
  (void)sara.Say("sono di Bari", "Ti segue");
  const std::string events = sara.Press("menu:events", "[button] events:show:");
  const std::string details =
      sara.Press(FirstButton(events, "events:show:"), "[button] events:join:");
  (void)sara.Press(FirstButton(details, "events:join:"),
                   "[button] consent:age:16_29");
  (void)sara.Press("consent:age:16_29", "[button] consent:yes");
  const std::string signed_up = sara.Press("consent:yes", "Sei iscritto a");
  REQUIRE(Contains(signed_up, "Sei iscritto a"));
  const size_t title_at = signed_up.find("Sei iscritto a ") + 15;
  const std::string event_title =
      signed_up.substr(title_at, signed_up.find("!\n", title_at) - title_at);

  // Anna notes something on Luca's conversation and sends a notice.
  Console before(bot);
  const auto queue = before.Get("/api/conversations?mode=waiting_for_human");
  REQUIRE(queue["conversations"].size() == 1);
  const int64_t luca_conversation = queue["conversations"][0]["id"];
  const std::string luca_path =
      "/api/conversations/" + std::to_string(luca_conversation);
  const std::string note = "Cerca un tirocinio in un'officina: richiamare.";
  REQUIRE(before.Post(luca_path + "/notes", {{"text", note}}).status == 201);
  auto notice = before.Post(
      "/api/broadcasts",
      {{"text", "Giovedì alle 10 c'è il workshop sul CV a Porta Futuro."},
       {"audience", nlohmann::json::object()}});
  REQUIRE_MESSAGE(notice.status == 201, notice.body);
  const int64_t broadcast = notice.Json()["id"];
  CHECK(notice.Json()["recipients"] == 1);
  CHECK(Contains(paolo.Await("workshop sul CV"), "workshop sul CV"));
  REQUIRE(Eventually([&] {
    return before.Get("/api/broadcasts/" +
                      std::to_string(broadcast))["status"] == "done";
  }));

  // A notice due shortly after the move: PostgreSQL's serve sends it.
  auto scheduled = before.Post(
      "/api/broadcasts", {{"text", "Stasera alle 18 incontro sull'Erasmus+."},
                          {"audience", nlohmann::json::object()},
                          {"send_at", IsoUtc(NowMs() + 10'000)}});
  REQUIRE_MESSAGE(scheduled.status == 201, scheduled.body);
  const int64_t later = scheduled.Json()["id"];

  const int64_t users = bot.Count("SELECT count(*) FROM users");
  const int64_t last_user = bot.Count("SELECT max(id) FROM users");
  const int64_t messages = bot.Count("SELECT count(*) FROM messages");
  const int64_t last_message = bot.Count("SELECT max(id) FROM messages");
  const int64_t vacancies = bot.Count("SELECT count(*) FROM vacancies");
  const int64_t slots = bot.Count("SELECT count(*) FROM slots");
  const int64_t events_count = bot.Count("SELECT count(*) FROM events");
  const std::string reminders_sql =
      "SELECT count(*) FROM outbox WHERE state <> 'cancelled' AND dedupe_key "
      "LIKE 'reminder:%'";
  const int64_t reminders = bot.Count(reminders_sql);
  REQUIRE(bot.service->Terminate() == 0);
  REQUIRE(bot.Count("SELECT count(*) FROM broadcasts WHERE status = "
                    "'scheduled' AND id = " +
                    std::to_string(later)) == 1);

  // --- The move.
  const std::string target = support::FreshPostgresSchema();
  auto copy = support::RunSportello({"db", "copy", "--to", target},
                                    {{"SPORTELLO_DB", source}});
  REQUIRE_MESSAGE(copy.exit_code == 0, copy.err);

  // --- On PostgreSQL, same channels, same port.
  bot.extra["SPORTELLO_DB"] = target;
  const size_t log_from = bot.Log().size();
  REQUIRE_MESSAGE(bot.Start(), bot.Log());
  // The demo data is there already: nothing is loaded twice.
  CHECK(bot.Count("SELECT count(*) FROM vacancies") == vacancies);
  CHECK(bot.Count("SELECT count(*) FROM slots") == slots);
  CHECK(bot.Count("SELECT count(*) FROM events") == events_count);
  // Paolo's reminders wait for their time on PostgreSQL.
  CHECK(bot.Count(reminders_sql) == reminders);

  // Giulia's next answer gets the next question.
  CHECK(Contains(giulia.Say("2004", "In quale comune vivi?"),
                 "In quale comune vivi?"));

  // Marco's time is booked.
  const std::string marco_booked = marco.Press(marco_slot, "✅ Prenotato!");
  CHECK_MESSAGE(Contains(marco_booked, "✅ Prenotato!"), marco_booked);
  CHECK(bot.Count("SELECT count(*) FROM bookings WHERE state = 'booked' AND "
                  "slot_id = " +
                  marco_slot_id) == 1);

  // Luca is still in the queue; Telegram's redelivery of the press that
  // put him there, after the move, is not taken as new.
  const size_t luca_seen = bot.telegram.SentTexts(luca.telegram_id()).size();
  REQUIRE(luca.Redeliver() == 200);
  REQUIRE(Eventually([&] { return Quiet(bot); }));
  CHECK(bot.telegram.SentTexts(luca.telegram_id()).size() == luca_seen);
  CHECK(Contains(luca.Say("ci siete?", "Sei già in coda"), "Sei già in coda"));
  const size_t luca_replies = bot.telegram.SentTexts(luca.telegram_id()).size();
  CHECK(bot.Count("SELECT count(*) FROM conversations WHERE mode = "
                  "'waiting_for_human'") == 1);

  // Sara's sign-up and Paolo's appointment are still listed.
  const std::string mine = sara.Press("events:mine", "Le tue iscrizioni:");
  CHECK_MESSAGE(Contains(mine, "✅ " + event_title), mine);
  const std::string listed =
      paolo.Press("booking:list", "I tuoi appuntamenti:");
  CHECK_MESSAGE(Contains(listed, "• " + paolo_service + ": " + paolo_when),
                listed);

  // The console: the queue, the whole history, the note, the notice.
  Console after(bot);
  const auto waiting = after.Get("/api/conversations?mode=waiting_for_human");
  REQUIRE(waiting["conversations"].size() == 1);
  CHECK(waiting["conversations"][0]["id"] == luca_conversation);
  const auto conversation = after.Get(luca_path);
  CHECK(HasMessage(conversation, "ciao"));
  CHECK(HasMessage(conversation, "ci siete?"));
  CHECK(HasNote(conversation, note));
  const auto sent = after.Get("/api/broadcasts/" + std::to_string(broadcast));
  CHECK(sent["status"] == "done");
  CHECK(sent["sent"] == 1);
  // Anna's session from before the move is still open.
  CHECK(after.http.Get("/api/me", before.auth).status == 200);

  // New rows get new ids: a newcomer, a note, a notice.
  Person nadia = Person::OnTelegram(bot, 71'000'006, "Nadia");
  CHECK(Contains(nadia.Say("ciao", "[button] menu:jobs"), "Ciao"));
  // (PostgreSQL may skip ids: an upsert of a known person uses one up.)
  CHECK(bot.Count("SELECT count(*) FROM users") == users + 1);
  CHECK(bot.Count("SELECT count(*) FROM users WHERE id > " +
                  std::to_string(last_user)) == 1);
  CHECK(bot.Count("SELECT count(*) FROM messages WHERE id > " +
                  std::to_string(last_message)) ==
        bot.Count("SELECT count(*) FROM messages") - messages);
  CHECK(after.Post(luca_path + "/notes", {{"text", "Richiamato."}}).status ==
        201);
  auto second = after.Post("/api/broadcasts",
                           {{"text", "Da lunedì il centro apre alle 8:30."},
                            {"audience", nlohmann::json::object()}});
  REQUIRE_MESSAGE(second.status == 201, second.body);
  CHECK(second.Json()["id"] == later + 1);
  CHECK(Contains(paolo.Await("apre alle 8:30"), "apre alle 8:30"));

  // The notice scheduled before the move goes out after it, once.
  CHECK(Eventually(
      [&] { return Contains(paolo.Transcript(), "incontro sull'Erasmus+"); },
      40s));
  CHECK(Occurrences(paolo.Transcript(), "incontro sull'Erasmus+") == 1);
  CHECK(Eventually([&] {
    return after.Get("/api/broadcasts/" + std::to_string(later))["sent"] == 1;
  }));
  CHECK(bot.telegram.SentTexts(luca.telegram_id()).size() == luca_replies);

  const std::string log = bot.Log().substr(log_from);
  CHECK_MESSAGE(!Contains(log, "duplicate key"), log);
  CHECK_MESSAGE(!Contains(log, "ERROR"), log);
}

}  // namespace
}  // namespace sportello::e2e
