// The normalised messages that flow through Sportello, whatever the channel:
// channel adapter -> Update -> store -> dispatcher -> OutboundMessage ->
// outbox.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sportello::core {

enum class Channel { kTelegram, kWhatsApp, kWeb, kTerminal };

// "telegram", "whatsapp", "web", "terminal": the names stored in the database.
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);

enum class InboundKind { kText, kButton, kLocation, kContact, kMedia, kOther };
std::string_view InboundKindName(InboundKind kind);
std::optional<InboundKind> ParseInboundKind(std::string_view name);

// One thing a person sent us.
struct InboundMessage {
  Channel channel = Channel::kWeb;
  // Unique per channel; a second delivery with the same key is a duplicate.
  // Telegram: "tg:<update_id>"; WhatsApp: the wamid; web/terminal: generated.
  std::string dedupe_key;
  std::string
      user_id;  // the person: Telegram from.id, WhatsApp wa_id, web user
  std::string chat_id;     // where replies go: Telegram chat.id, WhatsApp wa_id
  std::string message_id;  // the provider's id of the message, if any
  std::string user_name;   // display name: a hint only, never an identity
  std::string language;    // "it"/"en" hint from the client, may be empty
  InboundKind kind = InboundKind::kText;
  std::string text;       // text, caption, or the pressed button's title
  std::string button_id;  // callback_data / button_reply.id / list_reply.id /
                          // button.payload
  std::string
      callback_query_id;  // Telegram: must be answered with answerCallbackQuery
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string contact_phone;  // only when the contact is the sender's own
  // The business account it was sent to, when not the configured one: a
  // WhatsApp phone_number_id (one app may serve several numbers) or the id
  // of a centre's own Telegram bot; empty for the configured account.
  std::string account;
  int64_t sent_at = 0;  // unix seconds, as the provider stamped it
  std::string raw;      // the JSON of this one update, as received
};

// Delivery state of an outbound message. Ordered: a state only ever moves to a
// higher rank (read never goes back to sent); kFailed is terminal.
enum class DeliveryState {
  kQueued = 0,
  kSent = 1,
  kDelivered = 2,
  kRead = 3,
  kPlayed = 4,
  kFailed = 5
};
std::string_view DeliveryStateName(DeliveryState state);
std::optional<DeliveryState> ParseDeliveryState(std::string_view name);

// A receipt about a message we sent (WhatsApp statuses[]).
struct StatusUpdate {
  Channel channel = Channel::kWhatsApp;
  std::string dedupe_key;           // "<wamid>:<status>"
  std::string provider_message_id;  // the wamid we got when sending
  DeliveryState state = DeliveryState::kSent;
  int64_t at = 0;         // unix seconds
  std::string recipient;  // wa_id
  int error_code = 0;     // on kFailed
  std::string error_title;
  std::string raw;
};

// The person blocked (kicked) or unblocked the bot (Telegram my_chat_member).
struct MembershipChange {
  Channel channel = Channel::kTelegram;
  std::string dedupe_key;  // "tg:<update_id>"
  std::string user_id;
  std::string chat_id;
  bool blocked = false;
  int64_t at = 0;
  std::string raw;
};

// Authenticated, but unusable (missing fields, wrong types): stored for a human
// to look at, acknowledged so the platform stops retrying.
struct DeadLetter {
  Channel channel = Channel::kTelegram;
  std::string dedupe_key;  // may be empty when no id could be read
  std::string reason;      // "telegram: message.chat.id missing"
  std::string raw;
};

// Valid but of no interest to us (unknown update kinds, channel posts, group
// chatter, account_update...): logged and acknowledged, not stored.
struct Ignored {
  Channel channel = Channel::kTelegram;
  std::string reason;  // "telegram: update kind inline_query"
};

using Update = std::variant<InboundMessage, StatusUpdate, MembershipChange,
                            DeadLetter, Ignored>;

struct Button {
  std::string
      id;  // opaque to the user; at most 64 bytes (Telegram callback_data)
  std::string title;  // what the user sees
};

enum class OutboundKind {
  kText,            // text with optional buttons
  kCallbackAnswer,  // Telegram answerCallbackQuery, stops the button's spinner
  kTemplate,        // WhatsApp approved template, for outside the 24 h window
};
std::string_view OutboundKindName(OutboundKind kind);
std::optional<OutboundKind> ParseOutboundKind(std::string_view name);

// One thing we want a person to receive. After channels::FitToChannel each
// OutboundMessage maps to exactly one API call.
struct OutboundMessage {
  Channel channel = Channel::kWeb;
  std::string chat_id;
  OutboundKind kind = OutboundKind::kText;
  std::string text;
  std::vector<Button> buttons;
  std::string callback_query_id;  // kCallbackAnswer
  std::string template_name;      // kTemplate
  std::string template_language;  // kTemplate, e.g. "it"
  std::vector<std::string> template_params;
  // The business account to send from (a WhatsApp phone_number_id, a
  // Telegram bot id); empty for the configured one. Set by the sender from the
  // person's record, never stored in the payload.
  std::string account;
};

}  // namespace sportello::core
