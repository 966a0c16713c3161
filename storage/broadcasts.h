// Broadcast notices: who is in an audience, a broadcast's life (scheduled ->
// sending -> done, or cancelled) and its counters. A broadcast's recipients
// are outbox rows keyed 'broadcast:<id>:<user>', written in one set-based
// statement when it is due; the one sender delivers them like any row.
//
//   Transaction txn(db);
//   auto id = CreateBroadcast(db, broadcast, now);
//   ...
//   auto n = FanOutDueBroadcasts(db, now);  // when due: rows enqueued
//   txn.Commit();
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/centre_scope.h"
#include "storage/centres.h"
#include "storage/database.h"
#include "storage/outbox.h"  // kBroadcastPriority

namespace sportello::storage {

// Who gets a notice. Always only subscribers: users with consent, notices on
// (users.notify), neither blocked nor unreachable, on Telegram or WhatsApp.
// Every filter set narrows the audience; an empty one does not filter.
struct Audience {
  std::optional<std::string> channel;  // "telegram" | "whatsapp"
  // Profile answer "comune" (official name, case ignored). A province is
  // given as its comuni by the caller, who has the gazetteer.
  std::vector<std::string> comuni;
  // Ages reached this year, from the profile answer "birth_year".
  std::optional<int> min_age;
  std::optional<int> max_age;
  // Any of them (user_topics); people who chose no topic get every notice.
  std::vector<std::string> topics;
  std::optional<int64_t> event_id;  // signed up or waiting for the event
  std::optional<int> active_days;   // wrote to us in the last N days
  // Profile answers: question id -> option id, each pair required. A
  // multi-answer question (comma-separated option ids) matches when the
  // option is one of its answers.
  std::map<std::string, std::string> profile;
  // The centres whose people it reaches (the centre of their
  // conversation), sorted; empty: every centre, the whole region.
  std::vector<int64_t> centres;
};

struct NewBroadcast {
  std::optional<int64_t> event_id;  // the event it announces, if any
  // The outbound message (storage/codec.h JSON) in Italian and English; its
  // channel and chat_id are filled in per recipient.
  std::string payload_it;
  std::string payload_en;
  // {"name","language","params"}: sent instead of the text to WhatsApp
  // recipients whose 24 h window is closed.
  std::optional<std::string> whatsapp_template;
  Audience audience;
  int64_t send_at = 0;
  std::optional<std::string> created_by;  // a staff username
  // The centre sending it; nullopt: the region's. Who receives it is the
  // audience's business.
  std::optional<int64_t> centre_id = kFirstCentre;
};

struct Broadcast {
  int64_t id = 0;
  std::optional<int64_t> event_id;
  std::string payload_it;  // as stored (storage/codec.h JSON)
  std::optional<std::string> whatsapp_template;
  Audience audience;
  int64_t send_at = 0;
  std::optional<std::string> created_by;
  std::string status;  // scheduled | sending | done | cancelled
  int64_t created_at = 0;
  std::optional<int64_t> fanned_out_at;
  std::optional<int64_t> finished_at;
  std::optional<int64_t> centre_id;  // nullopt: regional
};

// From the outbox rows and the delivery receipts. Skipped rows are outbox
// rows the sender refused at send time (state 'failed', last_error
// starting with kSkippedOptedOut or kSkippedUnreachable); rows in doubt were
// in flight at a crash (state 'failed', last_error starting with kInDoubt).
struct BroadcastCounters {
  int64_t recipients = 0;  // rows enqueued
  int64_t pending = 0;     // not tried yet, or being tried
  int64_t sent = 0;        // accepted by the channel (delivered, read incl.)
  int64_t delivered = 0;   // WhatsApp receipts: delivered or read
  int64_t read = 0;
  int64_t failed = 0;  // refused by the channel, or a failed receipt
  int64_t skipped_opted_out = 0;
  int64_t skipped_unreachable = 0;
  // In flight at a crash: the person may or may not have it; not sent
  // again, since a notice twice is worse than a notice missed.
  int64_t in_doubt = 0;
  int64_t cancelled = 0;
};

inline constexpr std::string_view kSkippedOptedOut = "skipped: opted out";
inline constexpr std::string_view kSkippedUnreachable = "skipped: unreachable";
inline constexpr std::string_view kInDoubt = "in doubt: ";

// After a crash: notices' rows handed to the HTTP client (handed_at set,
// see MarkOutboxHandedOver) and left 'sending' become 'failed' with
// last_error starting kInDoubt, so RequeueInFlightOutbox does not send them
// twice. Returns how many. REQUIRES: inside a write transaction, before
// RequeueInFlightOutbox.
core::Result<int64_t> FailInDoubtBroadcastRows(Database& db, int64_t now_ms);

// The outbox dedupe key of a recipient's row.
std::string BroadcastRowKey(int64_t broadcast_id, int64_t user_id);

// How many people `audience` reaches now (a preview before sending).
core::Result<int64_t> CountAudience(Database& db, const Audience& audience,
                                    int64_t now_ms);

// Stores a broadcast, status 'scheduled'. InvalidArgument for an empty
// payload. REQUIRES: inside a write transaction.
core::Result<int64_t> CreateBroadcast(Database& db, const NewBroadcast& b,
                                      int64_t now_ms);

// The broadcast if it is regional or of one of `scope`'s centres.
core::Result<std::optional<Broadcast>> FindBroadcast(
    Database& db, int64_t id, const CentreScope& scope = CentreScope::Every());

// The broadcasts announcing `event_id` that are scheduled or sending.
core::Result<std::vector<int64_t>> OpenBroadcastsForEvent(Database& db,
                                                          int64_t event_id);

// The newest broadcasts first, at most `limit`.
core::Result<std::vector<Broadcast>> ListBroadcasts(
    Database& db, int limit, const CentreScope& scope = CentreScope::Every());

// Materialises the audience of every scheduled broadcast due at `now_ms`
// as outbox rows due now, in one INSERT ... SELECT each, and moves it to
// 'sending' (or 'done' if nobody is in it). Running it again adds no row.
// Returns the rows enqueued. REQUIRES: inside a write transaction.
core::Result<int64_t> FanOutDueBroadcasts(Database& db, int64_t now_ms);

// The earliest send_at of a scheduled broadcast, if any.
core::Result<std::optional<int64_t>> NextBroadcastDue(Database& db);

// Whether FanOutDueBroadcasts or FinishBroadcasts has anything to do. A
// read: the scheduler takes the write lock only when there is work (the
// scan over a running broadcast's rows stays off the writer).
core::Result<bool> HasBroadcastWork(Database& db, int64_t now_ms);

// Moves 'sending' broadcasts whose rows are all final to 'done'. Returns
// how many. REQUIRES: inside a write transaction.
core::Result<int> FinishBroadcasts(Database& db, int64_t now_ms);

// Cancels the rows not sent yet and the broadcast. NotFound for no such
// broadcast; InvalidArgument when it is already done or cancelled. Rows in
// flight cannot be called back. REQUIRES: inside a write transaction.
core::Status CancelBroadcast(Database& db, int64_t id, int64_t now_ms);

core::Result<BroadcastCounters> CountBroadcast(Database& db, int64_t id);

// A recipient the notice did not reach, with the channel's error code and
// reason as the sender recorded them ("403 Forbidden: bot was blocked...").
struct BroadcastFailure {
  std::optional<int64_t> user_id;
  std::string channel;
  std::string chat_id;
  std::string error;
  int64_t at = 0;  // when it was given up
};

// The most recent `limit` failures of broadcast `id` (refusals by the
// channel and failed receipts; not skips or cancellations), newest first.
core::Result<std::vector<BroadcastFailure>> BroadcastFailures(Database& db,
                                                              int64_t id,
                                                              int limit);

}  // namespace sportello::storage
