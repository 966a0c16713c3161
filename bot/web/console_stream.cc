// GET /api/stream: server-sent events telling the console what changed, so
// it refetches what it shows (ConsoleApi, bot/web/console_api.h). Events
// carry ids, never message texts: reading a conversation stays an audited
// GET.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/core/change_signal.h"
#include "bot/web/console_api.h"
#include "bot/web/console_scope.h"
#include "storage/console_views.h"
#include "storage/database.h"
#include "storage/staff.h"
#include "storage/store.h"

namespace sportello::http {
namespace {

using nlohmann::json;

// A stream looks at the database when told of news (storage::Store::
// console_changes(): a commit in this process on SQLite, in any process on
// PostgreSQL), at most this often, so that a burst of commits costs each
// stream a few looks rather than one per commit.
constexpr auto kMinPollGap = std::chrono::milliseconds(100);
// Whether the browser is still there, and whether the session still is.
constexpr auto kAliveCheck = std::chrono::milliseconds(250);
constexpr auto kSessionCheck = std::chrono::milliseconds(1000);
// A comment line now and then keeps proxies from closing an idle stream.
constexpr auto kPingInterval = std::chrono::seconds(15);
constexpr int kMaxEventsPerPoll = 200;

std::string Event(std::string_view name, const json& data) {
  return "event: " + std::string(name) + "\ndata: " + data.dump() + "\n\n";
}

// The events since `cursor`, moving it forward. `more`: a batch was full,
// so there may be more to read at once.
core::Result<std::string> Poll(storage::Database& db,
                               const storage::CentreScope& scope,
                               storage::StreamCursor& cursor, bool& more) {
  auto changed =
      storage::ConversationsChangedSince(db, cursor, scope, kMaxEventsPerPoll);
  if (!changed.ok()) return changed.status();
  auto added =
      storage::MessagesAddedSince(db, cursor, scope, kMaxEventsPerPoll);
  if (!added.ok()) return added.status();
  const auto full = static_cast<size_t>(kMaxEventsPerPoll);
  more = changed->size() >= full || added->size() >= full;
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
  const auto poll_every =
      std::chrono::seconds(deps_.config.stream_poll_seconds);
  // The caller's centres as they were at the start: a stream is short
  // lived, and a change of centres takes effect with the next one.
  r.stream = [&store, &clock, idle_ms, poll_every,
              token_hash = caller.token_hash,
              scope = ObjectScope(caller)](const Response::Writer& write) {
    using Steady = std::chrono::steady_clock;
    core::ChangeSignal& changes = store.console_changes();
    // Read before the stream's start, so that no commit after it goes
    // untold.
    uint64_t seen = changes.generation();
    // A reader connection of its own: polling never waits for the writer.
    auto db = store.OpenReader();
    if (!db.ok()) return;
    auto start = storage::StartStream(**db, scope);
    if (!start.ok()) return;
    storage::StreamCursor cursor = start->cursor;
    if (!write(Event("hello", {{"waiting", start->waiting}}))) return;
    auto last_write = Steady::now();
    auto last_poll = last_write;
    auto last_session = last_write;
    bool news = false;
    for (;;) {
      if (!news) {
        const uint64_t now_at = changes.WaitChange(seen, kAliveCheck);
        news = now_at != seen;
        seen = now_at;
      } else {
        const auto gap = kMinPollGap - (Steady::now() - last_poll);
        if (gap > Steady::duration::zero()) std::this_thread::sleep_for(gap);
      }
      if (!write("")) return;
      const auto now = Steady::now();
      // Without news, the database is still looked at now and then: a
      // safety net for what no one told (a command run beside serve on
      // SQLite, a listener reconnecting on PostgreSQL).
      const bool due = (news && now - last_poll >= kMinPollGap) ||
                       now - last_poll >= poll_every;
      // The stream ends with its session (logout, idle, account disabled):
      // it does not keep the session alive, the page's own requests do.
      if (due || now - last_session >= kSessionCheck) {
        last_session = now;
        auto session = storage::FindSession(**db, token_hash);
        if (!session.ok() || !session->has_value() ||
            clock.NowMillis() - (*session)->last_seen_at > idle_ms) {
          return;
        }
      }
      if (due) {
        last_poll = now;
        auto events = Poll(**db, scope, cursor, news);
        if (!events.ok()) return;
        if (!events->empty()) {
          if (!write(*events)) return;
          last_write = now;
        }
      }
      if (now - last_write >= kPingInterval) {
        if (!write(": ping\n\n")) return;
        last_write = now;
      }
    }
  };
  return r;
}

}  // namespace sportello::http
