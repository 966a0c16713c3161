// The sender's rules for when a message may go, against the fake
// Telegram and WhatsApp APIs on loopback, a real SQLite file and a FakeClock:
// per-chat pacing decided when a row is claimed (a chat that must wait has
// its row deferred, no attempt counted), quiet hours and the middle of a
// bot question holding notices but not replies, an opt-out during a
// broadcast, a 429 pausing the whole channel, notices in flight at a crash
// counted in doubt instead of sent twice, and sent notices in the history.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bot/channels/api_client.h"
#include "bot/channels/whatsapp.h"
#include "bot/core/clock.h"
#include "bot/core/rome_time.h"
#include "bot/domain/broadcasts.h"
#include "bot/domain/catalog.h"
#include "bot/domain/quiet_hours.h"
#include "bot/outbound/outbox_sender.h"
#include "storage/broadcasts.h"
#include "storage/codec.h"
#include "storage/conversations.h"
#include "storage/messages.h"
#include "storage/outbox.h"
#include "storage/profiles.h"
#include "storage/store.h"
#include "storage/users.h"
#include "tests/fakes/fake_telegram.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/fakes/whatsapp_webhooks.h"
#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr int64_t kMinute = 60'000;

// Unix ms when Rome's wall clock shows that day and time.
int64_t Rome(unsigned day, int hour, int minute, int64_t plus_ms = 0) {
  using namespace std::chrono;
  return core::ToMillis(
             core::FromRome(year{2026} / November / day, hour, minute)) +
         plus_ms;
}

struct Sending {
  support::TempDir dir;
  core::FakeClock clock{Rome(18, 10, 0)};  // a Wednesday morning
  fakes::FakeTelegram telegram;
  fakes::FakeWhatsApp whatsapp;
  std::unique_ptr<storage::Store> store =
      std::move(storage::Store::Open(dir.File("s.db")).value());
  std::unique_ptr<channels::ChannelSender> tg =
      channels::MakeTelegramSender({telegram.base_url(), telegram.token()});
  std::unique_ptr<channels::ChannelSender> wa = channels::MakeWhatsAppSender(
      {whatsapp.base_url(), whatsapp.access_token(),
       whatsapp.phone_number_id()});
  Catalog catalog = std::move(Catalog::LoadEmbedded().value());
  SenderOptions options;
  std::unique_ptr<OutboxSender> sender;  // last: stops before the rest goes

  Sending() {
    options.threads = 2;
    // As the service configures them (TELEGRAM_/WHATSAPP_RATE_PER_SEC).
    options.rate_per_sec = {{core::Channel::kTelegram, 25},
                            {core::Channel::kWhatsApp, 70}};
  }

  void Start() {
    sender = std::make_unique<OutboxSender>(
        *store, clock, nullptr,
        std::map<core::Channel, channels::ChannelSender*>{
            {core::Channel::kTelegram, tg.get()},
            {core::Channel::kWhatsApp, wa.get()}},
        options);
    REQUIRE(sender->Start().ok());
  }

  void Write(const std::function<core::Status(storage::Database&)>& fn) {
    REQUIRE(store->Write(fn).ok());
  }

  // Someone who last wrote a minute ago; a subscriber gets notices.
  int64_t Person(const std::string& channel, const std::string& chat,
                 bool subscriber = true) {
    int64_t id = 0;
    Write([&](storage::Database& db) -> core::Status {
      auto u = storage::UpsertUserOnInbound(db, channel, chat, chat, "",
                                            clock.NowMillis() - kMinute);
      if (!u.ok()) return u.status();
      id = u->id;
      if (!subscriber) return core::Status::Ok();
      if (auto s = storage::RecordConsent(db, id, "v1", clock.NowMillis());
          !s.ok())
        return s;
      return storage::SetNotify(db, id, true);
    });
    return id;
  }

  // An outbox row due now: a reply (priority 0) or a reminder (1).
  int64_t Message(const std::string& channel, const std::string& chat,
                  int64_t user_id, const std::string& text, int priority = 0) {
    core::OutboundMessage msg;
    msg.channel = *core::ParseChannel(channel);
    msg.chat_id = chat;
    msg.text = text;
    storage::NewOutboxRow row;
    row.channel = channel;
    row.chat_id = chat;
    row.user_id = user_id;
    row.kind = "text";
    row.payload = EncodeOutbound(msg);
    row.priority = priority;
    row.due_at = clock.NowMillis();
    int64_t id = 0;
    Write([&](storage::Database& db) -> core::Status {
      auto added = storage::EnqueueOutbox(db, row, clock.NowMillis());
      if (!added.ok()) return added.status();
      id = added->value_or(0);
      return core::Status::Ok();
    });
    return id;
  }

  // A broadcast to every subscriber, fanned out now.
  int64_t Broadcast(const std::string& text) {
    BroadcastRequest request;
    request.text = text;
    int64_t id = 0;
    Write([&](storage::Database& db) -> core::Status {
      auto created = CreateBroadcast(db, catalog, request, clock.NowMillis());
      if (!created.ok()) return created.status();
      id = *created;
      return core::Status::Ok();
    });
    REQUIRE(RunDueBroadcasts(*store, clock.NowMillis()).ok());
    return id;
  }

  std::vector<int64_t> RowsOf(int64_t broadcast_id) {
    auto reader = store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT id FROM outbox WHERE broadcast_id = ? ORDER BY id");
    st.Bind(1, broadcast_id);
    std::vector<int64_t> ids;
    while (st.Step()) ids.push_back(st.Int(0));
    return ids;
  }

  storage::OutboxRow Row(int64_t id) {
    auto reader = store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT chat_id, state, next_attempt_at, attempts,"
        " coalesce(last_error, ''), coalesce(provider_message_id, ''),"
        " due_at FROM outbox WHERE id = ?");
    st.Bind(1, id);
    storage::OutboxRow r;
    if (st.Step()) {
      r.id = id;
      r.chat_id = st.Text(0);
      r.state = st.Text(1);
      r.next_attempt_at = st.Int(2);
      r.attempts = static_cast<int>(st.Int(3));
      r.last_error = st.Text(4);
      r.provider_message_id = st.Text(5);
      r.due_at = st.Int(6);
    }
    return r;
  }

  storage::BroadcastCounters Counters(int64_t id) {
    auto reader = store->OpenReader().value();
    auto c = storage::CountBroadcast(*reader, id);
    REQUIRE(c.ok());
    return *c;
  }

  void SetConversation(int64_t user_id, storage::ConversationMode mode,
                       const std::string& flow, int64_t last_message_at) {
    Write([&](storage::Database& db) -> core::Status {
      auto c = storage::GetOrCreateConversation(db, user_id, clock.NowMillis());
      if (!c.ok()) return c.status();
      c->mode = mode;
      c->flow = flow;
      c->step = flow.empty() ? "" : "question";
      c->last_message_at = last_message_at;
      return storage::SaveConversation(db, *c, clock.NowMillis());
    });
  }

  // Waits (real time, waking the sender) until `done` holds.
  bool Eventually(const std::function<bool()>& done,
                  milliseconds timeout = 10s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      if (sender) sender->Wake();
      std::this_thread::sleep_for(5ms);
    }
    return done();
  }

  // Gives the sender time to do something it should not.
  void Settle() {
    for (int i = 0; i < 30; ++i) {
      if (sender) sender->Wake();
      std::this_thread::sleep_for(10ms);
    }
  }

  size_t TelegramSent() { return telegram.SentTexts().size(); }
};

TEST_CASE(
    "a Telegram chat gets a reply of three parts at once and a fourth part "
    "one second later, deferred without counting an attempt") {
  Sending s;
  const int64_t anna = s.Person("telegram", "1001", false);
  const int64_t t0 = s.clock.NowMillis();
  std::vector<int64_t> parts;
  for (int i = 1; i <= 4; ++i) {
    parts.push_back(
        s.Message("telegram", "1001", anna, "parte " + std::to_string(i)));
  }
  s.Start();

  REQUIRE(s.Eventually([&] {
    return s.TelegramSent() == 3 && s.Row(parts[3]).next_attempt_at > t0;
  }));
  const auto fourth = s.Row(parts[3]);
  CHECK(fourth.state == "pending");
  CHECK(fourth.next_attempt_at == t0 + 1000);
  CHECK(fourth.attempts == 0);
  CHECK(s.telegram.SentTexts(1001) ==
        std::vector<std::string>{"parte 1", "parte 2", "parte 3"});

  s.clock.Advance(999ms);
  s.Settle();
  CHECK(s.TelegramSent() == 3);

  s.clock.Advance(1ms);
  REQUIRE(s.Eventually([&] { return s.TelegramSent() == 4; }));
  CHECK(s.telegram.SentTexts(1001).back() == "parte 4");
  CHECK(s.Row(parts[3]).attempts == 1);
}

TEST_CASE(
    "a WhatsApp recipient gets a burst of messages at once, then one every "
    "six seconds") {
  Sending s;
  const size_t burst = static_cast<size_t>(
      SenderOptions().chat_pace.at(core::Channel::kWhatsApp).burst);
  REQUIRE(burst >= 3);  // a reply in parts is never held back
  const std::string wa_id = "393331110001";
  const int64_t marco = s.Person("whatsapp", wa_id, false);
  const int64_t t0 = s.clock.NowMillis();
  std::vector<int64_t> rows;
  for (size_t i = 1; i <= burst + 2; ++i)
    rows.push_back(
        s.Message("whatsapp", wa_id, marco, "msg " + std::to_string(i)));
  s.Start();

  REQUIRE(s.Eventually([&] {
    return s.whatsapp.Accepted(wa_id).size() == burst &&
           s.Row(rows[burst]).next_attempt_at > t0;
  }));
  CHECK(s.Row(rows[burst]).next_attempt_at == t0 + 6000);
  CHECK(s.Row(rows[burst]).attempts == 0);

  s.clock.Advance(6s);
  REQUIRE(s.Eventually([&] {
    return s.whatsapp.Accepted(wa_id).size() == burst + 1 &&
           s.Row(rows[burst + 1]).next_attempt_at > t0 + 6000;
  }));
  CHECK(s.Row(rows[burst + 1]).next_attempt_at == t0 + 12000);

  s.clock.Advance(5999ms);
  s.Settle();
  CHECK(s.whatsapp.Accepted(wa_id).size() == burst + 1);
  s.clock.Advance(1ms);
  REQUIRE(s.Eventually(
      [&] { return s.whatsapp.Accepted(wa_id).size() == burst + 2; }));
  const auto sent = s.whatsapp.Accepted(wa_id);
  for (size_t i = 0; i < burst + 2; ++i) {
    CAPTURE(i);
    CHECK(sent[i]["text"]["body"] == "msg " + std::to_string(i + 1));
  }
}

TEST_CASE(
    "across chats replies go before reminders, and reminders before "
    "notices") {
  Sending s;
  s.options.threads = 1;  // one call at a time: arrival order is send order
  const int64_t notice_to = s.Person("telegram", "2001");
  (void)notice_to;
  const int64_t reminded = s.Person("telegram", "2002", false);
  const int64_t answered = s.Person("telegram", "2003", false);
  s.Broadcast("Avviso: nuovi corsi");
  s.Message("telegram", "2002", reminded, "Promemoria", 1);
  s.Message("telegram", "2003", answered, "Risposta", 0);
  s.Start();
  REQUIRE(s.Eventually([&] { return s.TelegramSent() == 3; }));
  CHECK(s.telegram.SentTexts() ==
        std::vector<std::string>{"Risposta", "Promemoria",
                                 "Avviso: nuovi corsi"});
}

TEST_CASE(
    "in quiet hours a notice waits until they end while a reply goes at "
    "once, even to someone whose notice is held") {
  Sending s;
  s.clock.SetMillis(Rome(18, 22, 0));
  s.options.quiet_hours = *ParseQuietHours("21:00-08:00").value();
  s.Person("telegram", "3001");
  s.Person("telegram", "3002");
  const int64_t late = s.Person("telegram", "3003");
  const int64_t id = s.Broadcast("Open day giovedì");
  const int64_t reply = s.Message("telegram", "3003", late, "Eccomi");
  s.Start();

  REQUIRE(s.Eventually([&] { return s.Row(reply).state == "sent"; }));
  s.Settle();
  CHECK(s.TelegramSent() == 1);
  // Held by the query, not by touching every row: the rows are as fanned out.
  for (int64_t row : s.RowsOf(id)) {
    const auto r = s.Row(row);
    CHECK(r.state == "pending");
    CHECK(r.attempts == 0);
    CHECK(r.next_attempt_at == r.due_at);
  }

  s.clock.SetMillis(Rome(19, 7, 59, 59'999));
  s.Settle();
  CHECK(s.TelegramSent() == 1);

  s.clock.SetMillis(Rome(19, 8, 0));
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent == 3; }));
  CHECK(s.telegram.SentTexts(3001) ==
        std::vector<std::string>{"Open day giovedì"});
  CHECK(s.telegram.SentTexts(3003) ==
        std::vector<std::string>{"Eccomi", "Open day giovedì"});
}

TEST_CASE("a broadcast still running at 21:00 stops and resumes at 08:00") {
  Sending s;
  s.clock.SetMillis(Rome(18, 20, 59));
  s.options.quiet_hours = *ParseQuietHours("21:00-08:00").value();
  s.options.threads = 1;
  s.options.rate_per_sec[core::Channel::kTelegram] = 2;  // 10 take ~4 s
  for (int i = 0; i < 10; ++i) s.Person("telegram", std::to_string(3100 + i));
  const int64_t id = s.Broadcast("Laboratorio CV");
  s.Start();
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent >= 3; }));

  s.clock.SetMillis(Rome(18, 21, 0));
  // A row claimed just before 21:00 may still go; nothing after it.
  std::this_thread::sleep_for(1s);
  const int64_t at_nine = s.Counters(id).sent;
  s.Settle();
  std::this_thread::sleep_for(1s);
  CHECK(s.Counters(id).sent == at_nine);
  CHECK(at_nine < 10);

  s.clock.SetMillis(Rome(19, 8, 0));
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent == 10; }));
}

TEST_CASE(
    "a notice waits while the person is answering the bot's questions and "
    "goes once they have been quiet for 15 minutes") {
  Sending s;
  const int64_t t0 = s.clock.NowMillis();
  const int64_t giulia = s.Person("telegram", "4001");
  s.SetConversation(giulia, storage::ConversationMode::kBot, "profile",
                    t0 - 5 * kMinute);
  const int64_t id = s.Broadcast("Corso di inglese");
  const int64_t row = s.RowsOf(id).at(0);
  s.Start();

  REQUIRE(s.Eventually([&] { return s.Row(row).next_attempt_at > t0; }));
  CHECK(s.Row(row).next_attempt_at == t0 + 10 * kMinute);
  CHECK(s.Row(row).attempts == 0);
  CHECK(s.TelegramSent() == 0);

  // She answers another question at +7 min: checked again when the hold
  // ends, the notice waits for 15 quiet minutes from then.
  s.clock.SetMillis(t0 + 7 * kMinute);
  s.SetConversation(giulia, storage::ConversationMode::kBot, "profile",
                    t0 + 7 * kMinute);
  s.clock.SetMillis(t0 + 10 * kMinute);
  REQUIRE(s.Eventually(
      [&] { return s.Row(row).next_attempt_at == t0 + 22 * kMinute; }));
  CHECK(s.TelegramSent() == 0);

  s.clock.SetMillis(t0 + 22 * kMinute);
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent == 1; }));
  CHECK(s.TelegramSent() == 1);
}

TEST_CASE("a person talking with a counsellor still gets the notice") {
  Sending s;
  const int64_t t0 = s.clock.NowMillis();
  const int64_t luca = s.Person("telegram", "5001");
  SUBCASE("a counsellor holds the conversation") {
    s.SetConversation(luca, storage::ConversationMode::kHuman, "profile",
                      t0 - kMinute);
  }
  SUBCASE("the person waits for a counsellor") {
    s.SetConversation(luca, storage::ConversationMode::kWaitingForHuman,
                      "profile", t0 - kMinute);
  }
  const int64_t id = s.Broadcast("Colloqui giovedì");
  s.Start();
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent == 1; }));
  CHECK(s.telegram.SentTexts(5001) ==
        std::vector<std::string>{"Colloqui giovedì"});
}

TEST_CASE(
    "someone who opts out while a broadcast to 50 people runs gets nothing "
    "after the opt-out and is counted as skipped") {
  Sending s;
  s.options.threads = 4;
  s.options.rate_per_sec[core::Channel::kTelegram] = 25;  // ~1 s for 50
  for (int i = 0; i < 50; ++i) s.Person("telegram", std::to_string(6000 + i));
  const int64_t id = s.Broadcast("Bando tirocini");
  // The last row of the broadcast: sent about a second after the first.
  const auto last = s.Row(s.RowsOf(id).back());
  const int64_t leaving_chat = std::stoll(last.chat_id);
  s.Start();

  REQUIRE(s.Eventually([&] { return s.TelegramSent() >= 5; }));
  auto leaving = s.store->OpenReader().value();
  const auto user =
      storage::FindUserByChat(*leaving, "telegram", last.chat_id).value();
  REQUIRE(user.has_value());
  s.Write([&](storage::Database& db) {
    return storage::SetNotify(db, user->id, false);
  });
  const auto opted_out_at = std::chrono::steady_clock::now();

  REQUIRE(s.Eventually([&] { return s.Counters(id).pending == 0; }));
  for (const auto& call : s.telegram.Calls("sendMessage")) {
    if (call.at < opted_out_at) continue;
    CHECK(call.body["chat_id"] != leaving_chat);
  }
  CHECK(s.telegram.SentTexts(leaving_chat).empty());
  const auto c = s.Counters(id);
  CHECK(c.sent == 49);
  CHECK(c.skipped_opted_out == 1);
  CHECK(c.failed == 0);
}

TEST_CASE(
    "a 429 with retry_after pauses the whole channel, and a row given back "
    "unsent is not counted as an attempt") {
  Sending s;
  s.options.threads = 1;
  std::vector<int64_t> rows;
  for (int i = 0; i < 5; ++i) {
    const std::string chat = std::to_string(7000 + i);
    const int64_t user = s.Person("telegram", chat, false);
    rows.push_back(s.Message("telegram", chat, user, "ciao " + chat));
  }
  s.telegram.FailWithRetryAfter("sendMessage", 1);
  const int64_t t0 = s.clock.NowMillis();
  s.Start();

  REQUIRE(s.Eventually([&] {
    return s.telegram.CallCount("sendMessage") >= 1 &&
           s.Row(rows[0]).state == "pending" &&
           s.Row(rows[1]).state == "pending";
  }));
  CHECK(s.Row(rows[0]).attempts == 1);
  CHECK(s.Row(rows[0]).next_attempt_at == t0 + 1000);
  CHECK(s.Row(rows[1]).attempts == 0);

  s.clock.Advance(1s);
  REQUIRE(s.Eventually([&] { return s.TelegramSent() == 5; }));
  const auto calls = s.telegram.Calls("sendMessage");
  REQUIRE(calls.size() == 6);
  CHECK(calls[0].status == 429);
  for (size_t i = 1; i < calls.size(); ++i) {
    CAPTURE(i);
    CHECK(calls[i].at - calls[0].at >= 1000ms);
  }
  CHECK(s.Row(rows[0]).attempts == 2);
}

TEST_CASE(
    "after a crash notices left in flight are not sent again and count as in "
    "doubt, while a reply left in flight is sent again") {
  Sending s;
  s.Person("telegram", "8001");
  s.Person("telegram", "8002");
  s.Person("telegram", "8003");
  const int64_t writer = s.Person("telegram", "8004", false);
  const int64_t id = s.Broadcast("Avviso");
  const int64_t reply = s.Message("telegram", "8004", writer, "Risposta");
  const auto rows = s.RowsOf(id);
  REQUIRE(rows.size() == 3);
  // A sender claimed these, handed them to the HTTP client, and the process
  // died before recording.
  s.Write([&](storage::Database& db) -> core::Status {
    for (int64_t row : {rows[0], rows[1], reply}) {
      auto ok = storage::ClaimOutboxRow(db, row);
      if (!ok.ok()) return ok.status();
      if (auto h = storage::MarkOutboxHandedOver(db, row, 1); !h.ok()) return h;
    }
    return core::Status::Ok();
  });
  s.Start();

  REQUIRE(s.Eventually([&] {
    return s.Counters(id).pending == 0 && s.Row(reply).state == "sent";
  }));
  for (int64_t row : {rows[0], rows[1]}) {
    const auto r = s.Row(row);
    CAPTURE(row);
    CHECK(r.state == "failed");
    CHECK(r.last_error->rfind(storage::kInDoubt, 0) == 0);
    CHECK(s.telegram.SentTexts(std::stoll(r.chat_id)).empty());
  }
  CHECK(s.telegram.SentTexts(8004) == std::vector<std::string>{"Risposta"});
  CHECK(s.Row(reply).state == "sent");
  const auto c = s.Counters(id);
  CHECK(c.in_doubt == 2);
  CHECK(c.sent == 1);
  CHECK(c.failed == 0);
  CHECK(c.pending == 0);
}

TEST_CASE(
    "while the sender is the bottleneck, Telegram and WhatsApp progress side "
    "by side: one channel's backlog does not hold the other back") {
  Sending s;
  s.options.threads = 1;
  s.options.rate_per_sec.clear();  // only the sender's own speed limits
  constexpr int kEach = 20;
  // Telegram's rows come first in the outbox and answer slowly.
  for (int i = 0; i < kEach; ++i)
    s.Person("telegram", std::to_string(9100 + i));
  for (int i = 0; i < kEach; ++i)
    s.Person("whatsapp", "39300000" + std::to_string(1000 + i));
  s.telegram.DelayNext("sendMessage", 30ms, kEach);
  const int64_t id = s.Broadcast("Avviso a tutti");
  REQUIRE(s.RowsOf(id).size() == 2 * kEach);
  s.Start();

  REQUIRE(s.Eventually(
      [&] { return s.telegram.CallCount("sendMessage") >= kEach / 2; }));
  // Halfway through Telegram's rows, WhatsApp's have been going too.
  CHECK(s.whatsapp.CallCount() >= kEach / 4);
  REQUIRE(s.Eventually([&] { return s.Counters(id).pending == 0; }));
  CHECK(s.Counters(id).sent == 2 * kEach);
}

TEST_CASE(
    "after a crash notices claimed but never handed to the HTTP client are "
    "sent, not counted in doubt") {
  Sending s;
  s.Person("telegram", "8101");
  s.Person("telegram", "8102");
  const int64_t id = s.Broadcast("Avviso");
  const auto rows = s.RowsOf(id);
  REQUIRE(rows.size() == 2);
  s.Write([&](storage::Database& db) -> core::Status {
    for (int64_t row : rows) {
      auto ok = storage::ClaimOutboxRow(db, row);
      if (!ok.ok()) return ok.status();
    }
    return core::Status::Ok();
  });
  s.Start();

  REQUIRE(s.Eventually([&] { return s.Counters(id).pending == 0; }));
  const auto c = s.Counters(id);
  CHECK(c.in_doubt == 0);
  CHECK(c.sent == 2);
  CHECK(s.telegram.SentTexts(8101) == std::vector<std::string>{"Avviso"});
  CHECK(s.telegram.SentTexts(8102) == std::vector<std::string>{"Avviso"});
  CHECK(s.Row(rows[0]).attempts == 1);
}

TEST_CASE(
    "a sent notice is in the person's history, even for someone with no "
    "conversation yet, and a WhatsApp read receipt updates it") {
  Sending s;
  const std::string wa_id = "393339990001";
  const int64_t sara = s.Person("whatsapp", wa_id);
  {
    auto reader = s.store->OpenReader().value();
    REQUIRE_FALSE(
        storage::FindConversationByUser(*reader, sara).value().has_value());
  }
  const int64_t id = s.Broadcast("Giornata del lavoro giovedì alle 10");
  s.Start();
  REQUIRE(s.Eventually([&] { return s.Counters(id).sent == 1; }));

  const std::string wamid = *s.Row(s.RowsOf(id).at(0)).provider_message_id;
  REQUIRE(!wamid.empty());
  auto history = [&] {
    auto reader = s.store->OpenReader().value();
    auto conv = storage::FindConversationByUser(*reader, sara).value();
    REQUIRE(conv.has_value());
    CHECK_FALSE(conv->last_message_at.has_value());
    return storage::ConversationMessages(*reader, conv->id, 10).value();
  };
  auto messages = history();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].direction == "out");
  CHECK(messages[0].author == "broadcast");
  CHECK(messages[0].text == "Giornata del lavoro giovedì alle 10");
  CHECK(messages[0].provider_message_id == wamid);
  CHECK(messages[0].status == "sent");

  // The receipt as Meta delivers it, parsed by the WhatsApp adapter and
  // applied as the dispatcher applies receipts.
  const fakes::wa::Business business;
  const std::string body =
      fakes::wa::Payload(business, {},
                         {fakes::wa::Status(wamid, wa_id, "read")})
          .dump();
  auto updates = channels::ParseWhatsAppWebhook(body, business.phone_number_id);
  REQUIRE(updates.ok());
  REQUIRE(updates->size() == 1);
  const auto* receipt = std::get_if<core::StatusUpdate>(&updates->at(0));
  REQUIRE(receipt != nullptr);
  s.Write([&](storage::Database& db) {
    return storage::ApplyReceipt(db, *receipt, s.clock.NowMillis());
  });

  messages = history();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].status == "read");
  CHECK(s.Counters(id).read == 1);
}

}  // namespace
}  // namespace sportello
