// POST /api/conversations/{id}/transfer: a conversation goes to another
// centre with a note for its staff (ConsoleApi, bot/web/console_api.h).
//
// The receiving centre takes the person up as it would anyone who asked
// for a person: the conversation enters its queue, held by nobody, waiting
// from now (a counsellor of the old centre who held it lets go: they no
// longer see it). The person is told where they are going, that the new
// centre will write to them there and how to leave the queue. Bookings
// already made stay as they are, at the old centre, and the person is told
// that too.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/channels/json_guard.h"
#include "bot/domain/console.h"
#include "bot/flows/handoff.h"
#include "bot/flows/router.h"
#include "bot/outbound/replies.h"
#include "bot/web/console_api.h"
#include "bot/web/console_paths.h"
#include "bot/web/console_scope.h"
#include "bot/web/iso_time.h"
#include "bot/web/json_response.h"
#include "storage/appointments.h"
#include "storage/audit.h"
#include "storage/centres.h"
#include "storage/console_views.h"
#include "storage/conversations.h"
#include "storage/notes.h"
#include "storage/users.h"

namespace sportello::http {
namespace {

using nlohmann::json;
using storage::ConversationMode;

constexpr size_t kMaxBody = 16 * 1024;
constexpr size_t kMaxNoteBytes = 4096;

struct TransferRequest {
  int64_t centre_id = 0;
  std::string note;
};

std::variant<TransferRequest, Response> ParseTransfer(const Request& r) {
  if (r.body.size() > kMaxBody) return ErrorResponse(400, "body too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return ErrorResponse(400, body.status().message());
  TransferRequest t;
  auto centre = body->find("centre_id");
  if (centre == body->end() || !centre->is_number_integer() ||
      centre->get<int64_t>() < 1)
    return FieldError("centre_id", "centre_id must be a centre's id");
  t.centre_id = centre->get<int64_t>();
  auto note = body->find("note");
  if (note == body->end() || !note->is_string())
    return FieldError("note", "note must say what the new centre should know");
  t.note = note->get<std::string>();
  if (t.note.find_first_not_of(" \t\r\n") == std::string::npos ||
      t.note.size() > kMaxNoteBytes)
    return FieldError("note", "note must have 1-4096 bytes");
  return t;
}

}  // namespace

Response ConsoleApi::Transfer(const Caller& caller, int64_t id,
                              const Request& r) {
  auto parsed = ParseTransfer(r);
  if (auto* bad = std::get_if<Response>(&parsed)) return std::move(*bad);
  const TransferRequest& t = std::get<TransferRequest>(parsed);
  std::optional<Response> answer;
  bool wrote_outbox = false;
  const int64_t now = deps_.clock.NowMillis();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto found = storage::FindConversationIn(db, id, ObjectScope(caller));
    if (!found.ok()) return found.status();
    auto user = found->has_value()
                    ? storage::FindUserById(db, (*found)->user_id)
                    : core::Result<std::optional<storage::User>>(std::nullopt);
    if (!user.ok()) return user.status();
    if (!found->has_value() || !user->has_value()) {
      answer = ErrorResponse(404, "no such conversation");
      return core::Status::Ok();
    }
    storage::Conversation conv = std::move(**found);
    const storage::User& person = **user;
    const console::Staff who{caller.username,
                             caller.role == storage::StaffRole::kAdmin};
    if (auto no = console::MayTransfer(conv, who);
        no != console::Refusal::kAllowed) {
      answer = JsonResponse(
          409, {{"error", console::RefusalText(no)},
                {"assigned_to",
                 conv.assigned_to ? json(*conv.assigned_to) : json()}});
      return core::Status::Ok();
    }
    // Any enabled centre of the network: staff send a person where they
    // are best served, not only among their own centres.
    auto target = storage::FindCentre(db, t.centre_id);
    if (!target.ok()) return target.status();
    if (!target->has_value() || (*target)->disabled) {
      answer = FieldError("centre_id", "no such centre, or it is disabled");
      return core::Status::Ok();
    }
    if ((*target)->id == conv.centre_id) {
      answer = FieldError("centre_id", "the conversation is that centre's");
      return core::Status::Ok();
    }
    auto origin = storage::FindCentre(db, conv.centre_id);
    if (!origin.ok()) return origin.status();
    const int64_t from_centre = conv.centre_id;
    const std::string from_name =
        origin->has_value() ? (*origin)->name : std::to_string(from_centre);

    // The old stay in the queue ends, and its "still waiting" notice with
    // it; the new centre's queue has them from now.
    if (auto st = flows::CancelHandoffTimeout(db, conv); !st.ok()) return st;
    conv.mode = ConversationMode::kWaitingForHuman;
    conv.assigned_to.reset();
    conv.waiting_since = now;
    conv.flow.clear();
    conv.step.clear();
    const std::string& lang = person.language;
    const std::vector<core::Button> leave = {
        {flows::kLeaveQueue, deps_.catalog.Text(lang, "handoff.leave_button")}};
    SetOfferedButtons(conv, leave);
    if (auto st = storage::SaveConversation(db, conv, now); !st.ok()) return st;
    if (auto st = storage::PlaceConversation(db, id, t.centre_id, now);
        !st.ok())
      return st;
    conv.centre_id = t.centre_id;

    auto note =
        storage::AddNote(db, id, caller.username,
                         "Trasferita da " + from_name + ": " + t.note, now);
    if (!note.ok()) return note.status();

    const storage::Centre& to = **target;
    core::OutboundMessage told;
    told.text = to.address.empty()
                    ? deps_.catalog.Text(lang, "transfer.done_no_address",
                                         {{"centre", to.name}})
                    : deps_.catalog.Text(
                          lang, "transfer.done",
                          {{"centre", to.name}, {"address", to.address}});
    auto booked = storage::ListBookedForUser(db, person.id, now);
    if (!booked.ok()) return booked.status();
    if (!booked->empty())
      told.text += "\n" + deps_.catalog.Text(lang, "transfer.bookings_stay");
    told.buttons = leave;
    if (auto st =
            WriteToPerson(db, person, id, told, "bot", kPriorityReply, now);
        !st.ok())
      return st;
    wrote_outbox = true;

    answer = JsonResponse(
        200, {{"id", id},
              {"centre_id", t.centre_id},
              {"from_centre_id", from_centre},
              {"mode", std::string(storage::ConversationModeName(conv.mode))},
              {"assigned_to", nullptr},
              {"waiting_since", IsoTime(conv.waiting_since)},
              {"note_id", *note}});
    // On record with the centre it left: its staff acted on their own
    // conversation; the detail names both.
    return storage::AppendAudit(
        db, {0, now, caller.username, "transfer", id, conv.user_id,
             "from " + std::to_string(from_centre) + " to " +
                 std::to_string(t.centre_id),
             from_centre});
  });
  if (!s.ok()) return Unavailable();
  if (wrote_outbox && deps_.outbox_written) deps_.outbox_written();
  return std::move(*answer);
}

}  // namespace sportello::http
