// The HTTP side of the channels: sends rendered calls to the Telegram Bot API
// and the WhatsApp Cloud API. Base URLs are configurable so tests point them
// at fake servers on loopback. Tokens never appear in errors or logs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/channels/outbound.h"
#include "bot/core/message.h"
#include "bot/core/metrics.h"
#include "bot/core/status.h"

namespace sportello::channels {

struct TelegramApiConfig {
  // Calls go to {base}/bot{token}/{method}.
  std::string base_url = "https://api.telegram.org";
  std::string token;
  // The centres' own bots, by bot id (TelegramBotId): the token a message
  // whose `account` names that bot is sent with.
  std::map<std::string, std::string> centre_bots = {};
};

struct WhatsAppApiConfig {
  // Sends go to {base}/{phone_number_id}/messages.
  std::string base_url = "https://graph.facebook.com/v21.0";
  std::string access_token;
  std::string phone_number_id;
};

// OK when `base_url` is http:// or https:// + host[:port] + optional path:
// check it at start-up, so a typo fails fast rather than at the first send.
core::Status CheckApiBaseUrl(std::string_view base_url);

// Delivers one fitted OutboundMessage with one API call (connect timeout 5 s,
// read timeout 30 s). Safe to call from many threads at once: each call
// borrows an HTTP client and its keep-alive connection (TCP_NODELAY) from a
// pool that keeps every idle one, so connections are opened once per
// concurrent call, not per call. Never throws; network failures are kRetry,
// and so is a bad base URL.
class ChannelSender {
 public:
  virtual ~ChannelSender() = default;
  virtual SendOutcome Send(const core::OutboundMessage& msg) = 0;
  // TCP connections opened so far (also counted in `metrics` as
  // sportello_api_connections_opened_total{channel}).
  virtual int64_t ConnectionsOpened() const { return 0; }
};

// `metrics` (may be null, not owned) counts the connections opened.
// A message whose `account` is a bot id the config does not hold is
// kPermanent without a call: no other bot may write to that chat.
std::unique_ptr<ChannelSender> MakeTelegramSender(
    const TelegramApiConfig& config, Metrics* metrics = nullptr);
// A kCallbackAnswer is kOk without a call (WhatsApp has no such thing).
std::unique_ptr<ChannelSender> MakeWhatsAppSender(
    const WhatsAppApiConfig& config, Metrics* metrics = nullptr);

// Telegram set-up and long polling. Thread-safe, though one poller is the use.
// Errors: Unavailable for no response, 429 and 5xx (try again later);
// InvalidArgument for other refusals (bad token 401, webhook set 409...), with
// Telegram's description.
class TelegramApi {
 public:
  explicit TelegramApi(TelegramApiConfig config);
  ~TelegramApi();

  // setWebhook with secret_token (omitted when empty), allowed_updates
  // (message, edited_message, callback_query, my_chat_member) and
  // max_connections (1-100).
  core::Status SetWebhook(const std::string& url, const std::string& secret,
                          int max_connections);
  // deleteWebhook, keeping pending updates (getUpdates will return them).
  core::Status DeleteWebhook();

  struct Polled {
    int64_t update_id = 0;  // 0 when the element had no usable update_id
    core::Update update;
  };
  // getUpdates long polling from `offset` (the last update_id + 1);
  // `timeout_s` is Telegram's long-poll wait, the read timeout is 10 s more.
  core::Result<std::vector<Polled>> GetUpdates(int64_t offset, int timeout_s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sportello::channels
