#include "storage/messages.h"

#include <cstdio>

namespace sportello::storage {
namespace {

constexpr const char* kColumns =
    "id, conversation_id, direction, author, kind, text, button_id, buttons, "
    "provider_message_id,"
    " status, error, created_at, updated_at";

MessageRow ReadMessage(const Statement& st) {
  MessageRow m;
  m.id = st.Int(0);
  m.conversation_id = st.Int(1);
  m.direction = st.Text(2);
  m.author = st.Text(3);
  m.kind = st.Text(4);
  m.text = st.Text(5);
  m.button_id = st.OptionalText(6);
  m.buttons = st.OptionalText(7);
  m.provider_message_id = st.OptionalText(8);
  m.status = st.Text(9);
  m.error = st.OptionalText(10);
  m.created_at = st.Int(11);
  m.updated_at = st.Int(12);
  return m;
}

int Rank(core::DeliveryState s) { return static_cast<int>(s); }

// Moves message `where` forward to `state` unless it is already at or past it
// or failed. The WHERE clause is the monotonic rule.
constexpr const char* kAdvanceSql =
    "UPDATE messages SET status = ?1, status_rank = ?2, error = coalesce(?3, "
    "error),"
    " updated_at = ?4 WHERE %s AND status_rank < ?2 AND status <> 'failed'";

}  // namespace

core::Result<int64_t> InsertMessage(Database& db, const NewMessage& m,
                                    int64_t now_ms) {
  Statement& st = db.Cached(
      "INSERT INTO messages(conversation_id, direction, author, kind, text, "
      "button_id, buttons,"
      " inbox_id, status, status_rank, created_at, updated_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING "
      "id");
  st.Bind(1, m.conversation_id)
      .Bind(2, m.direction)
      .Bind(3, m.author)
      .Bind(4, m.kind)
      .Bind(5, m.text)
      .Bind(6, m.button_id)
      .Bind(7, m.buttons)
      .Bind(8, m.inbox_id)
      .Bind(9, core::DeliveryStateName(m.status))
      .Bind(10, Rank(m.status))
      .Bind(11, now_ms);
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  if (!id) return core::Status::Internal("messages: insert returned no id");
  return *id;
}

core::Status MarkMessageSent(Database& db, int64_t message_id,
                             std::string_view channel,
                             std::string_view provider_message_id,
                             int64_t now_ms) {
  {
    Statement& st = db.Cached(
        "UPDATE messages SET provider_message_id = nullif(?1, '') WHERE id = "
        "?2");
    st.Bind(1, provider_message_id).Bind(2, message_id);
    if (auto s = st.Run(); !s.ok()) return s;
  }
  char sql[320];
  std::snprintf(sql, sizeof sql, kAdvanceSql, "id = ?5");
  Statement& adv = db.Cached(sql);
  adv.Bind(1, core::DeliveryStateName(core::DeliveryState::kSent))
      .Bind(2, Rank(core::DeliveryState::kSent))
      .Bind(3, std::nullopt)
      .Bind(4, now_ms)
      .Bind(5, message_id);
  if (auto s = adv.Run(); !s.ok()) return s;
  if (provider_message_id.empty()) return core::Status::Ok();
  // Receipts that beat the send's response.
  // Cached: every message sent, every notice of a broadcast, comes here.
  Statement& early = db.Cached(
      "SELECT status, status_rank, at, error_code, error_title FROM receipts"
      " WHERE channel = ? AND provider_message_id = ? ORDER BY status_rank "
      "DESC LIMIT 1");
  early.Bind(1, channel).Bind(2, provider_message_id);
  if (early.Step()) {
    core::StatusUpdate r;
    r.channel = core::ParseChannel(channel).value_or(core::Channel::kWhatsApp);
    r.provider_message_id = std::string(provider_message_id);
    r.state = core::ParseDeliveryState(early.Text(0))
                  .value_or(core::DeliveryState::kSent);
    r.at = early.Int(2);
    r.error_code = static_cast<int>(early.OptionalInt(3).value_or(0));
    r.error_title = early.Text(4);
    early.Reset();
    return ApplyReceipt(db, r, now_ms);
  }
  const core::Status status = early.status();
  early.Reset();
  return status;
}

core::Status MarkMessageFailed(Database& db, int64_t message_id,
                               std::string_view error, int64_t now_ms) {
  char sql[320];
  std::snprintf(sql, sizeof sql, kAdvanceSql, "id = ?5");
  Statement& st = db.Cached(sql);
  st.Bind(1, core::DeliveryStateName(core::DeliveryState::kFailed))
      .Bind(2, Rank(core::DeliveryState::kFailed))
      .Bind(3, error)
      .Bind(4, now_ms)
      .Bind(5, message_id);
  return st.Run();
}

core::Status ApplyReceipt(Database& db, const core::StatusUpdate& r,
                          int64_t now_ms) {
  const std::string_view channel = core::ChannelName(r.channel);
  Statement& ins = db.Cached(
      "INSERT INTO receipts(channel, provider_message_id, status, status_rank, "
      "at, error_code,"
      " error_title) VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
  ins.Bind(1, channel)
      .Bind(2, r.provider_message_id)
      .Bind(3, core::DeliveryStateName(r.state))
      .Bind(4, Rank(r.state))
      .Bind(5, r.at)
      .Bind(6,
            r.error_code ? std::optional<int64_t>(r.error_code) : std::nullopt)
      .Bind(7, r.error_title.empty()
                   ? std::nullopt
                   : std::optional<std::string>(r.error_title));
  if (auto s = ins.Run(); !s.ok()) return s;
  char sql[320];
  std::snprintf(sql, sizeof sql, kAdvanceSql, "provider_message_id = ?5");
  Statement& adv = db.Cached(sql);
  std::optional<std::string> error;
  if (r.state == core::DeliveryState::kFailed) {
    error = std::to_string(r.error_code) + " " + r.error_title;
  }
  adv.Bind(1, core::DeliveryStateName(r.state))
      .Bind(2, Rank(r.state))
      .Bind(3, error)
      .Bind(4, now_ms)
      .Bind(5, r.provider_message_id);
  return adv.Run();
}

core::Result<std::vector<MessageRow>> ConversationMessages(
    Database& db, int64_t conversation_id, int limit) {
  Statement st = db.Prepare(std::string("SELECT * FROM (SELECT ") + kColumns +
                            " FROM messages WHERE conversation_id = ? ORDER BY "
                            "id DESC LIMIT ?) AS latest"
                            " ORDER BY id");
  st.Bind(1, conversation_id).Bind(2, limit);
  std::vector<MessageRow> out;
  while (st.Step()) out.push_back(ReadMessage(st));
  if (!st.status().ok()) return st.status();
  return out;
}

core::Result<std::optional<MessageRow>> FindMessage(Database& db, int64_t id) {
  Statement st = db.Prepare(std::string("SELECT ") + kColumns +
                            " FROM messages WHERE id = ?");
  st.Bind(1, id);
  if (st.Step()) return std::optional<MessageRow>(ReadMessage(st));
  if (!st.status().ok()) return st.status();
  return std::optional<MessageRow>();
}

}  // namespace sportello::storage
