#include "bot/core/message.h"

#include <doctest/doctest.h>

namespace sportello::core {
namespace {

TEST_CASE("channel names round-trip through the names stored in the database") {
  for (Channel c : {Channel::kTelegram, Channel::kWhatsApp, Channel::kWeb,
                    Channel::kTerminal}) {
    CAPTURE(ChannelName(c));
    REQUIRE(ParseChannel(ChannelName(c)).has_value());
    CHECK(*ParseChannel(ChannelName(c)) == c);
  }
  CHECK(ChannelName(Channel::kTelegram) == "telegram");
  CHECK(ChannelName(Channel::kWhatsApp) == "whatsapp");
}

TEST_CASE("an unknown channel name is not a channel") {
  CHECK_FALSE(ParseChannel("Telegram").has_value());
  CHECK_FALSE(ParseChannel("").has_value());
  CHECK_FALSE(ParseChannel("sms").has_value());
}

TEST_CASE("inbound kinds round-trip through their names") {
  for (InboundKind k :
       {InboundKind::kText, InboundKind::kButton, InboundKind::kLocation,
        InboundKind::kContact, InboundKind::kMedia, InboundKind::kOther}) {
    CAPTURE(InboundKindName(k));
    REQUIRE(ParseInboundKind(InboundKindName(k)).has_value());
    CHECK(*ParseInboundKind(InboundKindName(k)) == k);
  }
  CHECK_FALSE(ParseInboundKind("sticker").has_value());
}

TEST_CASE("delivery states round-trip through their names") {
  for (DeliveryState s :
       {DeliveryState::kQueued, DeliveryState::kSent, DeliveryState::kDelivered,
        DeliveryState::kRead, DeliveryState::kPlayed, DeliveryState::kFailed}) {
    CAPTURE(DeliveryStateName(s));
    REQUIRE(ParseDeliveryState(DeliveryStateName(s)).has_value());
    CHECK(*ParseDeliveryState(DeliveryStateName(s)) == s);
  }
  // WhatsApp's status names are ours.
  CHECK(ParseDeliveryState("read") == DeliveryState::kRead);
  CHECK_FALSE(ParseDeliveryState("deleted").has_value());
}

TEST_CASE("delivery states are ordered so that read never goes back to sent") {
  CHECK(DeliveryState::kQueued < DeliveryState::kSent);
  CHECK(DeliveryState::kSent < DeliveryState::kDelivered);
  CHECK(DeliveryState::kDelivered < DeliveryState::kRead);
  CHECK(DeliveryState::kRead < DeliveryState::kFailed);
}

TEST_CASE("outbound kinds round-trip through their names") {
  for (OutboundKind k : {OutboundKind::kText, OutboundKind::kCallbackAnswer,
                         OutboundKind::kTemplate}) {
    CAPTURE(OutboundKindName(k));
    REQUIRE(ParseOutboundKind(OutboundKindName(k)).has_value());
    CHECK(*ParseOutboundKind(OutboundKindName(k)) == k);
  }
  CHECK_FALSE(ParseOutboundKind("sms").has_value());
}

TEST_CASE("an update holds exactly one kind of event") {
  Update u = InboundMessage{};
  CHECK(std::holds_alternative<InboundMessage>(u));
  u = MembershipChange{};
  CHECK(std::holds_alternative<MembershipChange>(u));
  CHECK(std::get<MembershipChange>(u).channel == Channel::kTelegram);
  u = StatusUpdate{};
  CHECK(std::get<StatusUpdate>(u).channel == Channel::kWhatsApp);
}

}  // namespace
}  // namespace sportello::core
