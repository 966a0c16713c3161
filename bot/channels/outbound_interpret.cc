// InterpretTelegram / InterpretWhatsApp: an API answer -> what the sender does
// next (see outbound.h for the table).
#include <nlohmann/json.hpp>
#include <optional>

#include "bot/channels/json_access.h"
#include "bot/channels/json_guard.h"
#include "bot/channels/outbound.h"
#include "bot/core/utf8.h"

namespace sportello::channels {
namespace {

using json_access::Find;
using Json = nlohmann::json;
using Kind = SendOutcome::Kind;

constexpr size_t kMaxErrorBytes = 200;
constexpr int kTelegramDefaultRetryAfterS = 30;

bool Is2xx(int status) { return status >= 200 && status < 300; }
bool Is4xx(int status) { return status >= 400 && status < 500; }

std::optional<Json> ParseBody(std::string_view body) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok()) return std::nullopt;
  return std::move(*doc);
}

std::optional<int64_t> IntAt(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  return v ? json_access::AsInt64(*v) : std::nullopt;
}

std::string ShortError(std::string_view text) {
  return core::utf8::ForLog(text, kMaxErrorBytes);
}

SendOutcome RateLimited(int seconds, bool recipient_only = false) {
  SendOutcome out;
  out.kind = Kind::kRateLimited;
  out.retry_after_s = seconds;
  out.recipient_only = recipient_only;
  return out;
}

// What a WhatsApp error code alone tells, when it tells anything.
std::optional<SendOutcome> ByWhatsAppCode(int64_t code) {
  SendOutcome out;
  switch (code) {
    case 130429:  // throughput limit of the phone number
    case 80007:   // WABA rate limit
    case 4:       // app rate limit
      return RateLimited(60);
    case 131048:  // spam rate limit: sending more makes the number's quality
                  // worse
      return RateLimited(3600);
    case 131056:  // pair rate limit: one message per 6 s to the same user
      return RateLimited(6, /*recipient_only=*/true);
    case 131049:  // "healthy ecosystem engagement": Meta says wait at least 24
                  // h
      return RateLimited(86400, /*recipient_only=*/true);
    case 131026:  // undeliverable: not on WhatsApp, old client, ToS not
                  // accepted
    case 130403:  // the business blocked this user
      out.kind = Kind::kUnreachable;
      return out;
    case 131047:  // more than 24 h since the user wrote: only templates
      out.kind = Kind::kWindowClosed;
      return out;
    case 1:       // API unknown
    case 2:       // API service temporarily unavailable
    case 131000:  // something went wrong
    case 131016:  // service unavailable
    case 133004:  // server temporarily unavailable
    case 190:  // access token expired: keep the messages until someone fixes it
      out.kind = Kind::kRetry;
      return out;
    default:
      return std::nullopt;
  }
}

}  // namespace

SendOutcome InterpretTelegram(int http_status, std::string_view body) {
  SendOutcome out;
  if (http_status == 0) {
    out.kind = Kind::kRetry;
    out.error = "no response";
    return out;
  }
  const std::optional<Json> doc = ParseBody(body);
  if (doc) {
    if (const auto code = IntAt(*doc, "error_code"))
      out.error_code = static_cast<int>(*code);
    out.error = ShortError(json_access::OptionalString(*doc, "description"));
  }
  if (Is2xx(http_status)) {
    out.kind = Kind::kOk;
    out.error.clear();
    const Json* result = doc ? Find(*doc, "result") : nullptr;
    if (const auto id = result ? IntAt(*result, "message_id") : std::nullopt) {
      out.provider_message_id = std::to_string(*id);
    }
    return out;
  }
  if (out.error_code == 0) out.error_code = http_status;
  if (out.error.empty()) out.error = "HTTP " + std::to_string(http_status);
  if (http_status == 429) {
    const Json* parameters = doc ? Find(*doc, "parameters") : nullptr;
    const auto retry_after =
        parameters ? IntAt(*parameters, "retry_after") : std::nullopt;
    out.kind = Kind::kRateLimited;
    out.retry_after_s =
        retry_after && *retry_after > 0 && *retry_after < 86400 * 7
            ? static_cast<int>(*retry_after)
            : kTelegramDefaultRetryAfterS;
  } else if (http_status == 403) {
    out.kind = Kind::kUnreachable;  // blocked, deactivated, can't initiate
  } else if (Is4xx(http_status)) {
    out.kind = Kind::kPermanent;
  } else {
    out.kind = Kind::kRetry;
  }
  return out;
}

SendOutcome InterpretWhatsApp(int http_status, std::string_view body) {
  SendOutcome out;
  if (http_status == 0) {
    out.error = "no response";
    return out;
  }
  const std::optional<Json> doc = ParseBody(body);
  const Json* error = doc ? Find(*doc, "error") : nullptr;
  const std::optional<int64_t> code =
      error ? IntAt(*error, "code") : std::nullopt;
  if (code) {
    if (auto by_code = ByWhatsAppCode(*code)) out = std::move(*by_code);
    out.error_code = static_cast<int>(*code);
  }
  if (error != nullptr) {
    std::string message = json_access::OptionalString(*error, "message");
    if (const Json* data = Find(*error, "error_data")) {
      if (std::string details = json_access::OptionalString(*data, "details");
          !details.empty()) {
        message += message.empty() ? details : ": " + details;
      }
    }
    out.error = ShortError(message);
  }
  if (code && ByWhatsAppCode(*code)) return out;

  if (Is2xx(http_status) && error == nullptr) {
    out.kind = Kind::kOk;
    const Json* messages = doc ? Find(*doc, "messages") : nullptr;
    if (messages && messages->is_array() && !messages->empty()) {
      out.provider_message_id =
          json_access::OptionalString(messages->front(), "id");
    }
    return out;
  }
  if (out.error.empty()) out.error = "HTTP " + std::to_string(http_status);
  if (http_status == 429) {
    const int error_code = out.error_code;
    std::string text = std::move(out.error);
    out = RateLimited(60);
    out.error_code = error_code;
    out.error = std::move(text);
  } else if (Is4xx(http_status) || (Is2xx(http_status) && error != nullptr)) {
    out.kind = Kind::kPermanent;
  } else {
    out.kind = Kind::kRetry;
  }
  return out;
}

}  // namespace sportello::channels
