#include "bot/web/routes.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "bot/channels/json_guard.h"
#include "bot/channels/telegram.h"
#include "bot/channels/webhook_auth.h"
#include "bot/channels/whatsapp.h"
#include "bot/core/embedded_files.h"
#include "bot/core/log.h"
#include "bot/core/mutex.h"
#include "bot/core/numbers.h"
#include "bot/core/utf8.h"
#include "bot/web/browser_headers.h"
#include "bot/web/console_api.h"
#include "storage/codec.h"
#include "storage/inbox.h"
#include "storage/messages.h"
#include "storage/outbox.h"

namespace sportello::http {
namespace {

using nlohmann::json;

// How long /api/chat waits for the bot's answer before replying without it
// (the replies then come with the next poll).
constexpr auto kChatWait = std::chrono::seconds(10);

// Where a centre's own Telegram bot posts: this, then the bot's id.
constexpr std::string_view kCentreBotWebhook = "/webhook/telegram/";

Response Json(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response Error(int status, std::string_view message) {
  return Json(status, {{"error", std::string(message)}});
}

std::string Header(const Request& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

std::string Query(const Request& r, const std::string& name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

bool ValidWebUser(std::string_view user) {
  if (user.empty() || user.size() > 64) return false;
  for (char c : user) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

json RepliesJson(const std::vector<storage::OutboxRow>& rows) {
  json replies = json::array();
  for (const auto& row : rows) {
    auto msg = DecodeOutbound(row.payload);
    if (!msg.ok() || msg->kind != core::OutboundKind::kText) continue;
    json buttons = json::array();
    for (const auto& b : msg->buttons)
      buttons.push_back({{"id", b.id}, {"title", b.title}});
    replies.push_back(
        {{"seq", row.id}, {"text", msg->text}, {"buttons", buttons}});
  }
  return replies;
}

}  // namespace

Routes::Routes(RouteDeps deps)
    : deps_(std::move(deps)),
      console_(std::make_unique<ConsoleApi>(
          ConsoleDeps{deps_.config, deps_.flows, deps_.clock, deps_.store,
                      deps_.catalog, deps_.data, deps_.outbox_written})) {}
Routes::~Routes() = default;

bool Routes::TryHandleAsync(const Request& r, Reply& reply) {
  if (r.method != "POST") return false;
  if (r.path == "/webhook/telegram") {
    TelegramWebhook(r, "", std::move(reply));
    return true;
  }
  if (r.path.starts_with(kCentreBotWebhook)) {
    const std::string_view bot_id =
        std::string_view(r.path).substr(kCentreBotWebhook.size());
    if (bot_id.empty()) {
      reply(Reject(404, "telegram", "unknown_bot", "no bot id in the path"));
    } else {
      TelegramWebhook(r, bot_id, std::move(reply));
    }
    return true;
  }
  if (r.path == "/webhook/whatsapp") {
    WhatsAppWebhook(r, std::move(reply));
    return true;
  }
  return false;
}

Response Routes::Handle(const Request& r) {
  Response out = Dispatch(r);
  AddBrowserHeaders(r, deps_.config, out);
  return out;
}

Response Routes::Dispatch(const Request& r) {
  {
    // The webhooks are asynchronous only; here their answer is awaited.
    core::Mutex mu;
    core::CondVar cv(&mu);
    std::optional<Response> answer;
    Reply reply = [&](Response out) {
      core::MutexLock lock(&mu);
      answer = std::move(out);
      cv.Signal();
    };
    if (TryHandleAsync(r, reply)) {
      core::MutexLock lock(&mu);
      cv.Wait([&] { return answer.has_value(); });
      return std::move(*answer);
    }
  }
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";
  if (r.path == "/webhook/telegram" || r.path.starts_with(kCentreBotWebhook)) {
    // POST went above.
  } else if (r.path == "/webhook/whatsapp") {
    if (get) return WhatsAppVerify(r);
  } else if (r.path == "/healthz") {
    if (get) return Health();
  } else if (r.path == "/metrics") {
    if (get) {
      Response m;
      m.content_type = "text/plain; version=0.0.4";
      m.body = deps_.metrics.Render();
      return m;
    }
  } else if (r.path == "/" || r.path == "/chat") {
    if (get && deps_.config.web_chat)
      return Page("chat.html", "text/html; charset=utf-8");
    if (get) return Error(404, "the web chat is off");
  } else if (r.path == "/console") {
    // The page itself holds no data: every call it makes needs a session.
    if (get) return Page("console.html", "text/html; charset=utf-8");
  } else if (r.path == "/console/reports") {
    if (get) return Page("reports.html", "text/html; charset=utf-8");
  } else if (r.path.starts_with("/assets/")) {
    if (get) return Asset(std::string_view(r.path).substr(8));
  } else if (r.path == "/api/chat") {
    if (!deps_.config.web_chat) return Error(404, "the web chat is off");
    if (post) return WebChatPost(r);
    if (get) return WebChatPoll(r);
  } else if (r.path.starts_with("/api/")) {
    return console_->Handle(r);
  } else {
    return Error(404, "not found");
  }
  Response e = Error(405, "method not allowed");
  e.headers.push_back(
      {"Allow",
       r.path == "/webhook/whatsapp" || r.path == "/api/chat" ? "GET, POST"
       : r.path == "/webhook/telegram" || r.path.starts_with(kCentreBotWebhook)
           ? "POST"
           : "GET"});
  return e;
}

Response Routes::Reject(int status, std::string_view channel,
                        std::string_view reason, std::string_view detail) {
  deps_.metrics.Inc(
      "sportello_updates_rejected_total",
      {{"channel", std::string(channel)}, {"reason", std::string(reason)}});
  core::LogWarn(std::string(channel), "rejected (" + std::to_string(status) +
                                          " " + std::string(reason) +
                                          "): " + std::string(detail));
  return Error(status, detail);
}

void Routes::Store(std::vector<core::Update> updates, std::string_view channel,
                   Reply reply) {
  for (const auto& u : updates) {
    if (const auto* ignored = std::get_if<core::Ignored>(&u)) {
      core::LogInfo(std::string(channel), "ignored: " + ignored->reason);
    } else if (const auto* dead = std::get_if<core::DeadLetter>(&u)) {
      core::LogWarn(std::string(channel),
                    "dead letter stored: " + dead->reason);
    }
  }
  deps_.ingest.SubmitAsync(
      std::move(updates), [this, channel, reply = std::move(reply)](
                              core::Result<IngestOutcome> outcome) {
        if (!outcome.ok()) {
          // Not stored, so not acknowledged: the platform will deliver it
          // again.
          reply(Reject(503, channel, "storage", outcome.status().message()));
          return;
        }
        // The same bytes as Json(200, {{"ok", true}}), without building a
        // document on the hot path.
        Response ok;
        ok.body = R"({"ok":true})";
        reply(std::move(ok));
      });
}

void Routes::TelegramWebhook(const Request& r, std::string_view bot_id,
                             Reply reply) {
  const auto& tg = deps_.config.telegram;
  if (!tg.enabled() || tg.mode != "webhook")
    return reply(Reject(404, "telegram", "off", "telegram webhook is off"));
  if (!bot_id.empty() &&
      std::none_of(tg.centre_bot_tokens.begin(), tg.centre_bot_tokens.end(),
                   [&](const std::string& token) {
                     return channels::TelegramBotId(token) == bot_id;
                   })) {
    return reply(Reject(404, "telegram", "unknown_bot",
                        "no centre bot with that id is configured"));
  }
  if (!tg.webhook_secret.empty() &&
      !channels::VerifyTelegramSecret(
          tg.webhook_secret, Header(r, "x-telegram-bot-api-secret-token"))) {
    return reply(
        Reject(401, "telegram", "unauthorized", "bad or missing secret token"));
  }
  if (r.body.size() > kMaxTelegramBody)
    return reply(Reject(413, "telegram", "too_large", "body too large"));
  auto update = channels::ParseTelegramUpdate(r.body);
  if (!update.ok()) {
    return reply(
        Reject(400, "telegram", "malformed", update.status().message()));
  }
  if (!bot_id.empty()) channels::AttributeToCentreBot(*update, bot_id);
  std::vector<core::Update> updates;
  updates.push_back(std::move(*update));
  Store(std::move(updates), "telegram", std::move(reply));
}

Response Routes::WhatsAppVerify(const Request& r) {
  const auto& wa = deps_.config.whatsapp;
  const std::string mode = Query(r, "hub.mode");
  const std::string token = Query(r, "hub.verify_token");
  const std::string challenge = Query(r, "hub.challenge");
  if (mode.empty() || token.empty() || challenge.empty()) {
    return Reject(400, "whatsapp", "malformed",
                  "hub.mode, hub.verify_token and hub.challenge are required");
  }
  if (mode != "subscribe" || wa.verify_token.empty() ||
      !channels::ConstantTimeEquals(wa.verify_token, token)) {
    return Reject(403, "whatsapp", "unauthorized", "verification refused");
  }
  Response ok;
  ok.content_type = "text/plain";
  ok.body = challenge;
  return ok;
}

void Routes::WhatsAppWebhook(const Request& r, Reply reply) {
  const auto& wa = deps_.config.whatsapp;
  if (!wa.enabled())
    return reply(Reject(404, "whatsapp", "off", "whatsapp is off"));
  if (!channels::VerifyWhatsAppSignature(wa.app_secret, r.body,
                                         Header(r, "x-hub-signature-256"))) {
    return reply(Reject(401, "whatsapp", "unauthorized",
                        "bad or missing X-Hub-Signature-256"));
  }
  if (r.body.size() > kMaxWhatsAppBody)
    return reply(Reject(413, "whatsapp", "too_large", "body too large"));
  auto updates = channels::ParseWhatsAppWebhook(r.body, wa.phone_number_id);
  if (!updates.ok()) {
    return reply(
        Reject(400, "whatsapp", "malformed", updates.status().message()));
  }
  Store(std::move(*updates), "whatsapp", std::move(reply));
}

Response Routes::Health() {
  auto s = deps_.store.CheckHealth();
  if (!s.ok())
    return Json(503, {{"status", "unavailable"}, {"database", s.message()}});
  return Json(200, {{"status", "ok"}});
}

Response Routes::Page(std::string_view name, std::string_view content_type) {
  auto file = EmbeddedFile(name);
  if (!file) return Error(404, "not found");
  NoncedPage page = WithNonce(*file, NewNonce());
  Response r;
  r.content_type = std::string(content_type);
  r.body = std::move(page.html);
  r.headers.push_back({"Content-Security-Policy", std::move(page.policy)});
  return r;
}

Response Routes::Asset(std::string_view name) {
  // Only the pages' scripts and styles: the other embedded files (message
  // catalogues, demo data) are not for the web.
  const bool js = name.ends_with(".js"), css = name.ends_with(".css");
  const bool plain =
      !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
               c == '_' || c == '.';
      });
  if (!plain || !(js || css) || name.starts_with("."))
    return Error(404, "not found");
  return Page(
      name, js ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
}

Response Routes::WebChatPost(const Request& r) {
  if (r.body.size() > kMaxChatBody) return Error(413, "message too large");
  auto body = channels::ParseJsonObject(r.body);
  if (!body.ok()) return Error(400, body.status().message());
  const json& j = *body;
  auto user = j.find("user");
  if (user == j.end() || !user->is_string() ||
      !ValidWebUser(user->get<std::string>())) {
    return Error(400, "user must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  core::InboundMessage m;
  m.channel = core::Channel::kWeb;
  m.user_id = m.chat_id = user->get<std::string>();
  m.sent_at = deps_.clock.NowMillis() / 1000;
  m.raw = r.body;
  if (auto text = j.find("text"); text != j.end()) {
    if (!text->is_string() || text->get<std::string>().size() > 4 * 4096) {
      return Error(400, "text must be a string of at most 4096 characters");
    }
    m.kind = core::InboundKind::kText;
    m.text = text->get<std::string>();
  } else if (auto button = j.find("button"); button != j.end()) {
    if (!button->is_string() || button->get<std::string>().empty() ||
        button->get<std::string>().size() > 64) {
      return Error(400, "button must be a button id of 1-64 bytes");
    }
    m.kind = core::InboundKind::kButton;
    m.button_id = button->get<std::string>();
    if (auto title = j.find("title"); title != j.end() && title->is_string()) {
      const auto& t = title->get_ref<const std::string&>();
      m.text = t.substr(0, core::utf8::PrefixWithinBytes(t, 256));
    }
  } else {
    return Error(400, "send text or button");
  }
  if (auto lang = j.find("lang"); lang != j.end() && lang->is_string()) {
    m.language = lang->get<std::string>().substr(0, 8);
  }
  // A client-chosen id makes retries safe: the same id is stored once.
  std::string id;
  if (auto it = j.find("id"); it != j.end() && it->is_string() &&
                              !it->get<std::string>().empty() &&
                              it->get<std::string>().size() <= 64) {
    id = it->get<std::string>();
  } else {
    id = RandomHex(16);
  }
  m.dedupe_key = "web:" + m.user_id + ":" + id;

  std::vector<core::Update> updates;
  updates.push_back(std::move(m));
  auto outcome = deps_.ingest.Submit(std::move(updates));
  if (!outcome.ok()) return Error(503, "storage unavailable, try again");
  for (const auto& s : outcome->stored) {
    deps_.processor.WaitProcessed(
        s.shard, s.inbox_id,
        std::chrono::duration_cast<std::chrono::milliseconds>(kChatWait));
  }
  Request poll{
      "GET", "/api/chat", {}, {{"user", user->get<std::string>()}}, ""};
  if (auto after = j.find("after");
      after != j.end() && after->is_number_integer()) {
    poll.query["after"] = std::to_string(after->get<int64_t>());
  }
  return WebChatPoll(poll);
}

Response Routes::WebChatPoll(const Request& r) {
  const std::string user = Query(r, "user");
  if (!ValidWebUser(user))
    return Error(400, "user must be 1-64 characters of A-Z a-z 0-9 . _ -");
  std::optional<int64_t> after;
  if (const std::string a = Query(r, "after"); !a.empty()) {
    after = core::ParseInt(a, 0, std::numeric_limits<int64_t>::max());
    if (!after) return Error(400, "after must be a reply's seq");
  }
  std::vector<storage::OutboxRow> rows;
  const int64_t now = deps_.clock.NowMillis();
  auto s = deps_.store.Write([&](storage::Database& db) -> core::Status {
    auto taken = storage::TakeDueOutboxForChat(db, "web", user, now, after);
    if (!taken.ok()) return taken.status();
    rows = std::move(*taken);
    for (const auto& row : rows) {
      if (!row.message_id || row.state != "sent") continue;
      if (auto st =
              storage::MarkMessageSent(db, *row.message_id, "web", "", now);
          !st.ok())
        return st;
    }
    return core::Status::Ok();
  });
  if (!s.ok()) return Error(503, "storage unavailable, try again");
  return Json(200, {{"replies", RepliesJson(rows)}});
}

}  // namespace sportello::http
