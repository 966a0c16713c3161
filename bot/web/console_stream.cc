// GET /api/stream: server-sent events telling the console what changed, so
// it refetches what it shows (ConsoleApi, bot/web/console_api.h). Events
// carry ids, never message texts: reading a conversation stays an audited
// GET.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/web/console_api.h"
#include "storage/console_views.h"
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

// The events since `cursor`, moving it forward.
core::Result<std::string> Poll(storage::Database& db,
                               storage::StreamCursor& cursor) {
  auto changed =
      storage::ConversationsChangedSince(db, cursor, kMaxEventsPerPoll);
  if (!changed.ok()) return changed.status();
  auto added = storage::MessagesAddedSince(db, cursor, kMaxEventsPerPoll);
  if (!added.ok()) return added.status();
  std::string out;
  for (const auto& c : *changed) {
    out +=
        Event("conversation",
              {{"id", c.id},
               {"mode", c.mode},
               {"assigned_to", c.assigned_to ? json(*c.assigned_to) : json()},
               {"waiting", c.mode == "waiting_for_human"}});
    cursor.conversation_at = std::max(cursor.conversation_at, c.updated_at);
  }
  for (const auto& m : *added) {
    out += Event("message", {{"id", m.id},
                             {"conversation_id", m.conversation_id},
                             {"direction", m.direction},
                             {"author", m.author}});
    cursor.message_id = m.id;
  }
  return out;
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
    auto start = storage::StartStream(**db);
    if (!start.ok()) return;
    storage::StreamCursor cursor = start->cursor;
    if (!write(Event("hello", {{"waiting", start->waiting}}))) return;
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
