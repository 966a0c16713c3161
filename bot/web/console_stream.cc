// GET /api/stream: server-sent events telling the console what changed, so
// it refetches what it shows (ConsoleApi, bot/web/console_api.h). Events
// carry ids, never message texts: reading a conversation stays an audited
// GET.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
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

// How long a stream's start waits for the writes running then to end, and
// how long a horizon may stay unsettled before the stream stops looking
// below it (a transaction open that long is stuck, not a turn).
constexpr auto kStartSettle = std::chrono::seconds(2);
constexpr auto kMaxUnsettled = std::chrono::seconds(30);

std::string Event(std::string_view name, const json& data) {
  return "event: " + std::string(name) + "\ndata: " + data.dump() + "\n\n";
}

// Messages that commit below one already announced (on PostgreSQL turns of
// different conversations commit side by side, storage/console_views.h):
// the stream looks again, on each poll, between the floor (no message can
// appear at or below it any more) and its cursor, and announces what it has
// not yet. Owned by one stream's thread.
class LateMessages {
 public:
  // Before the stream reads where it starts: waits a little for the writes
  // running now to end, so that what is numbered before them is seen.
  core::Status BeforeStart(storage::Database& db) {
    auto horizon = storage::ReadMessageHorizon(db);
    if (!horizon.ok()) return horizon.status();
    const auto deadline = Steady::now() + kStartSettle;
    for (;;) {
      auto settled = storage::MessageHorizonSettled(db, *horizon);
      if (!settled.ok()) return settled.status();
      if (*settled || Steady::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    floor_ = horizon->last_id;
    return core::Status::Ok();
  }
  // Once the stream's start is read: what is there above the floor is not
  // news.
  core::Status Started(storage::Database& db, const storage::CentreScope& scope,
                       int64_t start_id) {
    floor_ = std::min(floor_, start_id);
    auto seen = storage::MessagesAddedBetween(db, floor_, start_id, scope);
    if (!seen.ok()) return seen.status();
    for (const auto& m : *seen) announced_.insert(m.id);
    return core::Status::Ok();
  }
  // Before a poll's reads: whether the last horizon has settled, and a new
  // one if none is pending.
  core::Status BeforePoll(storage::Database& db) {
    if (pending_) {
      auto settled = storage::MessageHorizonSettled(db, *pending_);
      if (!settled.ok()) return settled.status();
      if (*settled || Steady::now() - pending_since_ >= kMaxUnsettled) {
        settle_to_ = pending_->last_id;
        pending_.reset();
      }
    }
    if (!pending_) {
      auto horizon = storage::ReadMessageHorizon(db);
      if (!horizon.ok()) return horizon.status();
      pending_ = *horizon;
      pending_since_ = Steady::now();
    }
    return core::Status::Ok();
  }
  // Messages between the floor and `upto` not yet announced.
  core::Result<std::vector<storage::MessageAdded>> Late(
      storage::Database& db, const storage::CentreScope& scope, int64_t upto) {
    auto between = storage::MessagesAddedBetween(db, floor_, upto, scope);
    if (!between.ok()) return between.status();
    std::erase_if(*between,
                  [&](const auto& m) { return announced_.count(m.id) > 0; });
    return between;
  }
  void Announced(int64_t id) {
    if (id > floor_) announced_.insert(id);
  }
  // After a poll's reads: a horizon settled before them raises the floor,
  // no higher than what the stream has read.
  void AfterPoll(int64_t cursor_id) {
    if (!settle_to_) return;
    floor_ = std::max(floor_, std::min(*settle_to_, cursor_id));
    settle_to_.reset();
    announced_.erase(announced_.begin(), announced_.upper_bound(floor_));
  }

 private:
  using Steady = std::chrono::steady_clock;
  int64_t floor_ = 0;
  std::set<int64_t> announced_;  // above floor_
  std::optional<storage::MessageHorizon> pending_;
  Steady::time_point pending_since_;
  std::optional<int64_t> settle_to_;
};

// The events since `cursor`, moving it forward. `more`: a batch was full,
// so there may be more to read at once.
core::Result<std::string> Poll(storage::Database& db,
                               const storage::CentreScope& scope,
                               storage::StreamCursor& cursor,
                               LateMessages& late, bool& more) {
  if (auto s = late.BeforePoll(db); !s.ok()) return s;
  auto changed =
      storage::ConversationsChangedSince(db, cursor, scope, kMaxEventsPerPoll);
  if (!changed.ok()) return changed.status();
  auto below = late.Late(db, scope, cursor.message_id);
  if (!below.ok()) return below.status();
  auto added =
      storage::MessagesAddedSince(db, cursor, scope, kMaxEventsPerPoll);
  if (!added.ok()) return added.status();
  const auto full = static_cast<size_t>(kMaxEventsPerPoll);
  more = changed->size() >= full || added->size() >= full;
  added->insert(added->begin(), below->begin(), below->end());
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
    cursor.message_id = std::max(cursor.message_id, m.id);
    late.Announced(m.id);
  }
  late.AfterPoll(cursor.message_id);
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
    LateMessages late;
    if (!late.BeforeStart(**db).ok()) return;
    auto start = storage::StartStream(**db, scope);
    if (!start.ok()) return;
    storage::StreamCursor cursor = start->cursor;
    if (!late.Started(**db, scope, cursor.message_id).ok()) return;
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
        auto events = Poll(**db, scope, cursor, late, news);
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
