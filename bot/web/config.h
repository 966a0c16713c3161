// What the web layer reads of the configuration; bot/app/config.h reads it
// from the environment (Config::Web()).
#pragma once

#include <string>

#include "bot/channels/config.h"

namespace sportello::http {

struct WebConfig {
  bool web_chat = true;           // the public web chat (/, /api/chat)
  int session_idle_minutes = 30;  // a console session unused this long ends
  // Webhook authentication (secret, app secret, verify token), and whether
  // each channel is on at all.
  channels::TelegramConfig telegram;
  channels::WhatsAppConfig whatsapp;
  // SPORTELLO_PUBLIC_URL as an origin ("https://sportello.example.it"), or
  // "": then the request's Host is the console's origin (bot/web/origin.h).
  std::string public_origin;
  // The console's live stream looks at the database this often even when
  // nothing told it of news (they are told at each commit): a safety net.
  int stream_poll_seconds = 5;
};

}  // namespace sportello::http
