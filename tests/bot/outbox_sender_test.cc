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
#include "storage/codec.h"
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
