#include "bot/web/console_api.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "bot/channels/json_guard.h"
#include "bot/channels/outbound.h"
#include "bot/core/log.h"
#include "bot/domain/booking.h"
#include "bot/domain/console.h"
#include "bot/flows/handoff.h"
#include "bot/outbound/replies.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/json_response.h"
#include "bot/web/origin.h"
#include "storage/appointments.h"
#include "storage/audit.h"
#include "storage/codec.h"
#include "storage/console_views.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/notes.h"
#include "storage/outbox.h"
#include "storage/profiles.h"
#include "storage/users.h"

namespace sportello::http {
namespace {

using nlohmann::json;
using storage::ConversationMode;

// WhatsApp lets a business write free text only this long after the
// person's last message (bot/outbound/outbox_sender.cc enforces the same).
constexpr int64_t kWhatsAppWindowMs = 24LL * 3600 * 1000;
constexpr size_t kMaxTextBytes = 4096;
constexpr size_t kMaxBody = 16 * 1024;
constexpr int kMaxHistory = 1000;
constexpr int kMaxListed = 200;

// The "text" of a JSON body: 1-4096 bytes, not only blanks.
core::Result<std::string> TextField(const Request& r) {
  if (r.body.size() > kMaxBody)
    return core::Status::InvalidArgument("body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return body.status();
  auto text = body->find("text");
  if (text == body->end() || !text->is_string())
    return core::Status::InvalidArgument("text must be a string");
  std::string t = text->get<std::string>();
  if (t.find_first_not_of(" \t\r\n") == std::string::npos ||
      t.size() > kMaxTextBytes) {
    return core::Status::InvalidArgument("text must have 1-4096 bytes");
  }
  return t;
}

json ConversationJson(const storage::Conversation& c, std::string_view channel,
                      std::string_view user_name,
                      std::string_view profile_name = "") {
  return {{"id", c.id},
          {"channel", std::string(channel)},
          {"user",
           {{"name", std::string(user_name)},
            {"display_name",
             console::DisplayName(profile_name, user_name, channel, c.id)}}},
          {"mode", std::string(storage::ConversationModeName(c.mode))},
          {"assigned_to", c.assigned_to ? json(*c.assigned_to) : json()},
          {"waiting_since", IsoTime(c.waiting_since)},
          {"last_message_at", IsoTime(c.last_message_at)},
          {"centre_id", c.centre_id}};
}

// The name given in the questionnaire, "" when none (or unreadable: the
// name is a nicety, never a reason to fail the action).
std::string ProfileName(storage::Database& db, int64_t user_id) {
  auto p = storage::FindProfile(db, user_id);
  if (!p.ok() || !p->has_value()) return "";
  auto it = (*p)->answers.find("name");
  return it == (*p)->answers.end() ? "" : it->second;
}

// Every action on a conversation is on record with the conversation's
// centre: a regional admin's look into a centre is found by it.
core::Status Audit(storage::Database& db, const Caller& caller,
                   std::string_view action,
                   const storage::Conversation& conversation, int64_t now,
                   std::string detail = "") {
  return storage::AppendAudit(
      db, {0, now, caller.username, std::string(action), conversation.id,
           conversation.user_id, std::move(detail), conversation.centre_id});
}

// The conversation and its person, or the 404 to answer.
struct Loaded {
  storage::Conversation conversation;
  storage::User user;
};
core::Result<std::variant<Loaded, Response>> Load(
    storage::Database& db, int64_t id, const storage::CentreScope& scope) {
  auto c = storage::FindConversationIn(db, id, scope);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return {ErrorResponse(404, "no such conversation")};
  auto u = storage::FindUserById(db, (*c)->user_id);
  if (!u.ok()) return u.status();
  if (!u->has_value()) return {ErrorResponse(404, "no such conversation")};
  return {Loaded{std::move(**c), std::move(**u)}};
}

// Runs `fn` in a write transaction with conversation `id` and its person
// loaded; when there is no such conversation among the caller's centres,
// sets `answer` to the 404 instead. Returns the transaction's status.
core::Status WithConversation(
    storage::Store& store, const Caller& caller, int64_t id,
    std::optional<Response>& answer,
    const std::function<core::Status(storage::Database&, Loaded&)>& fn) {
  return store.Write([&](storage::Database& db) -> core::Status {
    auto loaded = Load(db, id, ObjectScope(caller));
    if (!loaded.ok()) return loaded.status();
    if (auto* r = std::get_if<Response>(&*loaded)) {
      answer = std::move(*r);
      return core::Status::Ok();
    }
    return fn(db, std::get<Loaded>(*loaded));
  });
}

console::Staff Who(const Caller& caller) {
  return {caller.username, caller.role == storage::StaffRole::kAdmin};
}

// 409 with the rule's reason and who holds the conversation.
Response Refused(console::Refusal why, const storage::Conversation& c) {
  return JsonResponse(
      409, {{"error", console::RefusalText(why)},
            {"assigned_to", c.assigned_to ? json(*c.assigned_to) : json()}});
}

}  // namespace

ConsoleApi::ConsoleApi(ConsoleDeps deps)
    : deps_(std::move(deps)),
      auth_(deps_.config, deps_.clock, deps_.store),
      router_(deps_.flows, {}),
      regional_reads_(deps_.store, deps_.clock) {}

Response ConsoleApi::Handle(const Request& r) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";
  if (auto refused = CrossOriginRefusal(r, deps_.config))
    return ErrorResponse(403, *refused);
  if (r.path == "/api/login")
    return post ? auth_.Login(r) : MethodNotAllowed("POST");
  auto who = auth_.Authenticate(r);
  if (auto* denied = std::get_if<Response>(&who)) return std::move(*denied);
  const Caller& caller = std::get<Caller>(who);
  const bool admin = caller.role == storage::StaffRole::kAdmin;
  const auto admins_only = [] {
    return ErrorResponse(403, "this needs an admin account");
  };

  if (r.path == "/api/logout")
    return post ? auth_.Logout(r) : MethodNotAllowed("POST");
  if (r.path == "/api/me") {
    if (!get) return MethodNotAllowed("GET");
    return JsonResponse(
        200, {{"username", caller.username},
              {"role", std::string(storage::StaffRoleName(caller.role))},
              {"centres", caller.centres}});
  }
  // A regional admin's look at a list of people is on record first.
  if (get &&
      (r.path == "/api/conversations" || r.path == "/api/stream" ||
       r.path == "/api/appointments" || r.path == "/api/reports/funnel")) {
    if (!regional_reads_.Record(caller, r).ok()) return Unavailable();
  }
  if (r.path == "/api/conversations")
    return get ? ListConversations(caller, r) : MethodNotAllowed("GET");
  if (r.path == "/api/stream")
    return get ? Stream(caller) : MethodNotAllowed("GET");
  if (r.path == "/api/appointments")
    return get ? Appointments(caller, r) : MethodNotAllowed("GET");
  if (r.path == "/api/profiles")
    return get ? Profiles(caller, r) : MethodNotAllowed("GET");
  if (r.path == "/api/profile/questions")
    return get ? ProfileQuestions() : MethodNotAllowed("GET");
  if (r.path == "/api/slots") {
    // A centre admin makes slots for their centres.
    if (!admin && caller.role != storage::StaffRole::kCentreAdmin)
      return admins_only();
    return post ? AddSlot(caller, r) : MethodNotAllowed("POST");
  }
  if (r.path == "/api/audit") {
    if (!admin) return admins_only();
    return get ? AuditLog(r) : MethodNotAllowed("GET");
  }
  if (r.path == "/api/events" || r.path.starts_with("/api/events/"))
    return RouteEvents(caller, r);
  if (r.path == "/api/broadcasts" || r.path.starts_with("/api/broadcasts/"))
    return RouteBroadcasts(caller, r);
  if (r.path == "/api/vacancies" || r.path.starts_with("/api/vacancies/"))
    return RouteVacancies(caller, r);
  if (r.path == "/api/canned-replies") {
    if (get) return CannedReplies(caller, r);
    if (r.method != "PUT") return MethodNotAllowed("GET, PUT");
    return admin ? SaveCannedReplies(caller, r) : admins_only();
  }
  if (r.path == "/api/centres" || r.path.starts_with("/api/centres/"))
    return RouteCentres(caller, r);
  if (r.path == "/api/reports/funnel")
    return get ? FunnelReport(caller, r) : MethodNotAllowed("GET");
  constexpr std::string_view kBookings = "/api/bookings/";
  if (r.path.starts_with(kBookings) && r.path.ends_with("/attendance")) {
    std::string_view rest = std::string_view(r.path).substr(kBookings.size());
    rest.remove_suffix(std::string_view("/attendance").size());
    const auto id = ParseId(rest);
    if (!id) return ErrorResponse(404, "not found");
    return post ? MarkAttendance(caller, *id, r) : MethodNotAllowed("POST");
  }
  constexpr std::string_view kPrefix = "/api/conversations/";
  if (r.path.starts_with(kPrefix)) {
    std::string_view rest = std::string_view(r.path).substr(kPrefix.size());
    const size_t slash = rest.find('/');
    const auto id = ParseId(rest.substr(0, slash));
    const std::string_view action =
        slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (!id) return ErrorResponse(404, "not found");
    if (action.empty())
      return get ? GetConversation(caller, *id) : MethodNotAllowed("GET");
    if (!post) return MethodNotAllowed("POST");
    if (action == "takeover") return TakeOver(caller, *id);
    if (action == "messages") return Reply(caller, *id, r);
    if (action == "notes") return AddNote(caller, *id, r);
    if (action == "release") return Release(caller, *id);
    if (action == "appointments") return BookFor(caller, *id, r);
    if (action == "transfer") return Transfer(caller, *id, r);
  }
  return ErrorResponse(404, "not found");
}

// Console traffic is a few requests a second at most: reads go through the
// writer too, which keeps every answer consistent with the last action and
// lets a view write its audit row in the same transaction.
Response ConsoleApi::ListConversations(const Caller& caller, const Request& r) {
  auto scope = ListScope(caller, r);
  if (auto* bad = std::get_if<Response>(&scope)) return std::move(*bad);
  ConversationMode mode = ConversationMode::kWaitingForHuman;
  if (auto it = r.query.find("mode");
      it != r.query.end() && !it->second.empty()) {
    auto parsed = storage::ParseConversationMode(it->second);
    if (!parsed)
      return ErrorResponse(400, "mode must be waiting_for_human, human or bot");
    mode = *parsed;
  }
  json list = json::array();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto rows = storage::ListConversationSummaries(
        db, mode, std::get<storage::CentreScope>(scope), kMaxListed);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) {
      json j = ConversationJson(row.conversation, row.channel, row.user_name,
                                row.profile_name);
      j["preview"] = row.preview;
      list.push_back(std::move(j));
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"conversations", list}});
}

Response ConsoleApi::GetConversation(const Caller& caller, int64_t id) {
  std::optional<Response> answer;
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        const auto& [conv, user] = loaded;
        auto profile = storage::FindProfile(db, user.id);
        if (!profile.ok()) return profile.status();
        std::string profile_name;
        if (profile->has_value()) {
          if (auto it = (*profile)->answers.find("name");
              it != (*profile)->answers.end())
            profile_name = it->second;
        }
        json j = ConversationJson(conv, user.channel, user.name, profile_name);
        j["user"]["language"] = user.language;
        auto history = storage::ConversationMessages(db, id, kMaxHistory);
        if (!history.ok()) return history.status();
        json messages = json::array();
        std::vector<core::Button> offered;  // the last buttons sent
        for (const auto& m : *history) {
          json one = {{"id", m.id},         {"direction", m.direction},
                      {"author", m.author}, {"kind", m.kind},
                      {"text", m.text},     {"at", IsoTime(m.created_at)},
                      {"status", m.status}};
          if (m.direction == "out" && m.buttons) {
            // The last offer stands until another replaces it: a plain
            // message in between (a counsellor's) does not withdraw it.
            offered = DecodeButtons(*m.buttons);
          } else if (m.button_id) {
            // A press: the title the person saw. Presses stored before
            // their title was kept are read back from the offer.
            std::string choice = m.text;
            for (const auto& b : offered) {
              if (b.id == *m.button_id) choice = b.title;
            }
            one["choice"] = choice.empty() ? *m.button_id : choice;
            if (m.text.empty()) one["text"] = one["choice"];
          }
          messages.push_back(std::move(one));
        }
        j["messages"] = std::move(messages);
        auto notes = storage::ConversationNotes(db, id);
        if (!notes.ok()) return notes.status();
        json note_list = json::array();
        for (const auto& n : *notes) {
          note_list.push_back({{"id", n.id},
                               {"author", n.author},
                               {"text", n.text},
                               {"at", IsoTime(n.created_at)}});
        }
        j["notes"] = std::move(note_list);
        if (profile->has_value()) {
          const auto& p = **profile;
          j["profile"] = {{"age_band", p.age_band ? json(*p.age_band) : json()},
                          {"completed_at", IsoTime(p.completed_at)},
                          {"answers", p.answers},
                          {"view", ProfileView(p, now)}};
        } else {
          j["profile"] = nullptr;
        }
        answer = JsonResponse(200, j);
        return Audit(db, caller, "view_conversation", conv, now,
                     profile->has_value() ? "with profile" : "");
      });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::TakeOver(const Caller& caller, int64_t id) {
  std::optional<Response> answer;
  bool wrote_outbox = false;
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        const auto& [before, user] = loaded;
        const bool already_mine = console::HeldBy(before, caller.username);
        auto won = storage::TakeOverConversation(db, id, caller.username, now);
        if (!won.ok()) return won.status();
        if (*won) {
          if (auto st = flows::CancelHandoffTimeout(db, before); !st.ok())
            return st;
        }
        if (!*won) {
          answer = JsonResponse(
              409,
              {{"error", console::RefusalText(console::Refusal::kHeldByOther)},
               {"assigned_to", before.assigned_to.value_or("")}});
          return core::Status::Ok();
        }
        if (!already_mine) {
          core::OutboundMessage hello;
          hello.text = deps_.catalog.Text(user.language, "handoff.joined",
                                          {{"name", caller.username}});
          if (auto st = WriteToPerson(db, user, id, hello, caller.username,
                                      kPriorityReply, now);
              !st.ok())
            return st;
          wrote_outbox = true;
          if (auto st = Audit(db, caller, "takeover", before, now); !st.ok())
            return st;
        }
        auto after = storage::FindConversation(db, id);
        if (!after.ok()) return after.status();
        answer =
            JsonResponse(200, ConversationJson(**after, user.channel, user.name,
                                               ProfileName(db, user.id)));
        return core::Status::Ok();
      });
  if (!s.ok()) return Unavailable();
  if (wrote_outbox && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

Response ConsoleApi::Reply(const Caller& caller, int64_t id, const Request& r) {
  auto text = TextField(r);
  if (!text.ok()) return ErrorResponse(400, text.status().message());
  std::optional<Response> answer;
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        const auto& [conv, user] = loaded;
        if (auto no = console::MayReply(conv, Who(caller));
            no != console::Refusal::kAllowed) {
          answer = Refused(no, conv);
          return core::Status::Ok();
        }
        if (user.channel == "whatsapp" &&
            user.last_inbound_at.value_or(0) < now - kWhatsAppWindowMs) {
          answer = JsonResponse(
              422,
              {{"error",
                "WhatsApp allows free text only within 24 hours of the "
                "person's last message: send an approved template instead"},
               {"window_closed", true},
               {"last_inbound_at", IsoTime(user.last_inbound_at)}});
          return core::Status::Ok();
        }
        core::OutboundMessage msg;
        msg.text = *text;
        if (auto st = WriteToPerson(db, user, id, msg, caller.username,
                                    kPriorityReply, now);
            !st.ok())
          return st;
        answer = JsonResponse(202, {{"ok", true}});
        return Audit(db, caller, "reply", conv, now);
      });
  if (!s.ok()) return Unavailable();
  if (answer->status == 202 && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

Response ConsoleApi::AddNote(const Caller& caller, int64_t id,
                             const Request& r) {
  auto text = TextField(r);
  if (!text.ok()) return ErrorResponse(400, text.status().message());
  std::optional<Response> answer;
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        auto note = storage::AddNote(db, id, caller.username, *text, now);
        if (!note.ok()) return note.status();
        answer = JsonResponse(
            201, {{"id", *note}, {"centre_id", loaded.conversation.centre_id}});
        return Audit(db, caller, "note", loaded.conversation, now);
      });
  if (!s.ok()) return Unavailable();
  return std::move(*answer);
}

Response ConsoleApi::Release(const Caller& caller, int64_t id) {
  std::optional<Response> answer;
  bool wrote_outbox = false;
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        auto& [conv, user] = loaded;
        if (auto no = console::MayRelease(conv, Who(caller));
            no != console::Refusal::kAllowed) {
          answer = Refused(no, conv);
          return core::Status::Ok();
        }
        if (auto st = flows::CancelHandoffTimeout(db, conv); !st.ok())
          return st;
        const flows::Reply menu = router_.Menu(user.language, "menu.prompt");
        conv.mode = ConversationMode::kBot;
        conv.assigned_to.reset();
        conv.waiting_since.reset();
        conv.flow.clear();
        conv.step.clear();
        // The menu's buttons, as the dispatcher records what it offered, so
        // that a typed "2" works on channels without buttons.
        SetOfferedButtons(conv, menu.buttons);
        if (auto st = storage::SaveConversation(db, conv, now); !st.ok())
          return st;
        core::OutboundMessage bye;
        bye.text = deps_.catalog.Text(user.language, "handoff.released");
        if (auto st =
                WriteToPerson(db, user, id, bye, "bot", kPriorityReply, now);
            !st.ok())
          return st;
        core::OutboundMessage menu_msg;
        menu_msg.text = menu.text;
        menu_msg.buttons = menu.buttons;
        if (auto st = WriteToPerson(db, user, id, menu_msg, "bot",
                                    kPriorityReply, now);
            !st.ok())
          return st;
        wrote_outbox = true;
        answer =
            JsonResponse(200, ConversationJson(conv, user.channel, user.name,
                                               ProfileName(db, user.id)));
        return Audit(db, caller, "release", conv, now);
      });
  if (!s.ok()) return Unavailable();
  if (wrote_outbox && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

Response ConsoleApi::BookFor(const Caller& caller, int64_t id,
                             const Request& r) {
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  const auto slot = body->find("slot_id");
  if (slot == body->end() || !slot->is_number_integer())
    return ErrorResponse(400, "slot_id must be an integer");
  std::string service;
  if (auto it = body->find("service"); it != body->end()) {
    if (!it->is_string() && !it->is_null())
      return ErrorResponse(400, "service must be a string");
    if (it->is_string()) service = it->get<std::string>();
  }
  std::optional<Response> answer;
  core::Status refused;  // Book's error: the transaction rolls back
  const int64_t now = deps_.clock.NowMillis();
  auto s = WithConversation(
      deps_.store, caller, id, answer,
      [&](storage::Database& db, Loaded& loaded) -> core::Status {
        const auto& [conv, user] = loaded;
        if (auto no = console::MayBookFor(conv, Who(caller));
            no != console::Refusal::kAllowed) {
          answer = Refused(no, conv);
          return core::Status::Ok();
        }
        // A person is booked at their own centre: another centre's slot is
        // not found, as one that does not exist.
        auto in_centre =
            storage::FindSlot(db, slot->get<int64_t>(),
                              storage::CentreScope::Only({conv.centre_id}));
        if (!in_centre.ok()) return in_centre.status();
        if (!in_centre->has_value()) {
          refused = core::Status::NotFound("no such slot");
          return refused;
        }
        auto appt = booking::Book(db, deps_.catalog, user.id,
                                  slot->get<int64_t>(), service, now);
        if (!appt.ok()) {
          refused = appt.status();
          return refused;
        }
        core::OutboundMessage told;
        told.text = booking::AppointmentText(deps_.catalog, user.language,
                                             "booking.confirmed", *appt);
        if (auto st = WriteToPerson(db, user, id, told, caller.username,
                                    kPriorityReply, now);
            !st.ok())
          return st;
        answer =
            JsonResponse(201, {{"booking_id", appt->booking.id},
                               {"slot_id", appt->slot.id},
                               {"service", appt->service.code},
                               {"starts_at", IsoTime(appt->slot.starts_at)},
                               {"centre_id", conv.centre_id},
                               {"text", told.text}});
        return Audit(db, caller, "book", conv, now,
                     "booking " + std::to_string(appt->booking.id));
      });
  if (!refused.ok()) {
    using Code = core::Status::Code;
    switch (refused.code()) {
      case Code::kAlreadyExists:
        return ErrorResponse(409, "the slot is taken: choose another");
      case Code::kNotFound:
        return ErrorResponse(404, "no such slot");
      case Code::kInvalidArgument:
        return ErrorResponse(422, refused.message());
      default:
        return Unavailable();
    }
  }
  if (!s.ok()) return Unavailable();
  if (answer->status == 201 && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

}  // namespace sportello::http
