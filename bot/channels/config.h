// Each channel's settings: credentials, API base, outbound pace. Read from
// the environment by bot/app/config.h (the variable names are an interface:
// README.md); an empty token turns the channel off.
#pragma once

#include <string>
#include <vector>

namespace sportello::channels {

struct TelegramConfig {
  std::string token;           // TELEGRAM_BOT_TOKEN; empty = channel off
  std::string webhook_secret;  // TELEGRAM_WEBHOOK_SECRET
  std::string api_base = "https://api.telegram.org";  // TELEGRAM_API_BASE
  std::string mode = "webhook";  // TELEGRAM_MODE: webhook | polling
  std::string webhook_url;       // TELEGRAM_WEBHOOK_URL
  double rate_per_sec = 25;      // TELEGRAM_RATE_PER_SEC
  // TELEGRAM_CENTRE_BOT_TOKENS: the centres' own bots, comma-separated
  // tokens. A centre names its bot by id (`sportello centres edit ID
  // --telegram-bot-id`); each is served as the configured bot is (mode,
  // secret), its webhook at /webhook/telegram/<bot id>.
  std::vector<std::string> centre_bot_tokens;
  bool enabled() const { return !token.empty(); }
};

struct WhatsAppConfig {
  std::string access_token;     // WHATSAPP_ACCESS_TOKEN
  std::string app_secret;       // WHATSAPP_APP_SECRET
  std::string verify_token;     // WHATSAPP_VERIFY_TOKEN
  std::string phone_number_id;  // WHATSAPP_PHONE_NUMBER_ID
  std::string api_base =
      "https://graph.facebook.com/v21.0";  // WHATSAPP_API_BASE
  double rate_per_sec = 70;                // WHATSAPP_RATE_PER_SEC
  // WHATSAPP_FALLBACK_TEMPLATE: see bot/outbound/outbox_sender.h,
  // SenderOptions::whatsapp_fallback_template.
  std::string fallback_template;
  // Without the app secret we could not authenticate deliveries, without the
  // token and number we could not answer. The verify token is only needed
  // for Meta's verification handshake.
  bool enabled() const {
    return !access_token.empty() && !app_secret.empty() &&
           !phone_number_id.empty();
  }
};

}  // namespace sportello::channels
