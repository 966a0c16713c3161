// The conversation history and delivery receipts (guarantee 5): a status
// moves only forward, failed is final, and a receipt may beat the send.
#include "storage/messages.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::DeliveryState;
using core::Status;

constexpr int64_t kNow = support::kStorageNow;

struct History {
  std::unique_ptr<Database> db;
  int64_t conversation_id = 0;
};

History NewHistory() {
  auto db = support::MigratedDb();
  const int64_t user = support::NewUser(*db, "393331234567", "whatsapp");
  const int64_t conversation = support::ConversationOf(*db, user).id;
  return {std::move(db), conversation};
}

int64_t AddOutbound(History& h, const std::string& text = "Cosa ti serve?") {
  NewMessage m;
  m.conversation_id = h.conversation_id;
  m.direction = "out";
  m.author = "bot";
  m.kind = "text";
  m.text = text;
  m.buttons = R"([{"id":"jobs","title":"Cerco lavoro"}])";
  auto id = InsertMessage(*h.db, m, kNow);
  REQUIRE(id.ok());
  return *id;
}

core::StatusUpdate Receipt(const std::string& wamid, DeliveryState state,
                           int64_t at = 1) {
  core::StatusUpdate r;
  r.channel = core::Channel::kWhatsApp;
  r.dedupe_key = wamid + ":" + std::string(core::DeliveryStateName(state));
  r.provider_message_id = wamid;
  r.state = state;
  r.at = at;
  r.recipient = "393331234567";
  return r;
}

MessageRow Find(History& h, int64_t id) {
  auto m = FindMessage(*h.db, id);
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  return **m;
}

void Apply(History& h, const core::StatusUpdate& r, int64_t now = kNow + 100) {
  REQUIRE(ApplyReceipt(*h.db, r, now).ok());
}

TEST_CASE("a stored message keeps what was written") {
  History h = NewHistory();
  NewMessage in;
  in.conversation_id = h.conversation_id;
  in.direction = "in";
  in.author = "user";
  in.kind = "button";
  in.text = "Cerco lavoro 👋";
  in.button_id = "menu:jobs";
  in.inbox_id = 12;
  in.status = DeliveryState::kRead;
  auto id = InsertMessage(*h.db, in, kNow + 3);
  REQUIRE(id.ok());

  const MessageRow m = Find(h, *id);
  CHECK(m.conversation_id == h.conversation_id);
  CHECK(m.direction == "in");
  CHECK(m.author == "user");
  CHECK(m.kind == "button");
  CHECK(m.text == "Cerco lavoro 👋");
  CHECK(m.button_id == "menu:jobs");
  CHECK(m.buttons == std::nullopt);
  CHECK(m.provider_message_id == std::nullopt);
  CHECK(m.status == "read");
  CHECK(m.error == std::nullopt);
  CHECK(m.created_at == kNow + 3);
  CHECK(m.updated_at == kNow + 3);
}

TEST_CASE(
    "an outbound message starts queued and becomes sent with its provider id") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  CHECK(Find(h, id).status == "queued");

  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.A", kNow + 50).ok());

  const MessageRow m = Find(h, id);
  CHECK(m.status == "sent");
  CHECK(m.provider_message_id == "wamid.A");
  CHECK(m.updated_at == kNow + 50);
}

TEST_CASE("a message sent without a provider id is still sent") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "web", "", kNow + 50).ok());
  const MessageRow m = Find(h, id);
  CHECK(m.status == "sent");
  CHECK(m.provider_message_id == std::nullopt);
}

TEST_CASE("receipts move a message forward through delivered read and played") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.A", kNow).ok());
  for (DeliveryState state : {DeliveryState::kDelivered, DeliveryState::kRead,
                              DeliveryState::kPlayed}) {
    CAPTURE(core::DeliveryStateName(state));
    Apply(h, Receipt("wamid.A", state));
    CHECK(Find(h, id).status == core::DeliveryStateName(state));
  }
}

TEST_CASE("a delivery status never moves backwards") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.A", kNow).ok());
  Apply(h, Receipt("wamid.A", DeliveryState::kRead), kNow + 10);

  SUBCASE("a late delivered") {
    Apply(h, Receipt("wamid.A", DeliveryState::kDelivered), kNow + 20);
  }
  SUBCASE("a late sent") {
    Apply(h, Receipt("wamid.A", DeliveryState::kSent), kNow + 20);
  }
  SUBCASE("a repeated send confirmation") {
    REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.A", kNow + 20).ok());
  }

  const MessageRow m = Find(h, id);
  CHECK(m.status == "read");
  CHECK(m.updated_at == kNow + 10);
}

TEST_CASE("played ranks above read") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.V", kNow).ok());
  Apply(h, Receipt("wamid.V", DeliveryState::kPlayed));
  Apply(h, Receipt("wamid.V", DeliveryState::kRead));
  CHECK(Find(h, id).status == "played");
}

TEST_CASE("a failed message stays failed") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.F", kNow).ok());
  core::StatusUpdate failed = Receipt("wamid.F", DeliveryState::kFailed);
  failed.error_code = 131026;
  failed.error_title = "Message undeliverable";
  Apply(h, failed);

  MessageRow m = Find(h, id);
  CHECK(m.status == "failed");
  REQUIRE(m.error.has_value());
  CHECK(m.error->find("131026") != std::string::npos);
  CHECK(m.error->find("Message undeliverable") != std::string::npos);

  Apply(h, Receipt("wamid.F", DeliveryState::kRead));
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.F", kNow + 200).ok());
  CHECK(Find(h, id).status == "failed");
}

TEST_CASE(
    "a message whose send failed records why and ignores later receipts") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageFailed(*h.db, id,
                            "telegram 403: bot was blocked by the user", kNow)
              .ok());

  MessageRow m = Find(h, id);
  CHECK(m.status == "failed");
  CHECK(m.error == "telegram 403: bot was blocked by the user");

  REQUIRE(MarkMessageFailed(*h.db, id, "again", kNow + 1).ok());
  CHECK(Find(h, id).error == "telegram 403: bot was blocked by the user");
}

TEST_CASE("a duplicate receipt is harmless") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.D", kNow).ok());
  Apply(h, Receipt("wamid.D", DeliveryState::kDelivered));
  Apply(h, Receipt("wamid.D", DeliveryState::kDelivered));

  CHECK(Find(h, id).status == "delivered");
  Statement st = h.db->Prepare(
      "SELECT count(*) FROM receipts WHERE provider_message_id = 'wamid.D'");
  REQUIRE(st.Step());
  CHECK(st.Int(0) == 1);
}

TEST_CASE(
    "a receipt for a message we do not know is kept and changes nothing") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);
  REQUIRE(MarkMessageSent(*h.db, id, "whatsapp", "wamid.MINE", kNow).ok());
  Apply(h, Receipt("wamid.OTHER", DeliveryState::kRead));
  CHECK(Find(h, id).status == "sent");
}

TEST_CASE(
    "a receipt that arrives before the send is recorded is applied when it "
    "is") {
  History h = NewHistory();
  const int64_t id = AddOutbound(h);

  SUBCASE("delivered") {
    Apply(h, Receipt("wamid.EARLY", DeliveryState::kDelivered));
    CHECK(Find(h, id).status == "queued");  // we do not know the wamid yet
    REQUIRE(
        MarkMessageSent(*h.db, id, "whatsapp", "wamid.EARLY", kNow + 200).ok());
    CHECK(Find(h, id).status == "delivered");
  }
  SUBCASE("the highest of several wins") {
    Apply(h, Receipt("wamid.EARLY", DeliveryState::kRead));
    Apply(h, Receipt("wamid.EARLY", DeliveryState::kDelivered));
    REQUIRE(
        MarkMessageSent(*h.db, id, "whatsapp", "wamid.EARLY", kNow + 200).ok());
    CHECK(Find(h, id).status == "read");
  }
  SUBCASE("failed") {
    core::StatusUpdate failed = Receipt("wamid.EARLY", DeliveryState::kFailed);
    failed.error_code = 131047;
    failed.error_title = "Re-engagement message";
    Apply(h, failed);
    REQUIRE(
        MarkMessageSent(*h.db, id, "whatsapp", "wamid.EARLY", kNow + 200).ok());
    const MessageRow m = Find(h, id);
    CHECK(m.status == "failed");
    REQUIRE(m.error.has_value());
    CHECK(m.error->find("131047") != std::string::npos);
  }
  SUBCASE("only from the same channel") {
    core::StatusUpdate elsewhere = Receipt("wamid.EARLY", DeliveryState::kRead);
    elsewhere.channel = core::Channel::kTelegram;
    Apply(h, elsewhere);
    REQUIRE(
        MarkMessageSent(*h.db, id, "whatsapp", "wamid.EARLY", kNow + 200).ok());
    CHECK(Find(h, id).status == "sent");
  }
}

TEST_CASE("the history gives the last messages oldest first") {
  History h = NewHistory();
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(AddOutbound(h, "m" + std::to_string(i)));

  auto last3 = ConversationMessages(*h.db, h.conversation_id, 3);
  REQUIRE(last3.ok());
  REQUIRE(last3->size() == 3);
  CHECK((*last3)[0].text == "m2");
  CHECK((*last3)[1].text == "m3");
  CHECK((*last3)[2].text == "m4");

  auto all = ConversationMessages(*h.db, h.conversation_id, 100);
  REQUIRE(all.ok());
  CHECK(all->size() == 5);
  CHECK(all->front().id == ids.front());

  auto none = ConversationMessages(*h.db, h.conversation_id + 1, 100);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("a message with an unknown direction is refused") {
  History h = NewHistory();
  NewMessage m;
  m.conversation_id = h.conversation_id;
  m.direction = "both";
  m.author = "bot";
  m.kind = "text";
  CHECK(InsertMessage(*h.db, m, kNow).status().code() ==
        Status::Code::kAlreadyExists);
}

TEST_CASE("finding a message that does not exist gives nothing") {
  History h = NewHistory();
  auto m = FindMessage(*h.db, 999);
  REQUIRE(m.ok());
  CHECK_FALSE(m->has_value());
}

}  // namespace
}  // namespace sportello::storage
