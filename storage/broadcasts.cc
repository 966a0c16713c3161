#include "storage/broadcasts.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "bot/core/numbers.h"

namespace sportello::storage {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

// A fan-out this large gets the outbox's statistics renewed (below).
constexpr int64_t kAnalyzeAfterRows = 1'000;

// The audience as one WHERE clause over `users u` with 9 parameters from
// ?first (bound by BindAudience), so counting and fanning out share it and
// each is one static, cached statement (PostgreSQL wants every parameter
// number used: they follow the statement's own). Lists are comma-separated:
// topics and comune names hold no commas.
std::string AudienceWhere(const Database& db, int first) {
  const auto p = [first](int k) { return "?" + std::to_string(first + k); };
  const std::string channel = p(0), comuni = p(1), min_year = p(2),
                    max_year = p(3), topics = p(4), event = p(5), since = p(6),
                    profile = p(7), centres = p(8);
  // Where the engines differ: finding text in text, a birth year that may
  // not be a number (SQLite's CAST reads its leading digits, PostgreSQL's
  // fails), and the rows of the JSON object of profile answers.
  const bool pg = db.is_postgres();
  const std::string find = pg ? "strpos" : "instr";
  const std::string year =
      pg ? "CASE WHEN a.value ~ '^[0-9]{1,9}$' THEN CAST(a.value AS BIGINT)"
           " END"
         : "CAST(a.value AS INTEGER)";
  const std::string answers =
      pg ? "json_each_text(CAST(NULLIF(" + profile + ", '') AS json))"
         : "json_each(" + profile + ")";
  return " u.notify = 1 AND u.consent_at IS NOT NULL AND u.blocked = 0"
         " AND u.unreachable = 0 AND u.channel IN ('telegram', 'whatsapp')"
         " AND (CAST(" +
         channel + " AS TEXT) IS NULL OR u.channel = " + channel +
         ")"
         " AND (" +
         comuni +
         " = '' OR EXISTS (SELECT 1 FROM profile_answers a"
         "   WHERE a.user_id = u.id AND a.question = 'comune'"
         "   AND " +
         find + "(',' || lower(" + comuni +
         ") || ',', ',' || lower(a.value) || ',') > 0))"
         " AND ((CAST(" +
         min_year + " AS BIGINT) IS NULL AND CAST(" + max_year +
         " AS BIGINT) IS NULL)"
         "   OR EXISTS (SELECT 1 FROM"
         "   profile_answers a WHERE a.user_id = u.id"
         "   AND a.question = 'birth_year' AND a.value <> '' AND " +
         year + " BETWEEN coalesce(" + min_year + ", 0) AND coalesce(" +
         max_year +
         ", 9999)))"
         // A subscriber who chose no topic asked for every notice.
         " AND (" +
         topics +
         " = '' OR NOT EXISTS (SELECT 1 FROM user_topics t"
         "   WHERE t.user_id = u.id) OR EXISTS (SELECT 1 FROM user_topics t"
         "   WHERE t.user_id = u.id"
         "   AND " +
         find + "(',' || " + topics +
         " || ',', ',' || t.topic || ',') > 0))"
         " AND (CAST(" +
         event +
         " AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM"
         "   event_signups s WHERE s.user_id = u.id AND s.event_id = " +
         event +
         "   AND s.state IN ('signed_up', 'waiting')))"
         " AND (CAST(" +
         since + " AS BIGINT) IS NULL OR u.last_inbound_at >= " + since +
         ")"
         " AND (" +
         profile + " = '' OR NOT EXISTS (SELECT 1 FROM " + answers +
         " f"
         "   WHERE NOT EXISTS (SELECT 1 FROM profile_answers a"
         "     WHERE a.user_id = u.id AND a.question = f.key"
         "     AND " +
         find +
         "(',' || a.value || ',', ',' || f.value || ',') > 0)))"
         // Someone who never wrote has no conversation yet: the first
         // centre's, where rows with no centre of their own belong.
         " AND (" +
         centres + " = '' OR " + find + "(" + centres +
         ", ',' || CAST(coalesce((SELECT c.centre_id FROM conversations c"
         "   WHERE c.user_id = u.id), " +
         std::to_string(kFirstCentre) + ") AS TEXT) || ',') > 0)";
}

// The rows of broadcast ?1: the dedupe keys 'broadcast:<id>:...' form one
// range of the outbox's unique index (';' follows ':').
constexpr const char* kRowsOf = " broadcast_id = ?1";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (s.empty()) continue;
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> Split(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string::npos) end = csv.size();
    if (end > start) out.push_back(csv.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// ',1,4,': each id between commas, so that ',4,' is found only as itself;
// '' for the whole region.
std::string CentreList(std::vector<int64_t> ids) {
  if (ids.empty()) return "";
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out = ",";
  for (int64_t id : ids) out += std::to_string(id) + ",";
  return out;
}

std::vector<int64_t> ParseCentreList(const std::string& text) {
  std::vector<int64_t> ids;
  for (const auto& item : Split(text)) {
    if (auto id = core::ParseInt(item, 1, INT64_MAX)) ids.push_back(*id);
  }
  return ids;
}

// '' for no filter, so the statement tests a plain string first.
std::string ProfileJson(const std::map<std::string, std::string>& profile) {
  if (profile.empty()) return "";
  return nlohmann::json(profile).dump(-1, ' ', false,
                                      nlohmann::json::error_handler_t::replace);
}

std::map<std::string, std::string> ParseProfile(const std::string& text) {
  std::map<std::string, std::string> profile;
  if (text.empty()) return profile;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return profile;
  for (const auto& item : j.items()) {
    if (item.value().is_string())
      profile[item.key()] = item.value().get<std::string>();
  }
  return profile;
}

int YearOf(int64_t ms) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
  return static_cast<int>(d.year());
}

void BindAudience(Statement& st, const Audience& a, int64_t now_ms, int first) {
  const int year = YearOf(now_ms);
  std::optional<int64_t> min_year, max_year, since;
  if (a.max_age) min_year = year - *a.max_age;
  if (a.min_age) max_year = year - *a.min_age;
  if (a.active_days) since = now_ms - *a.active_days * kDayMs;
  st.Bind(first, a.channel)
      .Bind(first + 1, Join(a.comuni))
      .Bind(first + 2, min_year)
      .Bind(first + 3, max_year)
      .Bind(first + 4, Join(a.topics))
      .Bind(first + 5, a.event_id)
      .Bind(first + 6, since)
      .Bind(first + 7, ProfileJson(a.profile))
      .Bind(first + 8, CentreList(a.centres));
}

std::optional<int> OptionalInt32(const Statement& st, int column) {
  auto v = st.OptionalInt(column);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

constexpr const char* kBroadcastSelect =
    "SELECT id, event_id, audience_channel, audience_comuni,"
    " audience_min_age, audience_max_age, audience_topics,"
    " audience_event_id, audience_active_days, send_at, status,"
    " created_at, fanned_out_at, finished_at, payload_it, whatsapp_template,"
    " created_by, audience_profile, centre_id, audience_centres"
    " FROM broadcasts";

Broadcast ReadBroadcast(const Statement& st) {
  Broadcast b;
  b.id = st.Int(0);
  b.event_id = st.OptionalInt(1);
  b.audience.channel = st.OptionalText(2);
  b.audience.comuni = Split(st.Text(3));
  b.audience.min_age = OptionalInt32(st, 4);
  b.audience.max_age = OptionalInt32(st, 5);
  b.audience.topics = Split(st.Text(6));
  b.audience.event_id = st.OptionalInt(7);
  b.audience.active_days = OptionalInt32(st, 8);
  b.send_at = st.Int(9);
  b.status = st.Text(10);
  b.created_at = st.Int(11);
  b.fanned_out_at = st.OptionalInt(12);
  b.finished_at = st.OptionalInt(13);
  b.payload_it = st.Text(14);
  b.whatsapp_template = st.OptionalText(15);
  b.created_by = st.OptionalText(16);
  b.audience.profile = ParseProfile(st.Text(17));
  b.centre_id = st.OptionalInt(18);
  b.audience.centres = ParseCentreList(st.Text(19));
  return b;
}

}  // namespace

std::string BroadcastRowKey(int64_t broadcast_id, int64_t user_id) {
  return "broadcast:" + std::to_string(broadcast_id) + ":" +
         std::to_string(user_id);
}

core::Result<int64_t> CountAudience(Database& db, const Audience& audience,
                                    int64_t now_ms) {
  Statement& st =
      db.Cached("SELECT count(*) FROM users u WHERE" + AudienceWhere(db, 1));
  BindAudience(st, audience, now_ms, 1);
  if (!st.Step()) {
    const core::Status s = st.status();
    st.Reset();
    return s.ok() ? core::Status::Internal("broadcasts: no count") : s;
  }
  const int64_t n = st.Int(0);
  st.Reset();
  return n;
}

core::Result<int64_t> CreateBroadcast(Database& db, const NewBroadcast& b,
                                      int64_t now_ms) {
  if (b.payload_it.empty() || b.payload_en.empty())
    return core::Status::InvalidArgument("broadcasts: empty message");
  const Audience& a = b.audience;
  Statement& st = db.Cached(
      "INSERT INTO broadcasts(event_id, payload_it, payload_en,"
      " whatsapp_template, audience_channel, audience_comuni,"
      " audience_min_age, audience_max_age, audience_topics,"
      " audience_event_id, audience_active_days, send_at, created_at,"
      " created_by, audience_profile, centre_id, audience_centres)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16, ?17)");
  st.Bind(1, b.event_id)
      .Bind(2, b.payload_it)
      .Bind(3, b.payload_en)
      .Bind(4, b.whatsapp_template)
      .Bind(5, a.channel)
      .Bind(6, Join(a.comuni))
      .Bind(7, a.min_age)
      .Bind(8, a.max_age)
      .Bind(9, Join(a.topics))
      .Bind(10, a.event_id)
      .Bind(11, a.active_days)
      .Bind(12, b.send_at)
      .Bind(13, now_ms)
      .Bind(14, b.created_by)
      .Bind(15, ProfileJson(a.profile))
      .Bind(16, b.centre_id)
      .Bind(17, CentreList(a.centres));
  if (auto s = st.Run(); !s.ok()) return s;
  return db.LastInsertRowId();
}

core::Result<std::optional<Broadcast>> FindBroadcast(Database& db, int64_t id,
                                                     const CentreScope& scope) {
  // Cached: one text per set of centres, and staff share few sets.
  Statement& st =
      db.Cached(std::string(kBroadcastSelect) + " WHERE id = ?1 AND " +
                CentreCondition("centre_id", scope, /*regional_too=*/true));
  st.Bind(1, id);
  std::optional<Broadcast> found;
  if (st.Step()) found = ReadBroadcast(st);
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return found;
}

core::Result<std::vector<int64_t>> OpenBroadcastsForEvent(Database& db,
                                                          int64_t event_id) {
  Statement& st = db.Cached(
      "SELECT id FROM broadcasts WHERE event_id = ?1"
      " AND status IN ('scheduled', 'sending') ORDER BY id");
  st.Bind(1, event_id);
  std::vector<int64_t> ids;
  while (st.Step()) ids.push_back(st.Int(0));
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return ids;
}

core::Result<std::vector<Broadcast>> ListBroadcasts(Database& db, int limit,
                                                    const CentreScope& scope) {
  Statement& st =
      db.Cached(std::string(kBroadcastSelect) + " WHERE " +
                CentreCondition("centre_id", scope, /*regional_too=*/true) +
                " ORDER BY id DESC LIMIT ?1");
  st.Bind(1, limit);
  std::vector<Broadcast> list;
  while (st.Step()) list.push_back(ReadBroadcast(st));
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return list;
}

core::Result<int64_t> FanOutDueBroadcasts(Database& db, int64_t now_ms) {
  std::vector<int64_t> due;
  {
    Statement& st = db.Cached(
        "SELECT id FROM broadcasts WHERE status = 'scheduled'"
        " AND send_at <= ?1 ORDER BY send_at, id");
    st.Bind(1, now_ms);
    while (st.Step()) due.push_back(st.Int(0));
    const core::Status s = st.status();
    st.Reset();
    if (!s.ok()) return s;
  }
  int64_t enqueued = 0;
  for (int64_t id : due) {
    auto b = FindBroadcast(db, id);
    if (!b.ok()) return b.status();
    if (!b->has_value()) continue;
    // One statement for the whole audience: each row's payload is the
    // broadcast's, in the person's language, with their channel and chat
    // (and, on WhatsApp, the broadcast's own template for a closed window).
    // JSON edits: SQLite's json_set, PostgreSQL's jsonb (which may order
    // the keys differently: readers parse the payload).
    const bool pg = db.is_postgres();
    const std::string with_template =
        pg ? "CAST(CAST(payload AS jsonb) || jsonb_build_object('template',"
             " CAST(tpl AS jsonb)) AS TEXT)"
           : "json_set(payload, '$.template', json(tpl))";
    const std::string addressed =
        pg ? "CAST(CAST(CASE WHEN u.language = 'en' THEN b.payload_en"
             " ELSE b.payload_it END AS jsonb) || jsonb_build_object("
             "'channel', u.channel, 'chat_id', u.chat_id) AS TEXT)"
           : "json_set(CASE WHEN u.language = 'en' THEN b.payload_en"
             " ELSE b.payload_it END, '$.channel', u.channel,"
             " '$.chat_id', u.chat_id)";
    Statement& ins = db.Cached(
        "INSERT INTO outbox(channel, chat_id, user_id, kind, payload,"
        " priority, dedupe_key, due_at, next_attempt_at, created_at,"
        " broadcast_id)"
        " SELECT channel, chat_id, user_id, 'text',"
        " CASE WHEN channel = 'whatsapp' AND tpl IS NOT NULL"
        "   THEN " +
        with_template +
        "   ELSE payload END,"
        " CAST(?2 AS BIGINT),"
        " 'broadcast:' || CAST(?1 AS BIGINT) || ':' || user_id,"
        " CAST(?3 AS BIGINT), CAST(?3 AS BIGINT), CAST(?3 AS BIGINT),"
        " CAST(?1 AS BIGINT)"
        " FROM (SELECT u.channel, u.chat_id, u.id AS user_id,"
        "   b.whatsapp_template AS tpl, " +
        addressed +
        " AS payload"
        "   FROM broadcasts b, users u WHERE b.id = ?1 AND" +
        AudienceWhere(db, 4) +
        ") AS audience WHERE true"  // the parser needs it before ON CONFLICT
        " ON CONFLICT(dedupe_key) DO NOTHING");
    ins.Bind(1, id).Bind(2, kBroadcastPriority).Bind(3, now_ms);
    BindAudience(ins, (*b)->audience, now_ms, 4);
    if (auto s = ins.Run(); !s.ok()) return s;
    enqueued += db.Changes();
    Statement& mark = db.Cached(
        "UPDATE broadcasts SET status = 'sending', fanned_out_at = ?2"
        " WHERE id = ?1 AND status = 'scheduled'");
    mark.Bind(1, id).Bind(2, now_ms);
    if (auto s = mark.Run(); !s.ok()) return s;
  }
  if (!due.empty()) {
    auto finished = FinishBroadcasts(db, now_ms);
    if (!finished.ok()) return finished.status();
  }
  // On PostgreSQL the sender's claim query is planned from the outbox's
  // statistics, which autovacuum renews only after a while: planned from an
  // outbox of a few hundred sent rows, the claim over 20,000 new pending
  // ones took a nested loop over the whole chat index, minutes per claim.
  // ANALYZE samples our own uncommitted rows and may run inside the
  // transaction; it lands with the rows and invalidates cached plans.
  // SQLite's claim names its index (INDEXED BY) and needs nothing.
  if (db.is_postgres() && enqueued >= kAnalyzeAfterRows) {
    if (auto s = db.Exec("ANALYZE outbox"); !s.ok()) return s;
  }
  return enqueued;
}

core::Result<std::optional<int64_t>> NextBroadcastDue(Database& db) {
  Statement& st = db.Cached(
      "SELECT min(send_at) FROM broadcasts WHERE status = 'scheduled'");
  if (!st.Step()) {
    const core::Status s = st.status();
    st.Reset();
    return s;
  }
  const std::optional<int64_t> next = st.OptionalInt(0);
  st.Reset();
  return next;
}

core::Result<bool> HasBroadcastWork(Database& db, int64_t now_ms) {
  Statement& st = db.Cached(
      "SELECT EXISTS (SELECT 1 FROM broadcasts WHERE status = 'scheduled'"
      " AND send_at <= ?1) OR EXISTS (SELECT 1 FROM broadcasts b"
      " WHERE b.status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox"
      "   WHERE broadcast_id = b.id AND state IN ('pending', 'sending')))");
  st.Bind(1, now_ms);
  const bool work = st.Step() && st.Int(0) != 0;
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return work;
}

core::Result<int> FinishBroadcasts(Database& db, int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE broadcasts SET status = 'done', finished_at = ?1"
      " WHERE status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox"
      "   WHERE broadcast_id = broadcasts.id"
      "   AND state IN ('pending', 'sending'))");
  st.Bind(1, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes();
}

core::Status CancelBroadcast(Database& db, int64_t id, int64_t now_ms) {
  auto b = FindBroadcast(db, id);
  if (!b.ok()) return b.status();
  if (!b->has_value())
    return core::Status::NotFound("broadcasts: no broadcast " +
                                  std::to_string(id));
  if ((*b)->status == "done" || (*b)->status == "cancelled") {
    return core::Status::InvalidArgument("broadcasts: broadcast " +
                                         std::to_string(id) + " is already " +
                                         (*b)->status);
  }
  Statement& rows =
      db.Cached(std::string("UPDATE outbox SET state = 'cancelled' WHERE") +
                kRowsOf + " AND state = 'pending'");
  rows.Bind(1, id);
  if (auto s = rows.Run(); !s.ok()) return s;
  Statement& st = db.Cached(
      "UPDATE broadcasts SET status = 'cancelled', finished_at = ?2"
      " WHERE id = ?1");
  st.Bind(1, id).Bind(2, now_ms);
  return st.Run();
}

core::Result<int64_t> FailInDoubtBroadcastRows(Database& db, int64_t now_ms) {
  Statement& st = db.Cached(
      "UPDATE outbox SET state = 'failed', sent_at = ?1,"
      " last_error = ?2 || 'in flight at a crash, not sent again'"
      " WHERE state = 'sending' AND handed_at IS NOT NULL"
      " AND broadcast_id IS NOT NULL");
  st.Bind(1, now_ms).Bind(2, kInDoubt);
  if (auto s = st.Run(); !s.ok()) return s;
  return static_cast<int64_t>(db.Changes());
}

core::Result<BroadcastCounters> CountBroadcast(Database& db, int64_t id) {
  // A WhatsApp 'failed' receipt can follow an accepted send: such a row
  // counts as failed, not sent.
  Statement& st = db.Cached(
      std::string(
          "SELECT count(*),"
          " coalesce(sum(CASE WHEN state IN ('pending', 'sending') THEN 1"
          "   ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'sent' AND NOT failed_receipt"
          "   THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'sent' AND NOT failed_receipt AND"
          "   delivered THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'sent' AND NOT failed_receipt AND"
          "   seen THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN (state = 'failed' AND last_error NOT LIKE"
          "   'skipped: %' AND substr(last_error, 1, ?6) <> ?7)"
          "   OR (state = 'sent' AND failed_receipt) THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'failed' AND"
          "   substr(last_error, 1, ?2) = ?3 THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'failed' AND"
          "   substr(last_error, 1, ?4) = ?5 THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'failed' AND"
          "   substr(last_error, 1, ?6) = ?7 THEN 1 ELSE 0 END), 0),"
          " coalesce(sum(CASE WHEN state = 'cancelled' THEN 1 ELSE 0 END), 0)"
          " FROM (SELECT o.state, coalesce(o.last_error, '') AS last_error,"
          "   EXISTS (SELECT 1 FROM receipts r WHERE r.channel = o.channel"
          "     AND r.provider_message_id = o.provider_message_id"
          "     AND r.status = 'failed') AS failed_receipt,"
          "   EXISTS (SELECT 1 FROM receipts r WHERE r.channel = o.channel"
          "     AND r.provider_message_id = o.provider_message_id"
          "     AND r.status IN ('delivered', 'read')) AS delivered,"
          "   EXISTS (SELECT 1 FROM receipts r WHERE r.channel = o.channel"
          "     AND r.provider_message_id = o.provider_message_id"
          "     AND r.status = 'read') AS seen"
          "   FROM outbox o WHERE") +
      kRowsOf + ") AS counted");
  st.Bind(1, id)
      .Bind(2, static_cast<int64_t>(kSkippedOptedOut.size()))
      .Bind(3, kSkippedOptedOut)
      .Bind(4, static_cast<int64_t>(kSkippedUnreachable.size()))
      .Bind(5, kSkippedUnreachable)
      .Bind(6, static_cast<int64_t>(kInDoubt.size()))
      .Bind(7, kInDoubt);
  BroadcastCounters c;
  if (st.Step()) {
    c.recipients = st.Int(0);
    c.pending = st.Int(1);
    c.sent = st.Int(2);
    c.delivered = st.Int(3);
    c.read = st.Int(4);
    c.failed = st.Int(5);
    c.skipped_opted_out = st.Int(6);
    c.skipped_unreachable = st.Int(7);
    c.in_doubt = st.Int(8);
    c.cancelled = st.Int(9);
  }
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return c;
}

core::Result<std::vector<BroadcastFailure>> BroadcastFailures(Database& db,
                                                              int64_t id,
                                                              int limit) {
  Statement& st = db.Cached(
      "SELECT o.user_id, o.channel, o.chat_id,"
      " coalesce(o.last_error, r.error_code || ' ' || r.error_title, ''),"
      " coalesce(o.sent_at, r.at, o.next_attempt_at)"
      " FROM outbox o LEFT JOIN receipts r ON r.channel = o.channel"
      "   AND r.provider_message_id = o.provider_message_id"
      "   AND r.status = 'failed'"
      " WHERE o.broadcast_id = ?1 AND ((o.state = 'failed'"
      "   AND o.last_error NOT LIKE 'skipped: %'"
      "   AND o.last_error NOT LIKE 'in doubt: %')"
      "   OR (o.state = 'sent' AND r.status IS NOT NULL))"
      " ORDER BY 5 DESC, o.id DESC LIMIT ?2");
  st.Bind(1, id).Bind(2, limit);
  std::vector<BroadcastFailure> out;
  while (st.Step()) {
    BroadcastFailure f;
    f.user_id = st.OptionalInt(0);
    f.channel = st.Text(1);
    f.chat_id = st.Text(2);
    f.error = st.Text(3);
    f.at = st.Int(4);
    out.push_back(std::move(f));
  }
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return out;
}

}  // namespace sportello::storage
