// Authentication of webhook deliveries, checked before the body is parsed.
// Every comparison of a secret runs in constant time.
#pragma once

#include <string>
#include <string_view>

namespace sportello::channels {

// True when a and b are equal. Time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Telegram: the X-Telegram-Bot-Api-Secret-Token header must equal `secret`.
// Fails closed: an empty `secret` never verifies, so the caller decides
// explicitly to skip the check when no secret is configured.
bool VerifyTelegramSecret(std::string_view secret,
                          std::string_view header_value);

// WhatsApp: `header_value` must be "sha256=" + lowercase or uppercase hex of
// HMAC-SHA256(body, app_secret). Missing prefix, sha1=, wrong length, non-hex,
// or an empty app_secret: false.
bool VerifyWhatsAppSignature(std::string_view app_secret, std::string_view body,
                             std::string_view header_value);

// Lowercase hex HMAC-SHA256, e.g. for tests and fake servers.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace sportello::channels
