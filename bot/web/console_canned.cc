// Canned replies: GET /api/canned-replies[?conversation=ID] for everyone
// (filled in for that conversation), PUT for admins. Kept as one JSON
// setting: a short list edited as a whole.
#include <nlohmann/json.hpp>
#include <string>

#include "bot/channels/json_guard.h"
#include "bot/domain/booking.h"
#include "bot/domain/console.h"
#include "bot/flows/centre.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/json_response.h"
#include "storage/audit.h"
#include "storage/console_views.h"
#include "storage/conversations.h"
#include "storage/profiles.h"
#include "storage/settings.h"
#include "storage/users.h"

namespace sportello::http {
namespace {

using nlohmann::json;

constexpr std::string_view kSetting = "console.canned_replies";
constexpr size_t kMaxReplies = 20;
constexpr size_t kMaxTitle = 60;
constexpr size_t kMaxText = 1000;
constexpr size_t kMaxBody = 64 * 1024;

// The stored list; [] when none or unreadable (an admin saves it again).
json Stored(storage::Database& db, core::Status& status) {
  auto value = storage::GetSetting(db, kSetting);
  if (!value.ok()) {
    status = value.status();
    return json::array();
  }
  if (!value->has_value()) return json::array();
  json list = json::parse(**value, nullptr, false);
  return list.is_array() ? list : json::array();
}

void ReplaceAll(std::string& text, std::string_view from,
                const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

Response ConsoleApi::CannedReplies(const Caller& caller, const Request& r) {
  std::optional<int64_t> conversation;
  if (auto it = r.query.find("conversation");
      it != r.query.end() && !it->second.empty()) {
    conversation = ParseId(it->second);
    if (!conversation) return ErrorResponse(400, "conversation must be an id");
  }
  json list;
  std::optional<Response> answer;
  const int64_t now = deps_.clock.NowMillis();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    core::Status status;
    list = Stored(db, status);
    if (!status.ok()) return status;
    if (!conversation) return core::Status::Ok();
    auto c =
        storage::FindConversationIn(db, *conversation, ObjectScope(caller));
    if (!c.ok()) return c.status();
    if (!c->has_value()) {
      answer = ErrorResponse(404, "no such conversation");
      return core::Status::Ok();
    }
    auto u = storage::FindUserById(db, (*c)->user_id);
    if (!u.ok()) return u.status();
    if (!u->has_value()) {
      answer = ErrorResponse(404, "no such conversation");
      return core::Status::Ok();
    }
    const storage::User& user = **u;
    // {centro} is the person's centre, as the bot names it to them.
    auto centre = flows::CentreAsTold(db, (*c)->centre_id, deps_.flows.centre);
    if (!centre.ok()) return centre.status();
    auto profile = storage::FindProfile(db, user.id);
    if (!profile.ok()) return profile.status();
    std::string given;
    if (profile->has_value()) {
      auto n = (*profile)->answers.find("name");
      if (n != (*profile)->answers.end()) given = n->second;
    }
    // A pseudonym is for the console only: {nome} stays empty without a
    // real name, and the counsellor is told.
    std::string name = given.empty() ? user.name : given;
    auto upcoming = booking::UpcomingAppointments(db, user.id, now);
    if (!upcoming.ok()) return upcoming.status();
    const std::string lang = user.language.empty() ? "it" : user.language;
    const std::string next =
        upcoming->empty()
            ? ""
            : booking::FormatWhen(lang, upcoming->front().slot.starts_at);
    for (auto& reply : list) {
      std::string text = reply.value("text", "");
      json missing = json::array();
      if (text.find("{nome}") != std::string::npos && name.empty())
        missing.push_back("nome");
      if (text.find("{prossimo_appuntamento}") != std::string::npos &&
          next.empty())
        missing.push_back("prossimo_appuntamento");
      ReplaceAll(text, "{nome}", name);
      ReplaceAll(text, "{centro}", centre->name);
      ReplaceAll(text, "{prossimo_appuntamento}", next);
      reply["filled"] = text;
      reply["missing"] = std::move(missing);
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return Unavailable();
  if (answer) return std::move(*answer);
  return JsonResponse(200, {{"replies", list}});
}

Response ConsoleApi::SaveCannedReplies(const Caller& caller, const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(413, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  auto replies = body->find("replies");
  if (replies == body->end() || !replies->is_array())
    return FieldError("replies", "replies must be a list");
  if (replies->size() > kMaxReplies)
    return FieldError("replies", "at most 20 canned replies");
  json clean = json::array();
  for (const auto& one : *replies) {
    if (!one.is_object())
      return FieldError("replies", "each reply is an object");
    auto title = one.find("title");
    auto text = one.find("text");
    if (title == one.end() || !title->is_string() ||
        title->get<std::string>().empty() ||
        title->get<std::string>().size() > kMaxTitle)
      return FieldError("replies.title", "a title has 1-60 bytes");
    if (text == one.end() || !text->is_string() ||
        text->get<std::string>().find_first_not_of(" \t\r\n") ==
            std::string::npos ||
        text->get<std::string>().size() > kMaxText)
      return FieldError("replies.text", "a text has 1-1000 bytes");
    clean.push_back({{"title", *title}, {"text", *text}});
  }
  const int64_t now = deps_.clock.NowMillis();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    if (auto st = storage::PutSetting(
            db, kSetting,
            clean.dump(-1, ' ', false, json::error_handler_t::replace));
        !st.ok())
      return st;
    return storage::AppendAudit(
        db,
        {0, now, caller.username, "canned_replies", std::nullopt, std::nullopt,
         std::to_string(clean.size()) + " replies", std::nullopt});
  });
  if (!s.ok()) return Unavailable();
  return JsonResponse(200, {{"replies", clean}});
}

}  // namespace sportello::http
