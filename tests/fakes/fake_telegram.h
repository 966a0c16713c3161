// A fake Telegram Bot API server on loopback for tests of the real binary and
// of the senders. It answers like api.telegram.org: POST /bot<token>/<method>
// with a JSON body (Content-Type application/json), {"ok":true,"result":...}
// or {"ok":false,"error_code","description"}, and it refuses what Telegram
// refuses, so a wire-format mistake fails the test:
//  - wrong token: 401 "Unauthorized"; unknown method: 404 "Not Found";
//  - body not a JSON object: 400;
//  - sendMessage: chat_id missing or not an integer / "@name"; text missing,
//    blank or over 4096 UTF-16 units; parse_mode syntax (telegram_wire.h);
//    reply_markup malformed; inline buttons without exactly one action field;
//    callback_data empty or over 64 bytes;
//  - answerCallbackQuery: no callback_query_id, text over 200, a second answer
//    to the same query;
//  - setWebhook: non-HTTPS url, secret_token outside [A-Za-z0-9_-]{1,256},
//    max_connections outside 1-100;
//  - getUpdates: 409 while a webhook is set, and 409 for a poll superseded by
//    a newer getUpdates (two pollers at once).
// It serves several bots, as api.telegram.org does: the first token's and
// each AddBot's, each with its own webhook and updates; the `token`
// arguments below default to the first bot's.
//
//   fakes::FakeTelegram tg;                    // token kDefaultToken
//   env["TELEGRAM_BOT_TOKEN"] = tg.token();
//   env["TELEGRAM_API_BASE"] = tg.base_url();  // http://127.0.0.1:PORT
//   ... drive the bot ...
//   REQUIRE(tg.WaitForCalls(1, 5s, "sendMessage"));
//   CHECK(tg.SentTexts(chat_id).back() == "Ciao!");
//
// Thread-safe. The destructor stops the server (and wakes long polls).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/loopback_server.h"
#include "tests/fakes/recorder.h"

namespace sportello::fakes {

class FakeTelegram {
 public:
  static constexpr const char* kDefaultToken = "123456:TEST-token_abc";

  explicit FakeTelegram(std::string token = kDefaultToken);
  ~FakeTelegram();
  FakeTelegram(const FakeTelegram&) = delete;
  FakeTelegram& operator=(const FakeTelegram&) = delete;

  // What TELEGRAM_API_BASE should be: "http://127.0.0.1:<port>".
  std::string base_url() const { return server_.url(); }
  int port() const { return server_.port(); }
  const std::string& token() const { return token_; }
  // Serves another bot (a centre's own) from now on.
  void AddBot(std::string token);
  // The token a call was made with (from its path "/bot<token>/<method>").
  static std::string TokenOf(const RecordedCall& call);

  // --- What the bot did. Failed and rejected calls are recorded too.
  std::vector<RecordedCall> Calls() const { return recorder_.Calls(); }
  std::vector<RecordedCall> Calls(std::string_view method) const {
    return recorder_.Calls(method);
  }
  size_t CallCount(std::string_view method = {}) const {
    return recorder_.Count(method);
  }
  bool WaitForCalls(size_t n, std::chrono::milliseconds timeout,
                    std::string_view method = {}) const {
    return recorder_.WaitFor(n, timeout, method);
  }
  const CallRecorder& recorder() const { return recorder_; }
  // Texts of the sendMessage calls answered ok, in order (to one chat when
  // `chat_id` is non-zero).
  std::vector<std::string> SentTexts(int64_t chat_id = 0) const;

  // --- Scripted failures. Each applies to the next `count` calls of `method`
  // (after the token and wire-format checks pass), in the order scripted.
  // `method` is spelled as the client spells it ("sendMessage").
  // 429 "Too Many Requests: retry after S" with parameters.retry_after = S.
  void FailWithRetryAfter(std::string method, int retry_after_s, int count = 1);
  // 500 "Internal Server Error".
  void FailWithServerError(std::string method, int count = 1);
  // Any status and description, e.g. 400 "Bad Request: chat not found".
  void FailWith(std::string method, int http_status, std::string description,
                int count = 1);
  // Holds the answer for `delay` (to exercise the client's timeouts).
  void DelayNext(std::string method, std::chrono::milliseconds delay,
                 int count = 1);
  // Every sendMessage to `chat_id` answers 403 "Forbidden: bot was blocked by
  // the user" until UnblockChat.
  void BlockChat(int64_t chat_id);
  void UnblockChat(int64_t chat_id);

  // --- Long polling (getUpdates). Updates are served in update_id order;
  // a missing update_id is assigned (one more than the highest queued).
  // Returns the update_id used.
  int64_t QueueUpdate(nlohmann::json update, const std::string& token = "");
  // Updates queued and not yet confirmed by a getUpdates offset.
  size_t PendingUpdates(const std::string& token = "") const;
  // Blocks until a getUpdates call is waiting for updates; false on timeout.
  bool WaitForPoller(std::chrono::milliseconds timeout,
                     const std::string& token = "");
  // The longest a getUpdates call waits, whatever its `timeout` asks.
  void SetMaxPollWait(std::chrono::milliseconds wait);

  // --- setWebhook state, as the last successful setWebhook/deleteWebhook left
  // it.
  struct Webhook {
    std::string url;  // empty: no webhook
    std::string secret_token;
    nlohmann::json allowed_updates;  // null when never given
    int max_connections = 40;
    bool drop_pending_updates = false;
  };
  Webhook webhook(const std::string& token = "") const;

 private:
  struct Scripted {
    int http_status = 0;  // 0: no failure, only a delay
    std::string description;
    int retry_after_s = 0;
    std::chrono::milliseconds delay{0};
  };
  struct Answer {
    int http_status = 200;
    nlohmann::json body;
  };

  // One bot's own state.
  struct Bot {
    std::map<int64_t, nlohmann::json> queued_updates;  // by update_id
    uint64_t poll_generation = 0;  // bumped by each getUpdates: ends the
                                   // previous one
    int waiting_polls = 0;  // getUpdates calls blocked in their long poll
    Webhook webhook;
  };
  // REQUIRES: mu_ held. `token` empty: the first bot.
  Bot& BotOf(const std::string& token);
  const Bot* FindBot(const std::string& token) const;

  Answer Handle(const std::string& token, std::string_view method,
                const nlohmann::json& params);
  Answer SendMessage(const std::string& token, const nlohmann::json& params);
  Answer AnswerCallbackQuery(const nlohmann::json& params);
  Answer SetWebhook(const std::string& token, const nlohmann::json& params);
  Answer DeleteWebhook(const std::string& token, const nlohmann::json& params);
  Answer GetMe(const std::string& token);
  Answer GetUpdates(const std::string& token, const nlohmann::json& params);
  void Script(std::string method, Scripted s, int count);

  const std::string token_;
  CallRecorder recorder_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable updates_changed_;
  std::map<std::string, std::deque<Scripted>, std::less<>> scripted_;
  std::set<int64_t> blocked_chats_;
  std::set<std::string> answered_queries_;  // callback_query_ids answered ok
  int64_t next_message_id_ = 1;
  std::map<std::string, Bot> bots_;  // by token
  std::chrono::milliseconds max_poll_wait_{std::chrono::seconds(5)};
  bool stopping_ = false;

  LoopbackServer server_;  // last: destroyed first, while the state above lives
};

}  // namespace sportello::fakes
