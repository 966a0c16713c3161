#include "bot/core/message.h"

#include <array>
#include <utility>

namespace sportello::core {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(
    const std::array<std::pair<E, std::string_view>, N>& table,
    std::string_view name) {
  for (const auto& [value, text] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view NameOf(
    const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return "unknown";
}

constexpr std::array<std::pair<Channel, std::string_view>, 4> kChannels{{
    {Channel::kTelegram, "telegram"},
    {Channel::kWhatsApp, "whatsapp"},
    {Channel::kWeb, "web"},
    {Channel::kTerminal, "terminal"},
}};

constexpr std::array<std::pair<InboundKind, std::string_view>, 6> kInboundKinds{
    {
        {InboundKind::kText, "text"},
        {InboundKind::kButton, "button"},
        {InboundKind::kLocation, "location"},
        {InboundKind::kContact, "contact"},
        {InboundKind::kMedia, "media"},
        {InboundKind::kOther, "other"},
    }};

constexpr std::array<std::pair<DeliveryState, std::string_view>, 6>
    kDeliveryStates{{
        {DeliveryState::kQueued, "queued"},
        {DeliveryState::kSent, "sent"},
        {DeliveryState::kDelivered, "delivered"},
        {DeliveryState::kRead, "read"},
        {DeliveryState::kPlayed, "played"},
        {DeliveryState::kFailed, "failed"},
    }};

constexpr std::array<std::pair<OutboundKind, std::string_view>, 3>
    kOutboundKinds{{
        {OutboundKind::kText, "text"},
        {OutboundKind::kCallbackAnswer, "callback_answer"},
        {OutboundKind::kTemplate, "template"},
    }};

}  // namespace

std::string_view ChannelName(Channel c) { return NameOf(kChannels, c); }
std::optional<Channel> ParseChannel(std::string_view n) {
  return Lookup(kChannels, n);
}
std::string_view InboundKindName(InboundKind k) {
  return NameOf(kInboundKinds, k);
}
std::optional<InboundKind> ParseInboundKind(std::string_view n) {
  return Lookup(kInboundKinds, n);
}
std::string_view DeliveryStateName(DeliveryState s) {
  return NameOf(kDeliveryStates, s);
}
std::optional<DeliveryState> ParseDeliveryState(std::string_view n) {
  return Lookup(kDeliveryStates, n);
}
std::string_view OutboundKindName(OutboundKind k) {
  return NameOf(kOutboundKinds, k);
}
std::optional<OutboundKind> ParseOutboundKind(std::string_view n) {
  return Lookup(kOutboundKinds, n);
}

}  // namespace sportello::core
