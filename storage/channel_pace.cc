#include "storage/channel_pace.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace sportello::storage {
namespace {

struct Bucket {
  double tokens = 0;
  int64_t refilled_at_ms = 0;
  int64_t paused_until_ms = 0;
};

// The bucket's row, made empty at `now_ms` if the channel has none yet.
core::Result<Bucket> LoadBucket(Database& db, std::string_view channel,
                                int64_t now_ms) {
  Statement& select = db.Cached(
      db.is_postgres() ? "SELECT tokens, refilled_at_ms, paused_until_ms"
                         " FROM channel_pace WHERE channel = ?1 FOR UPDATE"
                       : "SELECT tokens, refilled_at_ms, paused_until_ms"
                         " FROM channel_pace WHERE channel = ?1");
  for (int pass = 0; pass < 2; ++pass) {
    select.Bind(1, channel);
    if (select.Step()) {
      Bucket b{select.Double(0), select.Int(1), select.Int(2)};
      select.Reset();
      return b;
    }
    const core::Status status = select.status();
    select.Reset();
    if (!status.ok()) return status;
    if (pass == 1) break;
    // Another process may add it meanwhile: then its row is read back.
    Statement& insert = db.Cached(
        "INSERT INTO channel_pace(channel, tokens, refilled_at_ms,"
        " paused_until_ms) VALUES (?1, 0, ?2, 0)"
        " ON CONFLICT(channel) DO NOTHING");
    insert.Bind(1, channel).Bind(2, now_ms);
    if (auto s = insert.Run(); !s.ok()) return s;
  }
  return core::Status::Internal("channel_pace: the bucket row is missing");
}

core::Status StoreBucket(Database& db, std::string_view channel,
                         const Bucket& b) {
  Statement& st = db.Cached(
      "UPDATE channel_pace SET tokens = ?1, refilled_at_ms = ?2,"
      " paused_until_ms = ?3 WHERE channel = ?4");
  st.Bind(1, b.tokens)
      .Bind(2, b.refilled_at_ms)
      .Bind(3, b.paused_until_ms)
      .Bind(4, channel);
  return st.Run();
}

// A token's worth of time is never a whole number of milliseconds for
// every rate; a hair of slack keeps 0.9999999 tokens from reading as 0.
constexpr double kEpsilon = 1e-9;

}  // namespace

core::Result<ChannelGrant> TakeChannelTokens(Database& db,
                                             std::string_view channel,
                                             double rate_per_sec, double burst,
                                             int wanted, int64_t now_ms) {
  auto loaded = LoadBucket(db, channel, now_ms);
  if (!loaded.ok()) return loaded.status();
  Bucket b = *loaded;
  const double rate = std::max(rate_per_sec, 1e-9);
  const double cap = std::max(1.0, std::floor(burst));
  ChannelGrant grant;
  if (now_ms < b.paused_until_ms) {
    grant.paused = true;
    grant.wait_ms = b.paused_until_ms - now_ms;
    return grant;
  }
  // A clock a little behind another process's refills nothing, never
  // takes tokens back.
  if (now_ms > b.refilled_at_ms) {
    b.tokens = std::min(
        cap, b.tokens + static_cast<double>(now_ms - b.refilled_at_ms) * rate /
                            1000.0);
    b.refilled_at_ms = now_ms;
  }
  const int whole = static_cast<int>(std::floor(b.tokens + kEpsilon));
  grant.granted = std::clamp(whole, 0, std::max(0, wanted));
  b.tokens = std::max(0.0, b.tokens - grant.granted);
  if (grant.granted < wanted) {
    const double missing = std::max(0.0, 1.0 - b.tokens);
    grant.wait_ms = std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil(missing * 1000.0 / rate - kEpsilon)));
  }
  if (auto s = StoreBucket(db, channel, b); !s.ok()) return s;
  return grant;
}

core::Status ReturnChannelTokens(Database& db, std::string_view channel, int n,
                                 double burst) {
  if (n <= 0) return core::Status::Ok();
  Statement& st = db.Cached(
      "UPDATE channel_pace SET tokens = CASE WHEN tokens + ?1 > ?2 THEN ?2"
      " ELSE tokens + ?1 END WHERE channel = ?3");
  st.Bind(1, static_cast<double>(n))
      .Bind(2, std::max(1.0, std::floor(burst)))
      .Bind(3, channel);
  return st.Run();
}

core::Status PauseChannel(Database& db, std::string_view channel,
                          int64_t until_ms) {
  // Empty from the pause's end: refilled_at_ms = until_ms.
  Statement& st = db.Cached(
      "INSERT INTO channel_pace(channel, tokens, refilled_at_ms,"
      " paused_until_ms) VALUES (?1, 0, ?2, ?2)"
      " ON CONFLICT(channel) DO UPDATE SET tokens = 0,"
      " paused_until_ms = CASE WHEN channel_pace.paused_until_ms > ?2"
      "   THEN channel_pace.paused_until_ms ELSE ?2 END,"
      " refilled_at_ms = CASE WHEN channel_pace.refilled_at_ms > ?2"
      "   THEN channel_pace.refilled_at_ms ELSE ?2 END");
  st.Bind(1, channel).Bind(2, until_ms);
  return st.Run();
}

core::Result<int64_t> ChannelPausedUntil(Database& db,
                                         std::string_view channel) {
  Statement& st =
      db.Cached("SELECT paused_until_ms FROM channel_pace WHERE channel = ?1");
  st.Bind(1, channel);
  int64_t until = 0;
  if (st.Step()) until = st.Int(0);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return until;
}

// Chats go to the database as one JSON array per statement, not one
// statement per chat: the claim that calls these holds the writer lock.
core::Result<std::map<std::string, int64_t>> ChatPaceFullAt(
    Database& db, std::string_view channel,
    const std::vector<std::string>& chats) {
  std::map<std::string, int64_t> out;
  if (chats.empty()) return out;
  Statement& st = db.Cached(
      db.is_postgres()
          ? "SELECT chat_id, full_at_ms FROM chat_pace WHERE channel = ?1"
            " AND chat_id IN (SELECT json_array_elements_text("
            "CAST(?2 AS json)))"
          : "SELECT chat_id, full_at_ms FROM chat_pace WHERE channel = ?1"
            " AND chat_id IN (SELECT value FROM json_each(?2))");
  st.Bind(1, channel).Bind(2, nlohmann::json(chats).dump());
  while (st.Step()) out[st.Text(0)] = st.Int(1);
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return out;
}

core::Status SetChatPaceFullAt(
    Database& db, std::string_view channel,
    const std::vector<std::pair<std::string, int64_t>>& full_at) {
  if (full_at.empty()) return core::Status::Ok();
  // One row per chat: an upsert may not touch a row twice.
  std::map<std::string_view, int64_t> latest;
  for (const auto& [chat, at] : full_at) {
    auto [it, added] = latest.try_emplace(chat, at);
    if (!added) it->second = std::max(it->second, at);
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [chat, at] : latest)
    pairs.push_back({std::string(chat), at});
  Statement& st = db.Cached(
      db.is_postgres()
          ? "INSERT INTO chat_pace(channel, chat_id, full_at_ms)"
            " SELECT CAST(?1 AS TEXT), e->>0, CAST(e->>1 AS BIGINT)"
            " FROM json_array_elements(CAST(?2 AS json)) e"
            " ON CONFLICT(channel, chat_id)"
            " DO UPDATE SET full_at_ms = excluded.full_at_ms"
          // WHERE true: SQLite's parser needs it before an upsert's ON.
          : "INSERT INTO chat_pace(channel, chat_id, full_at_ms)"
            " SELECT ?1, json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]') FROM json_each(?2) WHERE true"
            " ON CONFLICT(channel, chat_id)"
            " DO UPDATE SET full_at_ms = excluded.full_at_ms");
  st.Bind(1, channel).Bind(2, pairs.dump());
  return st.Run();
}

core::Result<int64_t> ForgetFullChatPace(Database& db, int64_t now_ms) {
  Statement& st = db.Cached("DELETE FROM chat_pace WHERE full_at_ms <= ?1");
  st.Bind(1, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes();
}

}  // namespace sportello::storage
