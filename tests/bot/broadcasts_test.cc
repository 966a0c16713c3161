// Broadcast notices end to end inside the process: composed (a text or an
// event's notice), fanned out into the outbox once, and delivered by the one
// sender to the fake WhatsApp Cloud API, which honours at send time an
// opt-out that came after the fan-out and a broadcast's own template.
#include "bot/domain/broadcasts.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "bot/channels/api_client.h"
#include "bot/core/clock.h"
#include "bot/outbound/broadcast_scheduler.h"
#include "bot/outbound/outbox_sender.h"
#include "storage/broadcasts.h"
#include "storage/codec.h"
#include "storage/events.h"
#include "storage/profiles.h"
#include "storage/store.h"
#include "storage/users.h"
#include "tests/bot/test_bot.h"
#include "tests/fakes/fake_whatsapp.h"
#include "tests/support/temp_dir.h"

namespace sportello {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kHour = 3'600'000;

struct Broadcasting {
  support::TempDir dir;
  core::FakeClock clock;
  fakes::FakeWhatsApp whatsapp;
  std::unique_ptr<storage::Store> store =
      std::move(storage::Store::Open(dir.File("b.db")).value());
  std::unique_ptr<channels::ChannelSender> channel =
      channels::MakeWhatsAppSender({whatsapp.base_url(),
                                    whatsapp.access_token(),
                                    whatsapp.phone_number_id()});
  Catalog catalog = std::move(Catalog::LoadEmbedded().value());

  void Write(const std::function<core::Status(storage::Database&)>& fn) {
    REQUIRE(store->Write(fn).ok());
  }

  // A WhatsApp subscriber who last wrote `hours_ago` hours ago.
  int64_t Subscriber(const std::string& wa_id, int hours_ago = 1,
                     bool consent = true) {
    int64_t id = 0;
    Write([&](storage::Database& db) -> core::Status {
      auto u =
          storage::UpsertUserOnInbound(db, "whatsapp", wa_id, wa_id, "",
                                       clock.NowMillis() - hours_ago * kHour);
      if (!u.ok()) return u.status();
      id = u->id;
      if (consent) {
        if (auto s = storage::RecordConsent(db, id, "v1", clock.NowMillis());
            !s.ok())
          return s;
      }
      return storage::SetNotify(db, id, true);
    });
    return id;
  }

  int64_t Create(const BroadcastRequest& request) {
    int64_t id = 0;
    Write([&](storage::Database& db) -> core::Status {
      auto created = CreateBroadcast(db, catalog, request, clock.NowMillis());
      if (!created.ok()) return created.status();
      id = *created;
      return core::Status::Ok();
    });
    return id;
  }

  int64_t FanOut() {
    auto n = RunDueBroadcasts(*store, clock.NowMillis());
    REQUIRE(n.ok());
    return *n;
  }

  storage::BroadcastCounters Counters(int64_t id) {
    auto reader = store->OpenReader().value();
    auto c = storage::CountBroadcast(*reader, id);
    REQUIRE(c.ok());
    return *c;
  }

  // Runs a sender until no row of broadcast `id` is waiting.
  void Deliver(int64_t id, const std::string& fallback_template = "") {
    SenderOptions options;
    options.threads = 1;
    options.whatsapp_fallback_template = fallback_template;
    OutboxSender sender(*store, clock, nullptr,
                        {{core::Channel::kWhatsApp, channel.get()}}, options);
    REQUIRE(sender.Start().ok());
    for (int i = 0; i < 500 && Counters(id).pending > 0; ++i) {
      sender.Wake();
      std::this_thread::sleep_for(10ms);
    }
    sender.Stop();
    CHECK(Counters(id).pending == 0);
  }

  std::string Status(int64_t id) {
    auto reader = store->OpenReader().value();
    return (*storage::FindBroadcast(*reader, id))->status;
  }
};

TEST_CASE("an opt-out after the fan-out stops that person's notice") {
  Broadcasting b;
  b.Subscriber("393330000001");
  const int64_t leaving = b.Subscriber("393330000002");
  b.Subscriber("393330000003", 1, /*consent=*/false);
  BroadcastRequest request;
  request.text = "Nuovi corsi di inglese a Bari";
  const int64_t id = b.Create(request);
  CHECK(b.FanOut() == 2);
  CHECK(b.FanOut() == 0);  // a second run adds nobody

  b.Write([&](storage::Database& db) {
    return storage::SetNotify(db, leaving, false);
  });
  b.Deliver(id);

  CHECK(b.whatsapp.Accepted("393330000001").size() == 1);
  CHECK(b.whatsapp.Accepted("393330000002").empty());
  CHECK(b.whatsapp.Accepted("393330000003").empty());
  const auto c = b.Counters(id);
  CHECK(c.recipients == 2);
  CHECK(c.sent == 1);
  CHECK(c.skipped_opted_out == 1);
  CHECK(c.failed == 0);
  b.FanOut();  // closes finished broadcasts
  CHECK(b.Status(id) == "done");
}

TEST_CASE("a blocked person is skipped at send time and counted") {
  Broadcasting b;
  const int64_t blocker = b.Subscriber("393330000001");
  BroadcastRequest request;
  request.text = "Avviso";
  const int64_t id = b.Create(request);
  b.FanOut();
  b.Write([&](storage::Database& db) {
    return storage::SetUserBlocked(db, blocker, true);
  });
  b.Deliver(id);
  CHECK(b.whatsapp.CallCount() == 0);
  CHECK(b.Counters(id).skipped_unreachable == 1);
}

TEST_CASE(
    "outside the 24 h window a broadcast goes as its own template, not the "
    "fallback") {
  Broadcasting b;
  b.Subscriber("393330000001", /*hours_ago=*/30);
  BroadcastRequest request;
  request.text = "Recruiting day giovedì";
  request.whatsapp_template =
      NoticeTemplate{"avviso_evento", "it", {"Recruiting day"}};
  const int64_t id = b.Create(request);
  b.FanOut();
  b.Deliver(id, "promemoria_sportello");
  const auto sent = b.whatsapp.Accepted("393330000001");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["type"] == "template");
  CHECK(sent[0]["template"]["name"] == "avviso_evento");
  CHECK(b.Counters(id).sent == 1);
}

TEST_CASE("an event notice offers to sign up or to pass") {
  Broadcasting b;
  b.Subscriber("393330000001");
  int64_t event_id = 0;
  b.Write([&](storage::Database& db) -> core::Status {
    storage::NewEvent e;
    e.title = "Recruiting day turismo";
    e.starts_at = b.clock.NowMillis() + 72 * kHour;
    e.ends_at = e.starts_at + 3 * kHour;
    e.place = "Fiera del Levante, Bari";
    e.capacity = 50;
    auto added = storage::AddEvent(db, e, b.clock.NowMillis());
    if (!added.ok()) return added.status();
    event_id = *added;
    return core::Status::Ok();
  });
  BroadcastRequest request;
  request.event_id = event_id;
  b.Create(request);
  b.FanOut();
  auto reader = b.store->OpenReader().value();
  auto st = reader->Prepare("SELECT payload FROM outbox");
  REQUIRE(st.Step());
  auto msg = DecodeOutbound(st.Text(0));
  REQUIRE(msg.ok());
  CHECK(msg->chat_id == "393330000001");
  CHECK(msg->text.find("Recruiting day turismo") != std::string::npos);
  REQUIRE(msg->buttons.size() == 2);
  CHECK(msg->buttons[0].id == "events:join:" + std::to_string(event_id));
  CHECK(msg->buttons[0].title == "Mi iscrivo");
  CHECK(msg->buttons[1].id == kNoticeDismissButton);
  CHECK(msg->buttons[1].title == "Non mi interessa");
}

TEST_CASE("a broadcast needs a text or an event, not both") {
  Broadcasting b;
  BroadcastRequest neither;
  BroadcastRequest both;
  both.text = "x";
  both.event_id = 1;
  b.Write([&](storage::Database& db) -> core::Status {
    const int64_t now = b.clock.NowMillis();
    CHECK(CreateBroadcast(db, b.catalog, neither, now).status().code() ==
          core::Status::Code::kInvalidArgument);
    CHECK(CreateBroadcast(db, b.catalog, both, now).status().code() ==
          core::Status::Code::kInvalidArgument);
    return core::Status::Ok();
  });
}

TEST_CASE("the scheduler fans out a broadcast when it is due") {
  Broadcasting b;
  b.Subscriber("393330000001");
  BroadcastRequest request;
  request.text = "Avviso";
  request.send_at = b.clock.NowMillis() + kHour;
  const int64_t id = b.Create(request);
  std::atomic<int> woken{0};
  BroadcastScheduler scheduler(
      *b.store, b.clock, [&] { ++woken; }, 10ms);
  REQUIRE(scheduler.Start().ok());
  std::this_thread::sleep_for(50ms);
  CHECK(b.Status(id) == "scheduled");
  b.clock.Advance(std::chrono::hours(1));
  for (int i = 0; i < 200 && b.Status(id) == "scheduled"; ++i)
    std::this_thread::sleep_for(10ms);
  scheduler.Stop();
  CHECK(b.Status(id) == "sending");
  CHECK(b.Counters(id).recipients == 1);
  CHECK(woken >= 1);
}

TEST_CASE("an audience by province reaches the people of its comuni") {
  Broadcasting b;
  VacancyVocabulary places;
  places.AddPlace({"Bari", "BA", "Puglia"});
  places.AddPlace({"Molfetta", "BA", "Puglia"});
  places.AddPlace({"Lecce", "LE", "Puglia"});
  const int64_t molfetta = b.Subscriber("393330000001");
  const int64_t lecce = b.Subscriber("393330000002");
  b.Write([&](storage::Database& db) -> core::Status {
    const int64_t now = b.clock.NowMillis();
    if (auto s = storage::SaveAnswer(db, molfetta, "comune", "Molfetta", now);
        !s.ok())
      return s;
    return storage::SaveAnswer(db, lecce, "comune", "Lecce", now);
  });
  BroadcastRequest request;
  request.text = "Avviso";
  request.provinces = {"BA"};
  int64_t id = 0;
  b.Write([&](storage::Database& db) -> core::Status {
    auto created =
        CreateBroadcast(db, b.catalog, request, b.clock.NowMillis(), &places);
    if (!created.ok()) return created.status();
    id = *created;
    request.provinces = {"ZZ"};
    CHECK(CreateBroadcast(db, b.catalog, request, b.clock.NowMillis(), &places)
              .status()
              .code() == core::Status::Code::kInvalidArgument);
    return core::Status::Ok();
  });
  CHECK(b.FanOut() == 1);
  CHECK(b.Counters(id).recipients == 1);
}

TEST_CASE("\"Non mi interessa\" under a notice is only acknowledged") {
  testing::TestBot bot;
  bot.GiveConsent("u1");
  const auto replies = bot.Press("u1", std::string(kNoticeDismissButton));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]["text"] == "Va bene, nessun problema 🙂");
}

}  // namespace
}  // namespace sportello
