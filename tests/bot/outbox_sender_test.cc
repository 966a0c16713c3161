// The sender and WhatsApp's 24 h window, against the fake Cloud API on
// loopback: a message due after the window closed (a reminder written days
// after the person's last message) goes out as the configured template, its
// text flattened into the one parameter; without a template it fails with
// the reason, and nothing is sent; inside the window it is plain text.
#include "bot/outbound/outbox_sender.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "bot/channels/api_client.h"
#include "bot/core/clock.h"
#include "bot/core/utf8.h"
#include "bot/domain/catalog.h"
#include "bot/domain/events.h"
#include "storage/codec.h"
#include "storage/events.h"
#include "storage/outbox.h"
#include "storage/store.h"
#include "storage/users.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kHour = 3'600'000;
constexpr const char* kWaId = "393331234567";

struct Sending {
  support::TempDir dir;
  core::FakeClock clock;
  fakes::FakeWhatsApp whatsapp;
  std::unique_ptr<storage::Store> store =
      std::move(storage::Store::Open(dir.File("s.db")).value());
  std::unique_ptr<channels::ChannelSender> channel =
      channels::MakeWhatsAppSender({whatsapp.base_url(),
                                    whatsapp.access_token(),
                                    whatsapp.phone_number_id()});
  int64_t user_id = 0;

  // The person last wrote `hours_ago` hours before the clock's now.
  explicit Sending(int hours_ago, std::string language = "it") {
    const int64_t then = clock.NowMillis() - hours_ago * kHour;
    REQUIRE(store
                ->Write([&](storage::Database& db) -> core::Status {
                  auto user = storage::UpsertUserOnInbound(
                      db, "whatsapp", kWaId, kWaId, "Anna", then);
                  if (!user.ok()) return user.status();
                  user_id = user->id;
                  return storage::SetUserLanguage(db, user_id, language);
                })
                .ok());
  }

  int64_t Enqueue(const core::OutboundMessage& msg) {
    storage::NewOutboxRow row;
    row.channel = "whatsapp";
    row.chat_id = kWaId;
    row.user_id = user_id;
    row.kind = std::string(core::OutboundKindName(msg.kind));
    row.payload = EncodeOutbound(msg);
    row.due_at = clock.NowMillis();
    int64_t id = 0;
    REQUIRE(store
                ->Write([&](storage::Database& db) -> core::Status {
                  auto added =
                      storage::EnqueueOutbox(db, row, clock.NowMillis());
                  if (!added.ok()) return added.status();
                  id = added->value_or(0);
                  return core::Status::Ok();
                })
                .ok());
    return id;
  }

  std::string StateOf(int64_t row) {
    auto reader = store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT state || ':' || coalesce(last_error, '') FROM outbox WHERE "
        "id = ?");
    st.Bind(1, row);
    return st.Step() ? st.Text(0) : "";
  }

  // Runs a sender until `row` is no longer pending or sending.
  std::string Deliver(int64_t row, const std::string& fallback_template) {
    SenderOptions options;
    options.threads = 1;
    options.whatsapp_fallback_template = fallback_template;
    OutboxSender sender(*store, clock, nullptr,
                        {{core::Channel::kWhatsApp, channel.get()}}, options);
    REQUIRE(sender.Start().ok());
    std::string state;
    for (int i = 0; i < 500; ++i) {
      state = StateOf(row);
      if (state.rfind("sent", 0) == 0 || state.rfind("failed", 0) == 0) break;
      sender.Wake();
      std::this_thread::sleep_for(10ms);
    }
    sender.Stop();
    return state;
  }
};

core::OutboundMessage Reminder() {
  core::OutboundMessage m;
  m.channel = core::Channel::kWhatsApp;
  m.chat_id = kWaId;
  m.text =
      "⏰ Promemoria: domani, martedì 3 dicembre, ore 10:30, hai "
      "l'appuntamento.\n📍 Via Petroni 15\tBari";
  m.buttons = {{"booking:list", "I miei appuntamenti"}};
  return m;
}

TEST_CASE(
    "after the 24 h window a message goes out as the fallback "
    "template") {
  Sending s(/*hours_ago=*/30);
  const int64_t row = s.Enqueue(Reminder());
  CHECK(s.Deliver(row, "promemoria_sportello").rfind("sent", 0) == 0);
  const auto sent = s.whatsapp.Accepted(kWaId);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["type"] == "template");
  CHECK(sent[0]["template"]["name"] == "promemoria_sportello");
  CHECK(sent[0]["template"]["language"]["code"] == "it");
  const std::string param =
      sent[0]["template"]["components"][0]["parameters"][0]["text"];
  CHECK(param ==
        "⏰ Promemoria: domani, martedì 3 dicembre, ore 10:30, hai "
        "l'appuntamento. 📍 Via Petroni 15 Bari");
}

TEST_CASE("the template speaks the person's language") {
  Sending s(/*hours_ago=*/30, "en");
  const int64_t row = s.Enqueue(Reminder());
  CHECK(s.Deliver(row, "sportello_update").rfind("sent", 0) == 0);
  const auto sent = s.whatsapp.Accepted(kWaId);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["template"]["language"]["code"] == "en");
}

TEST_CASE(
    "after the 24 h window without a template the message fails with "
    "the reason and nothing is sent") {
  Sending s(/*hours_ago=*/30);
  const int64_t row = s.Enqueue(Reminder());
  const std::string state = s.Deliver(row, "");
  CHECK(state.rfind("failed:", 0) == 0);
  CHECK(state.find("WHATSAPP_FALLBACK_TEMPLATE") != std::string::npos);
  CHECK(s.whatsapp.CallCount() == 0);
}

TEST_CASE("inside the 24 h window the message goes as it is") {
  Sending s(/*hours_ago=*/2);
  const int64_t row = s.Enqueue(Reminder());
  CHECK(s.Deliver(row, "promemoria_sportello").rfind("sent", 0) == 0);
  const auto sent = s.whatsapp.Accepted(kWaId);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["type"] == "interactive");
}

// WhatsApp's limits, checked on what the fake Cloud API accepted: a reply
// button message has a body of at most 1,024 characters and 1-3 buttons of
// at most 20; a list at most 10 rows of at most 24; a text at most 4,096.
void CheckWithinWhatsAppLimits(const std::vector<nlohmann::json>& calls) {
  for (const auto& call : calls) {
    const std::string type = call.value("type", "");
    if (type == "text") {
      CHECK(core::utf8::Units(call["text"]["body"].get<std::string>()) <= 4096);
      continue;
    }
    REQUIRE(type == "interactive");
    const auto& in = call["interactive"];
    const std::string body = in["body"]["text"];
    if (in["type"] == "button") {
      CHECK(core::utf8::Units(body) <= 1024);
      const auto& buttons = in["action"]["buttons"];
      CHECK(buttons.size() >= 1);
      CHECK(buttons.size() <= 3);
      for (const auto& b : buttons)
        CHECK(core::utf8::Units(b["reply"]["title"].get<std::string>()) <= 20);
    } else {
      REQUIRE(in["type"] == "list");
      CHECK(core::utf8::Units(body) <= 4096);
      const auto& rows = in["action"]["sections"][0]["rows"];
      CHECK(rows.size() <= 10);
      for (const auto& r : rows)
        CHECK(core::utf8::Units(r["title"].get<std::string>()) <= 24);
    }
  }
}

// The text a person reads across the calls, in order.
std::string ReadText(const std::vector<nlohmann::json>& calls) {
  std::string all;
  for (const auto& call : calls) {
    all += call.value("type", "") == "text"
               ? call["text"]["body"].get<std::string>()
               : call["interactive"]["body"]["text"].get<std::string>();
    all += "\n";
  }
  return all;
}

TEST_CASE(
    "an event notice too long for one WhatsApp message goes out in parts "
    "within WhatsApp's limits") {
  Sending s(/*hours_ago=*/2);
  const Catalog catalog = Catalog::LoadEmbedded().value();
  std::string directions;
  for (int i = 0; i < 30; ++i)
    directions += " Ingresso Orientale, padiglione 152, primo piano.";
  const int64_t now = s.clock.NowMillis();
  int64_t promoted_row = 0;
  REQUIRE(s.store
              ->Write([&](storage::Database& db) -> core::Status {
                auto other = storage::UpsertUserOnInbound(
                    db, "whatsapp", "393330000001", "393330000001", "Lia", now);
                if (!other.ok()) return other.status();
                storage::NewEvent e;
                e.title = "Recruiting Day Turismo";
                e.description = "Porta il CV.";
                e.starts_at = now + 72 * kHour;
                e.ends_at = e.starts_at + 3 * kHour;
                e.place = "Fiera del Levante, Bari." + directions;
                e.capacity = 1;
                auto event = storage::AddEvent(db, e, now);
                if (!event.ok()) return event.status();
                // Lia has the place, Anna waits; Lia's cancelling gives
                // Anna the place and the notice.
                for (int64_t user : {other->id, s.user_id}) {
                  auto signed_up =
                      SignUpForEvent(db, catalog, user, *event, now);
                  if (!signed_up.ok()) return signed_up.status();
                }
                return CancelEventSignup(db, catalog, other->id, *event, now)
                    .status();
              })
              .ok());
  // As the events rules write it: one row, its text over WhatsApp's 1,024
  // for a message with a button.
  {
    auto reader = s.store->OpenReader().value();
    auto st = reader->Prepare(
        "SELECT id, payload FROM outbox WHERE user_id = ? AND dedupe_key IS "
        "NULL");
    st.Bind(1, s.user_id);
    REQUIRE(st.Step());
    promoted_row = st.Int(0);
    const auto written = DecodeOutbound(st.Text(1));
    REQUIRE(written.ok());
    CHECK(core::utf8::Units(written->text) > 1024);
    CHECK(written->buttons.size() == 1);
  }

  CHECK(s.Deliver(promoted_row, "").rfind("sent", 0) == 0);

  const auto sent = s.whatsapp.Accepted(kWaId);
  REQUIRE(sent.size() >= 2);
  CheckWithinWhatsAppLimits(sent);
  CHECK(sent.back()["type"] == "interactive");
  CHECK(sent.back()["interactive"]["action"]["buttons"][0]["reply"]["title"] ==
        catalog.Text("it", "events.details"));
  const std::string read = ReadText(sent);
  CHECK(read.find("Si è liberato un posto") != std::string::npos);
  CHECK(read.find("primo piano.") != std::string::npos);
}

TEST_CASE(
    "a row with more buttons, and longer titles, than WhatsApp's reply "
    "buttons take goes out as a list within the limits") {
  Sending s(/*hours_ago=*/2);
  core::OutboundMessage m = Reminder();
  m.buttons.clear();
  for (int i = 1; i <= 5; ++i) {
    m.buttons.push_back({"events:show:" + std::to_string(i),
                         "Recruiting Day del turismo e della ristorazione " +
                             std::to_string(i)});
  }
  const int64_t row = s.Enqueue(m);

  CHECK(s.Deliver(row, "").rfind("sent", 0) == 0);

  const auto sent = s.whatsapp.Accepted(kWaId);
  REQUIRE(sent.size() == 1);
  CheckWithinWhatsAppLimits(sent);
  CHECK(sent[0]["interactive"]["type"] == "list");
  CHECK(sent[0]["interactive"]["action"]["sections"][0]["rows"].size() == 5);
}

TEST_CASE(
    "a long text is cut to fit the template, never inside a "
    "character") {
  core::OutboundMessage m = Reminder();
  m.text.clear();
  for (int i = 0; i < 400; ++i) m.text += "è ";
  const auto t = AsFallbackTemplate(m, "x", "it");
  REQUIRE(t.template_params.size() == 1);
  const std::string& p = t.template_params[0];
  CHECK(p.size() <= 903);
  CHECK(p.substr(p.size() - 3) == "…");
  CHECK(p.find('\n') == std::string::npos);
}

}  // namespace
}  // namespace sportello
