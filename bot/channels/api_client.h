// The HTTP side of the channels: sends rendered calls to the Telegram Bot API
// and the WhatsApp Cloud API. Base URLs are configurable so tests point them
// at fake servers on loopback.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bot/channels/outbound.h"
#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello::channels {

struct TelegramApiConfig {
  std::string base_url = "https://api.telegram.org";  // calls go to {base}/bot{token}/{method}
  std::string token;
};

struct WhatsAppApiConfig {
  std::string base_url = "https://graph.facebook.com/v21.0";  // {base}/{phone_number_id}/messages
  std::string access_token;
  std::string phone_number_id;
};

// Delivers one fitted OutboundMessage with one API call. Safe to call from
// several threads at once. Never throws; network failures are kRetry.
class ChannelSender {
 public:
  virtual ~ChannelSender() = default;
  virtual SendOutcome Send(const core::OutboundMessage& msg) = 0;
};

std::unique_ptr<ChannelSender> MakeTelegramSender(const TelegramApiConfig& config);
std::unique_ptr<ChannelSender> MakeWhatsAppSender(const WhatsAppApiConfig& config);

// Telegram set-up and long polling.
class TelegramApi {
 public:
  explicit TelegramApi(TelegramApiConfig config);
  ~TelegramApi();

  // setWebhook with secret_token, allowed_updates (message, edited_message,
  // callback_query, my_chat_member) and max_connections.
  core::Status SetWebhook(const std::string& url, const std::string& secret, int max_connections);
  core::Status DeleteWebhook();

  struct Polled {
    int64_t update_id = 0;
    core::Update update;
  };
  // getUpdates long polling; `timeout_s` is Telegram's long-poll wait.
  core::Result<std::vector<Polled>> GetUpdates(int64_t offset, int timeout_s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sportello::channels
