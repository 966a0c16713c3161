#include "tests/fakes/fake_telegram.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>

#include "tests/fakes/telegram_wire.h"

namespace sportello::fakes {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultMaxConnections = 40;

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

json ErrorBody(int code, std::string_view description) {
  return json{
      {"ok", false}, {"error_code", code}, {"description", description}};
}

// The bot's numeric id is the part of the token before ':'.
int64_t BotId(const std::string& token) {
  int64_t id = 0;
  for (char c : token) {
    if (c == ':' || !std::isdigit(static_cast<unsigned char>(c))) break;
    id = id * 10 + (c - '0');
  }
  return id;
}

bool IsSecretChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Telegram accepts array parameters as JSON or as a string holding JSON.
json ArrayParam(const json& value) {
  if (value.is_string())
    return json::parse(value.get_ref<const std::string&>(), nullptr, false);
  return value;
}

}  // namespace

FakeTelegram::FakeTelegram(std::string token) : token_(std::move(token)) {
  bots_[token_];
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    const std::string path_token = req.matches[1];
    const std::string method = req.matches[2];
    RecordedCall call;
    call.method = method;
    call.path = req.path;
    call.raw_body = req.body;
    call.at = std::chrono::steady_clock::now();
    Answer answer;
    json params = json::object();
    if (!req.body.empty()) params = json::parse(req.body, nullptr, false);
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      known = bots_.count(path_token) != 0;
    }
    if (!known) {
      answer = {401, ErrorBody(401, "Unauthorized")};
    } else if (!req.body.empty() &&
               req.get_header_value("Content-Type")
                       .rfind("application/json", 0) != 0) {
      answer = {
          400,
          ErrorBody(400,
                    "Bad Request: fake: send parameters as application/json")};
    } else if (params.is_discarded() || !params.is_object()) {
      answer = {400, ErrorBody(400, "Bad Request: can't parse JSON object")};
    } else {
      answer = Handle(path_token, method, params);
    }
    if (!params.is_discarded()) call.body = params;
    call.status = answer.http_status;
    call.response = answer.body;
    recorder_.Record(std::move(call));
    res.status = answer.http_status;
    res.set_content(answer.body.dump(), "application/json");
  };
  server_.http().Post(R"(/bot([^/]*)/([A-Za-z]+))", handler);
  auto not_found = [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(ErrorBody(404, "Not Found").dump(), "application/json");
  };
  server_.http().Post(".*", not_found);
  server_.http().Get(".*", not_found);
  server_.Start();
}

FakeTelegram::~FakeTelegram() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  updates_changed_.notify_all();
}

void FakeTelegram::AddBot(std::string token) {
  std::lock_guard<std::mutex> lock(mu_);
  bots_[std::move(token)];
}

std::string FakeTelegram::TokenOf(const RecordedCall& call) {
  if (!call.path.starts_with("/bot")) return "";
  const size_t slash = call.path.find('/', 4);
  return call.path.substr(
      4, slash == std::string::npos ? std::string::npos : slash - 4);
}

FakeTelegram::Bot& FakeTelegram::BotOf(const std::string& token) {
  return bots_[token.empty() ? token_ : token];
}

FakeTelegram::Answer FakeTelegram::Handle(const std::string& token,
                                          std::string_view method,
                                          const json& params) {
  const std::string name =
      Lower(method);  // Telegram method names are case-insensitive
  Answer answer;
  if (name == "sendmessage") {
    answer = SendMessage(token, params);
  } else if (name == "answercallbackquery") {
    answer = AnswerCallbackQuery(params);
  } else if (name == "setwebhook") {
    answer = SetWebhook(token, params);
  } else if (name == "deletewebhook") {
    answer = DeleteWebhook(token, params);
  } else if (name == "getme") {
    answer = GetMe(token);
  } else if (name == "getupdates") {
    answer = {200, json()};  // scripted failures first, then the long poll
  } else if (name == "getwebhookinfo") {
    std::lock_guard<std::mutex> lock(mu_);
    const Bot& bot = BotOf(token);
    answer = {200, json{{"ok", true},
                        {"result",
                         {{"url", bot.webhook.url},
                          {"has_custom_certificate", false},
                          {"pending_update_count", bot.queued_updates.size()},
                          {"max_connections", bot.webhook.max_connections}}}}};
  } else {
    return {404, ErrorBody(404, "Not Found")};
  }
  if (answer.http_status != 200) return answer;

  // The call is well-formed: now the scripted failures, in order.
  Scripted s;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = scripted_.find(method);
    if (it != scripted_.end() && !it->second.empty()) {
      s = it->second.front();
      it->second.pop_front();
      if (s.delay.count() > 0) {
        updates_changed_.wait_for(lock, s.delay, [this] { return stopping_; });
      }
    }
  }
  if (s.http_status != 0) {
    json body = ErrorBody(s.http_status, s.description);
    if (s.http_status == 429)
      body["parameters"] = {{"retry_after", s.retry_after_s}};
    return {s.http_status, body};
  }
  if (name == "getupdates") return GetUpdates(token, params);
  if (name == "answercallbackquery") {
    // A query can be answered once; Telegram refuses the second answer.
    std::lock_guard<std::mutex> lock(mu_);
    if (!answered_queries_
             .insert(params["callback_query_id"].get<std::string>())
             .second) {
      return {
          400,
          ErrorBody(
              400,
              "Bad Request: query is too old and response timeout expired or "
              "query ID is invalid")};
    }
  }
  return answer;
}

FakeTelegram::Answer FakeTelegram::SendMessage(const std::string& token,
                                               const json& params) {
  std::string error;
  const std::optional<int64_t> chat_id = ParseChatId(params, &error);
  if (!chat_id) return {400, ErrorBody(400, error)};
  if (error = CheckMessageText(params); !error.empty())
    return {400, ErrorBody(400, error)};
  if (error = CheckReplyMarkup(params); !error.empty())
    return {400, ErrorBody(400, error)};

  std::lock_guard<std::mutex> lock(mu_);
  if (blocked_chats_.count(*chat_id) != 0) {
    return {403, ErrorBody(403, "Forbidden: bot was blocked by the user")};
  }
  json message = {
      {"message_id", next_message_id_++},
      {"from",
       {{"id", BotId(token)},
        {"is_bot", true},
        {"first_name", "Sportello Test"},
        {"username", "sportello_test_bot"}}},
      {"chat",
       {{"id", *chat_id}, {"first_name", "Giulia"}, {"type", "private"}}},
      {"date", UnixNow()},
      {"text", params["text"]}};
  if (params.contains("reply_markup"))
    message["reply_markup"] = ArrayParam(params["reply_markup"]);
  return {200, json{{"ok", true}, {"result", message}}};
}

FakeTelegram::Answer FakeTelegram::AnswerCallbackQuery(const json& params) {
  if (!params.contains("callback_query_id") ||
      !params["callback_query_id"].is_string() ||
      params["callback_query_id"].get_ref<const std::string&>().empty()) {
    return {400, ErrorBody(400, "Bad Request: QUERY_ID_INVALID")};
  }
  if (params.contains("text") &&
      (!params["text"].is_string() ||
       Utf16Length(params["text"].get<std::string>()) > 200)) {
    return {400, ErrorBody(400, "Bad Request: MESSAGE_TOO_LONG")};
  }
  return {200, json{{"ok", true}, {"result", true}}};
}

FakeTelegram::Answer FakeTelegram::SetWebhook(const std::string& token,
                                              const json& params) {
  if (!params.contains("url") || !params["url"].is_string()) {
    return {400,
            ErrorBody(400, "Bad Request: bad webhook: URL must be provided")};
  }
  const std::string& url = params["url"].get_ref<const std::string&>();
  if (!url.empty() && url.rfind("https://", 0) != 0) {
    return {400, ErrorBody(400,
                           "Bad Request: bad webhook: An HTTPS URL must be "
                           "provided for webhook")};
  }
  Webhook next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = BotOf(token).webhook;
  }
  next.url = url;
  next.secret_token.clear();
  if (params.contains("secret_token")) {
    const json& secret = params["secret_token"];
    if (!secret.is_string() ||
        secret.get_ref<const std::string&>().size() > 256 ||
        !std::all_of(secret.get_ref<const std::string&>().begin(),
                     secret.get_ref<const std::string&>().end(),
                     IsSecretChar)) {
      return {
          400,
          ErrorBody(400,
                    "Bad Request: secret token contains unallowed characters")};
    }
    next.secret_token = secret.get<std::string>();
  }
  next.max_connections = kDefaultMaxConnections;
  if (params.contains("max_connections")) {
    const json& max = params["max_connections"];
    if (!max.is_number_integer() || max.get<int64_t>() < 1 ||
        max.get<int64_t>() > 100) {
      return {
          400,
          ErrorBody(400,
                    "Bad Request: bad webhook: max_connections must be 1-100")};
    }
    next.max_connections = max.get<int>();
  }
  if (params.contains("allowed_updates")) {  // omitted: keep the previous list
    json allowed = ArrayParam(params["allowed_updates"]);
    if (!allowed.is_array() ||
        !std::all_of(allowed.begin(), allowed.end(),
                     [](const json& j) { return j.is_string(); })) {
      return {400, ErrorBody(400, "Bad Request: can't parse allowed updates")};
    }
    next.allowed_updates = std::move(allowed);
  }
  next.drop_pending_updates = params.value("drop_pending_updates", false);
  std::lock_guard<std::mutex> lock(mu_);
  Bot& bot = BotOf(token);
  if (next.drop_pending_updates) bot.queued_updates.clear();
  bot.webhook = std::move(next);
  return {200, json{{"ok", true},
                    {"result", true},
                    {"description",
                     url.empty() ? "Webhook was deleted" : "Webhook was set"}}};
}

FakeTelegram::Answer FakeTelegram::DeleteWebhook(const std::string& token,
                                                 const json& params) {
  std::lock_guard<std::mutex> lock(mu_);
  Bot& bot = BotOf(token);
  const bool had = !bot.webhook.url.empty();
  bot.webhook.url.clear();
  bot.webhook.secret_token.clear();
  if (params.value("drop_pending_updates", false)) bot.queued_updates.clear();
  return {200, json{{"ok", true},
                    {"result", true},
                    {"description", had ? "Webhook was deleted"
                                        : "Webhook is already deleted"}}};
}

FakeTelegram::Answer FakeTelegram::GetMe(const std::string& token) {
  return {200, json{{"ok", true},
                    {"result",
                     {{"id", BotId(token)},
                      {"is_bot", true},
                      {"first_name", "Sportello Test"},
                      {"username", "sportello_test_bot"},
                      {"can_join_groups", true},
                      {"can_read_all_group_messages", false},
                      {"supports_inline_queries", false}}}}};
}

FakeTelegram::Answer FakeTelegram::GetUpdates(const std::string& token,
                                              const json& params) {
  auto int_param = [&](const char* name,
                       int64_t fallback) -> std::optional<int64_t> {
    if (!params.contains(name)) return fallback;
    if (!params[name].is_number_integer()) return std::nullopt;
    return params[name].get<int64_t>();
  };
  const auto offset = int_param("offset", 0);
  const auto limit = int_param("limit", 100);
  const auto timeout_s = int_param("timeout", 0);
  if (!offset || !limit || !timeout_s) {
    return {400,
            ErrorBody(400, "Bad Request: wrong parameter type in getUpdates")};
  }
  const size_t max_count =
      static_cast<size_t>(std::clamp<int64_t>(*limit, 1, 100));

  std::unique_lock<std::mutex> lock(mu_);
  Bot& bot = BotOf(token);  // std::map: stays put while others are added
  if (!bot.webhook.url.empty()) {
    return {
        409,
        ErrorBody(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first")};
  }
  // A positive offset confirms every update below it: they are gone for good.
  if (*offset > 0)
    bot.queued_updates.erase(bot.queued_updates.begin(),
                             bot.queued_updates.lower_bound(*offset));
  // A new getUpdates ends the one still waiting, as Telegram does.
  const uint64_t generation = ++bot.poll_generation;
  updates_changed_.notify_all();
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::min<std::chrono::milliseconds>(
          std::chrono::seconds(std::max<int64_t>(*timeout_s, 0)),
          max_poll_wait_);
  while (true) {
    if (bot.poll_generation != generation) {
      return {409,
              ErrorBody(
                  409,
                  "Conflict: terminated by other getUpdates request; make sure "
                  "that only one bot instance is running")};
    }
    json result = json::array();
    auto it = *offset < 0 ? bot.queued_updates.end()
                          : bot.queued_updates.lower_bound(*offset);
    if (*offset < 0) {  // -N: the last N updates
      for (int64_t n = 0; n < -*offset && it != bot.queued_updates.begin(); ++n)
        --it;
    }
    for (; it != bot.queued_updates.end() && result.size() < max_count; ++it)
      result.push_back(it->second);
    if (!result.empty() || stopping_ ||
        std::chrono::steady_clock::now() >= deadline) {
      return {200, json{{"ok", true}, {"result", std::move(result)}}};
    }
    ++bot.waiting_polls;
    updates_changed_.notify_all();  // for WaitForPoller
    updates_changed_.wait_until(lock, deadline);
    --bot.waiting_polls;
  }
}

std::vector<std::string> FakeTelegram::SentTexts(int64_t chat_id) const {
  std::vector<std::string> texts;
  for (const RecordedCall& call : recorder_.Calls("sendMessage")) {
    if (call.status != 200) continue;
    if (chat_id != 0 && call.response["result"]["chat"]["id"] != chat_id)
      continue;
    texts.push_back(call.body.value("text", ""));
  }
  return texts;
}

void FakeTelegram::Script(std::string method, Scripted s, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& queue = scripted_[std::move(method)];
  for (int i = 0; i < count; ++i) queue.push_back(s);
}

void FakeTelegram::FailWithRetryAfter(std::string method, int retry_after_s,
                                      int count) {
  Script(std::move(method),
         {429,
          "Too Many Requests: retry after " + std::to_string(retry_after_s),
          retry_after_s,
          {}},
         count);
}

void FakeTelegram::FailWithServerError(std::string method, int count) {
  Script(std::move(method), {500, "Internal Server Error", 0, {}}, count);
}

void FakeTelegram::FailWith(std::string method, int http_status,
                            std::string description, int count) {
  Script(std::move(method), {http_status, std::move(description), 0, {}},
         count);
}

void FakeTelegram::DelayNext(std::string method,
                             std::chrono::milliseconds delay, int count) {
  Script(std::move(method), {0, "", 0, delay}, count);
}

void FakeTelegram::BlockChat(int64_t chat_id) {
  std::lock_guard<std::mutex> lock(mu_);
  blocked_chats_.insert(chat_id);
}

void FakeTelegram::UnblockChat(int64_t chat_id) {
  std::lock_guard<std::mutex> lock(mu_);
  blocked_chats_.erase(chat_id);
}

int64_t FakeTelegram::QueueUpdate(json update, const std::string& token) {
  int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& queued = BotOf(token).queued_updates;
    if (update.contains("update_id") &&
        update["update_id"].is_number_integer()) {
      id = update["update_id"].get<int64_t>();
    } else {
      id = queued.empty() ? 1 : queued.rbegin()->first + 1;
      update["update_id"] = id;
    }
    queued[id] = std::move(update);
  }
  updates_changed_.notify_all();
  return id;
}

const FakeTelegram::Bot* FakeTelegram::FindBot(const std::string& token) const {
  auto it = bots_.find(token.empty() ? token_ : token);
  return it == bots_.end() ? nullptr : &it->second;
}

size_t FakeTelegram::PendingUpdates(const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Bot* bot = FindBot(token);
  return bot ? bot->queued_updates.size() : 0;
}

bool FakeTelegram::WaitForPoller(std::chrono::milliseconds timeout,
                                 const std::string& token) {
  std::unique_lock<std::mutex> lock(mu_);
  Bot& bot = BotOf(token);
  return updates_changed_.wait_for(lock, timeout,
                                   [&bot] { return bot.waiting_polls > 0; });
}

void FakeTelegram::SetMaxPollWait(std::chrono::milliseconds wait) {
  std::lock_guard<std::mutex> lock(mu_);
  max_poll_wait_ = wait;
}

FakeTelegram::Webhook FakeTelegram::webhook(const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Bot* bot = FindBot(token);
  return bot ? bot->webhook : Webhook();
}

}  // namespace sportello::fakes
