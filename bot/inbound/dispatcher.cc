#include "bot/inbound/dispatcher.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "bot/channels/outbound.h"
#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "bot/domain/reply_language.h"
#include "bot/flows/centre.h"
#include "bot/flows/handoff.h"
#include "bot/outbound/replies.h"
#include "storage/centres.h"
#include "storage/codec.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/notes.h"
#include "storage/outbox.h"
#include "storage/users.h"

namespace sportello {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// A typed "2" or a typed button title becomes a press of that button.
void ResolveTypedChoice(core::InboundMessage& in,
                        const std::vector<core::Button>& offered) {
  if (in.kind != core::InboundKind::kText || offered.empty()) return;
  std::string_view t = in.text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\n'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '.' || t.back() == '\n'))
    t.remove_suffix(1);
  if (!t.empty() && t.size() <= 2 &&
      std::all_of(t.begin(), t.end(), ::isdigit)) {
    const size_t n = static_cast<size_t>(*core::ParseInt(t, 0, 99));
    if (n >= 1 && n <= offered.size()) {
      in.kind = core::InboundKind::kButton;
      in.button_id = offered[n - 1].id;
      return;
    }
  }
  const std::string typed = Lower(t);
  for (const auto& b : offered) {
    if (!typed.empty() && Lower(b.title) == typed) {
      in.kind = core::InboundKind::kButton;
      in.button_id = b.id;
      return;
    }
  }
}

}  // namespace

Dispatcher::Dispatcher(const intents::Engine& engine, flows::FlowDeps deps,
                       const ReferenceData& data)
    : engine_(engine),
      catalog_(deps.catalog),
      configured_centre_(deps.centre),
      router_(deps, flows::MakeFlows(deps, data)) {}

Dispatcher::Prepared Dispatcher::Prepare(
    const storage::InboxRow& row, std::chrono::year_month_day today) const {
  Prepared p;
  p.row = row;
  if (row.kind == "message") {
    auto m = DecodeInbound(row.payload);
    if (!m.ok()) {
      p.decoded = m.status();
      return p;
    }
    p.message = std::move(*m);
    if (p.message->kind == core::InboundKind::kText &&
        !p.message->text.empty()) {
      p.analysis = engine_.Analyze(p.message->text, today);
    }
  } else if (row.kind == "status") {
    auto s = DecodeStatusUpdate(row.payload);
    if (!s.ok())
      p.decoded = s.status();
    else
      p.receipt = std::move(*s);
  } else if (row.kind == "membership") {
    auto b = DecodeMembership(row.payload);
    if (!b.ok())
      p.decoded = b.status();
    else
      p.membership = std::move(*b);
  } else {
    p.decoded = core::Status::InvalidArgument(
        "dispatcher: unknown inbox kind " + row.kind);
  }
  return p;
}

core::Result<Dispatcher::Applied> Dispatcher::Apply(storage::Database& db,
                                                    const Prepared& p,
                                                    int64_t now_ms) const {
  Applied applied;
  auto done = storage::IsInboxProcessed(db, p.row.id);
  if (!done.ok()) return done.status();
  if (*done) {
    applied.skipped = true;
    return applied;
  }
  if (!p.decoded.ok()) {
    core::LogWarn("dispatcher", "inbox " + std::to_string(p.row.id) +
                                    " unusable: " + p.decoded.ToString());
    if (auto s = storage::MarkInboxProcessed(db, p.row.id, now_ms,
                                             p.decoded.message());
        !s.ok()) {
      return s;
    }
    return applied;
  }
  if (p.message) {
    auto wrote = ApplyMessage(db, p, now_ms);
    if (!wrote.ok()) return wrote.status();
    applied.wrote_outbox = *wrote;
  } else if (p.receipt) {
    if (auto s = storage::ApplyReceipt(db, *p.receipt, now_ms); !s.ok())
      return s;
  } else if (p.membership) {
    if (auto s = ApplyMembership(db, *p.membership); !s.ok()) return s;
  }
  if (auto s = storage::MarkInboxProcessed(db, p.row.id, now_ms); !s.ok())
    return s;
  return applied;
}

core::Status Dispatcher::ApplyMembership(
    storage::Database& db, const core::MembershipChange& m) const {
  auto user = storage::FindUser(db, core::ChannelName(m.channel), m.user_id);
  if (!user.ok()) return user.status();
  if (!user->has_value())
    return core::Status::Ok();  // never wrote to us: nothing to mark
  return storage::SetUserBlocked(db, (*user)->id, m.blocked);
}

core::Result<bool> Dispatcher::ApplyMessage(storage::Database& db,
                                            const Prepared& p,
                                            int64_t now_ms) const {
  core::InboundMessage in = *p.message;
  const std::string channel(core::ChannelName(in.channel));
  // A message to another number of our WhatsApp app, or another of our
  // Telegram bots: a centre's own, whose people belong to that centre (a
  // closed centre's to the first), or a stranger's, which is none of ours
  // to answer.
  std::optional<int64_t> own_centre;
  if (!in.account.empty()) {
    const bool telegram = in.channel == core::Channel::kTelegram;
    auto owner = telegram ? storage::CentreOfTelegramBot(db, in.account)
                          : storage::CentreOfWhatsAppNumber(db, in.account);
    if (!owner.ok()) return owner.status();
    if (!owner->has_value()) {
      core::LogWarn("dispatcher",
                    "inbox " + std::to_string(p.row.id) +
                        ": ignored, sent to " +
                        (telegram ? "Telegram bot '" : "phone_number_id '") +
                        in.account + "', which is no centre's own");
      return false;
    }
    own_centre =
        (*owner)->disabled ? storage::kFirstCentre : (*owner)->centre_id;
  }
  auto user = storage::UpsertUserOnInbound(db, channel, in.user_id, in.chat_id,
                                           in.user_name, now_ms);
  if (!user.ok()) return user.status();
  auto conv = storage::GetOrCreateConversation(db, user->id, now_ms);
  if (!conv.ok()) return conv.status();
  // Replies go from the number the person last wrote to, where their 24 h
  // window is open.
  if (user->account != in.account) {
    if (auto s = storage::SetUserAccount(db, user->id, in.account); !s.ok())
      return s;
    user->account = in.account;
  }
  if (own_centre && conv->centre_id != *own_centre) {
    if (auto s = storage::PlaceConversation(db, conv->id, *own_centre, now_ms);
        !s.ok())
      return s;
    conv->centre_id = *own_centre;
  }

  const std::string lang =
      ReplyLanguage(user->language, in.text, p.analysis, in.language);
  if (lang != user->language) {
    if (auto s = storage::SetUserLanguage(db, user->id, lang); !s.ok())
      return s;
    user->language = lang;
  }

  const std::vector<core::Button> on_offer = OfferedButtons(*conv);
  ResolveTypedChoice(in, on_offer);
  // A press stored without its words reads as an empty bubble in the
  // console: keep the title the person saw (it was in their language).
  if (in.kind == core::InboundKind::kButton && in.text.empty()) {
    for (const auto& b : on_offer) {
      if (b.id == in.button_id) {
        in.text = b.title;
        break;
      }
    }
  }

  storage::NewMessage history;
  history.conversation_id = conv->id;
  history.direction = "in";
  history.author = "user";
  history.kind = std::string(core::InboundKindName(in.kind));
  history.text = in.text;
  if (!in.button_id.empty()) history.button_id = in.button_id;
  history.inbox_id = p.row.id;
  history.status = core::DeliveryState::kRead;
  if (auto id = storage::InsertMessage(db, history, now_ms); !id.ok())
    return id.status();

  bool wrote_outbox = false;
  auto enqueue = [&](const core::OutboundMessage& msg,
                     std::optional<int64_t> message_id,
                     int priority) -> core::Status {
    storage::NewOutboxRow row;
    row.channel = channel;
    row.chat_id = msg.chat_id;
    row.user_id = user->id;
    row.message_id = message_id;
    row.kind = std::string(core::OutboundKindName(msg.kind));
    row.payload = EncodeOutbound(msg);
    row.priority = priority;
    row.due_at = now_ms;
    auto id = storage::EnqueueOutbox(db, row, now_ms);
    wrote_outbox = true;
    return id.status();
  };

  // The spinner on a pressed Telegram button stops only when answered,
  // whoever holds the conversation.
  if (!in.callback_query_id.empty()) {
    core::OutboundMessage answer;
    answer.channel = in.channel;
    answer.chat_id = in.chat_id;
    answer.kind = core::OutboundKind::kCallbackAnswer;
    answer.callback_query_id = in.callback_query_id;
    if (auto s = enqueue(answer, std::nullopt, kPriorityCallbackAnswer);
        !s.ok())
      return s;
  }

  // A booking is what we offer people we cannot serve now (out of hours,
  // or waiting too long): pressing it leaves the queue for the bot.
  if (conv->mode == storage::ConversationMode::kWaitingForHuman &&
      in.kind == core::InboundKind::kButton &&
      in.button_id == flows::kMenuBooking) {
    if (auto s = flows::CancelHandoffTimeout(db, *conv); !s.ok()) return s;
    conv->mode = storage::ConversationMode::kBot;
    conv->waiting_since.reset();
  }

  const bool waiting =
      conv->mode == storage::ConversationMode::kWaitingForHuman;
  const bool held = conv->mode == storage::ConversationMode::kHuman;
  {
    // The person's centre, as the bot tells it: one read of its row a turn.
    auto centre = flows::CentreOfTurn(db, *conv, configured_centre_, now_ms);
    if (!centre.ok()) return centre.status();
    flows::Turn turn{in,     p.analysis, *user,   *conv, lang,
                     now_ms, db,         *centre, {}};
    const std::vector<flows::Reply> replies =
        held      ? router_.RespondWhileHeld(turn)
        : waiting ? router_.RespondWhileWaiting(turn)
                  : router_.Respond(turn);
    // Rolls the whole batch back: the processor runs it again row by row,
    // and this row later (bot/inbound/processor.cc).
    if (!turn.retry.ok()) return turn.retry;
    std::vector<core::Button> offered;
    for (const auto& reply : replies) {
      core::OutboundMessage msg;
      msg.text = reply.text;
      msg.buttons = reply.buttons;
      if (!reply.buttons.empty()) offered = reply.buttons;
      if (auto s = WriteToPerson(db, *user, conv->id, std::move(msg), "bot",
                                 kPriorityReply, now_ms);
          !s.ok())
        return s;
      wrote_outbox = true;
    }
    // A message kept for the counsellor leaves the buttons on offer as
    // they were.
    const bool bot_holds = !waiting && !held;
    if (!replies.empty() || bot_holds) SetOfferedButtons(*conv, offered);
    // The counsellor reads the bot's answer in the transcript; the note says
    // why the bot spoke in a conversation they hold.
    if (held && !replies.empty()) {
      auto note =
          storage::AddNote(db, conv->id, "bot",
                           catalog_.Text("it", "handoff.rights_note"), now_ms);
      if (!note.ok()) return note.status();
    }
  }
  conv->last_message_at = now_ms;
  if (auto s = storage::SaveConversation(db, *conv, now_ms); !s.ok()) return s;
  return wrote_outbox;
}

}  // namespace sportello
