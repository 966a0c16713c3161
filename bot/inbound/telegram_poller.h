// Telegram long polling (TELEGRAM_MODE=polling), for centres without a public
// HTTPS address: getUpdates in a loop, each batch stored through Ingest before
// the next call confirms it with a higher offset.
#pragma once

#include <atomic>
#include <thread>

#include "bot/channels/api_client.h"
#include "bot/inbound/ingest.h"
#include "storage/store.h"

namespace sportello {

class TelegramPoller {
 public:
  TelegramPoller(channels::TelegramApi& api, Ingest& ingest,
                 storage::Store& store);
  ~TelegramPoller();  // Stop()
  void Start();
  // Returns after the poll in progress ends (at most the long-poll timeout).
  void Stop();

 private:
  void Loop();
  channels::TelegramApi& api_;
  Ingest& ingest_;
  storage::Store& store_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sportello
