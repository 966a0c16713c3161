#include "bot/inbound/telegram_poller.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <utility>

#include "bot/channels/telegram.h"
#include "bot/core/log.h"
#include "bot/core/numbers.h"
#include "storage/settings.h"

namespace sportello {
namespace {

constexpr int kLongPollSeconds = 10;
constexpr const char* kOffsetKey = "telegram.poll_offset";

}  // namespace

TelegramPoller::TelegramPoller(channels::TelegramApi& api, Ingest& ingest,
                               storage::Store& store, std::string centre_bot_id)
    : api_(api),
      ingest_(ingest),
      store_(store),
      centre_bot_id_(std::move(centre_bot_id)),
      offset_key_(centre_bot_id_.empty()
                      ? std::string(kOffsetKey)
                      : std::string(kOffsetKey) + "." + centre_bot_id_) {}

TelegramPoller::~TelegramPoller() { Stop(); }

void TelegramPoller::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TelegramPoller::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void TelegramPoller::Loop() {
  int64_t offset = 0;
  (void)store_.Write([&](storage::Database& db) -> core::Status {
    auto saved = storage::GetSetting(db, offset_key_);
    // An offset that is not a number (only a hand-edited setting) starts
    // from 0: Telegram resends what it holds and the inbox drops duplicates.
    if (saved.ok() && saved->has_value()) {
      offset = core::ParseInt(**saved, std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max())
                   .value_or(0);
    }
    return core::Status::Ok();
  });
  const std::string who =
      centre_bot_id_.empty() ? "" : "bot " + centre_bot_id_ + ": ";
  int failures = 0;
  while (!stopping_) {
    auto polled = api_.GetUpdates(offset, kLongPollSeconds);
    if (!polled.ok()) {
      ++failures;
      const int wait_s = std::min(30, 1 << std::min(failures, 5));
      core::LogWarn("telegram", who + "getUpdates failed (retry in " +
                                    std::to_string(wait_s) +
                                    " s): " + polled.status().message());
      for (int i = 0; i < wait_s * 10 && !stopping_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    failures = 0;
    if (polled->empty()) continue;
    std::vector<core::Update> updates;
    int64_t next = offset;
    for (auto& p : *polled) {
      next = std::max(next, p.update_id + 1);
      if (!centre_bot_id_.empty())
        channels::AttributeToCentreBot(p.update, centre_bot_id_);
      if (const auto* ignored = std::get_if<core::Ignored>(&p.update)) {
        core::LogInfo("telegram", "ignored: " + ignored->reason);
      }
      updates.push_back(std::move(p.update));
    }
    auto stored = ingest_.Submit(std::move(updates));
    if (!stored.ok()) {
      // Not confirmed: Telegram delivers the same updates again next time.
      core::LogError("telegram", who + "storing polled updates failed: " +
                                     stored.status().message());
      continue;
    }
    offset = next;
    (void)store_.Write([&](storage::Database& db) {
      return storage::PutSetting(db, offset_key_, std::to_string(offset));
    });
  }
}

}  // namespace sportello
