// Telegram long polling (TELEGRAM_MODE=polling), for centres without a public
// HTTPS address: getUpdates in a loop, each batch stored through Ingest before
// the next call confirms it with a higher offset.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "bot/channels/api_client.h"
#include "bot/inbound/ingest.h"
#include "storage/store.h"

namespace sportello {

// One per bot: the configured one (`centre_bot_id` empty) and each
// centre's own, whose updates are marked as that bot's
// (channels::AttributeToCentreBot) and whose offset is kept apart.
class TelegramPoller {
 public:
  TelegramPoller(channels::TelegramApi& api, Ingest& ingest,
                 storage::Store& store, std::string centre_bot_id = "");
  ~TelegramPoller();  // Stop()
  void Start();
  // Asks the loop to end after the poll in progress, without waiting: the
  // pollers of several bots end together, not one long poll after another.
  void RequestStop() { stopping_ = true; }
  // Returns after the poll in progress ends (at most the long-poll timeout).
  void Stop();

 private:
  void Loop();
  channels::TelegramApi& api_;
  Ingest& ingest_;
  storage::Store& store_;
  const std::string centre_bot_id_;
  const std::string offset_key_;  // where the confirmed offset is kept
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sportello
