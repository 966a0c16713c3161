// GET /api/stream: server-sent events telling the console what changed, so
// it refetches what it shows (ConsoleApi, bot/web/console_api.h). Events
// carry ids, never message texts: reading a conversation stays an audited
// GET.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/web/console_api.h"
#include "storage/database.h"
#include "storage/staff.h"

namespace sportello::http {
namespace {

using nlohmann::json;

// How often the database is polled; the console shows news within this
// plus its own fetch.
constexpr auto kPollInterval = std::chrono::milliseconds(1000);
constexpr auto kAliveCheck = std::chrono::milliseconds(250);
// A comment line now and then keeps proxies from closing an idle stream.
constexpr auto kPingInterval = std::chrono::seconds(15);
constexpr int kMaxEventsPerPoll = 200;

std::string Event(std::string_view name, const json& data) {
  return "event: " + std::string(name) + "\ndata: " + data.dump() + "\n\n";
}

struct Cursor {
  int64_t message_id = 0;       // the newest message already announced
  int64_t conversation_at = 0;  // the newest conversation change announced
};

// The events since `cursor`, moving it forward.
core::Result<std::string> Poll(storage::Database& db, Cursor& cursor) {
  std::string out;
  storage::Statement conv = db.Prepare(
      "SELECT id, mode, assigned_to, waiting_since, updated_at"
      " FROM conversations WHERE updated_at > ? ORDER BY updated_at, id"
      " LIMIT ?");
  conv.Bind(1, cursor.conversation_at).Bind(2, kMaxEventsPerPoll);
  while (conv.Step()) {
    out += Event("conversation",
                 {{"id", conv.Int(0)},
                  {"mode", conv.Text(1)},
                  {"assigned_to", conv.IsNull(2) ? json() : json(conv.Text(2))},
                  {"waiting", conv.Text(1) == "waiting_for_human"}});
    cursor.conversation_at = std::max(cursor.conversation_at, conv.Int(4));
  }
  if (!conv.status().ok()) return conv.status();
  storage::Statement msg = db.Prepare(
      "SELECT id, conversation_id, direction, author FROM messages"
      " WHERE id > ? ORDER BY id LIMIT ?");
  msg.Bind(1, cursor.message_id).Bind(2, kMaxEventsPerPoll);
  while (msg.Step()) {
    out += Event("message", {{"id", msg.Int(0)},
                             {"conversation_id", msg.Int(1)},
                             {"direction", msg.Text(2)},
                             {"author", msg.Text(3)}});
    cursor.message_id = msg.Int(0);
  }
  if (!msg.status().ok()) return msg.status();
  return out;
}

core::Result<std::pair<Cursor, int64_t>> Start(storage::Database& db) {
  storage::Statement st = db.Prepare(
      "SELECT (SELECT coalesce(max(id), 0) FROM messages),"
      " (SELECT coalesce(max(updated_at), 0) FROM conversations),"
      " (SELECT count(*) FROM conversations WHERE mode = "
      "'waiting_for_human')");
  if (!st.Step()) {
    return st.status().ok() ? core::Status::Internal("stream: no state")
                            : st.status();
  }
  return std::make_pair(Cursor{st.Int(0), st.Int(1)}, st.Int(2));
}

}  // namespace

Response ConsoleApi::Stream(const Caller& caller) {
  Response r;
  r.content_type = "text/event-stream";
  r.headers.push_back({"Cache-Control", "no-store"});
  r.headers.push_back({"X-Accel-Buffering", "no"});  // nginx: do not buffer
  storage::Store& store = deps_.store;
  const core::Clock& clock = deps_.clock;
  const int64_t idle_ms = int64_t{deps_.config.session_idle_minutes} * 60'000;
  r.stream = [&store, &clock, idle_ms,
              token_hash = caller.token_hash](const Response::Writer& write) {
    // A reader connection of its own: polling never waits for the writer.
    auto db = store.OpenReader();
    if (!db.ok()) return;
    auto start = Start(**db);
    if (!start.ok()) return;
    Cursor cursor = start->first;
    if (!write(Event("hello", {{"waiting", start->second}}))) return;
    auto last_write = std::chrono::steady_clock::now();
    for (;;) {
      for (auto waited = std::chrono::milliseconds(0); waited < kPollInterval;
           waited += kAliveCheck) {
        std::this_thread::sleep_for(kAliveCheck);
        if (!write("")) return;
      }
      // The stream ends with its session (logout, idle, account disabled):
      // it does not keep the session alive, the page's own requests do.
      auto session = storage::FindSession(**db, token_hash);
      if (!session.ok() || !session->has_value() ||
          clock.NowMillis() - (*session)->last_seen_at > idle_ms) {
        return;
      }
      auto events = Poll(**db, cursor);
      if (!events.ok()) return;
      const auto now = std::chrono::steady_clock::now();
      if (!events->empty()) {
        if (!write(*events)) return;
        last_write = now;
      } else if (now - last_write >= kPingInterval) {
        if (!write(": ping\n\n")) return;
        last_write = now;
      }
    }
  };
  return r;
}

}  // namespace sportello::http
