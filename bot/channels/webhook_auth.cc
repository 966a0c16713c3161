#include "bot/channels/webhook_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <optional>

namespace sportello::channels {
namespace {

constexpr std::string_view kSha256Prefix = "sha256=";
constexpr size_t kDigestBytes = 32;
using Digest = std::array<unsigned char, kDigestBytes>;

Digest HmacSha256(std::string_view key, std::string_view data) {
  // Empty views may carry a null data(): hand OpenSSL a real pointer.
  static constexpr char kEmpty[] = "";
  const char* key_bytes = key.empty() ? kEmpty : key.data();
  const char* data_bytes = data.empty() ? kEmpty : data.data();
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data_bytes), data.size(),
       out.data(), &len);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 32 bytes a 64-digit hex string stands for. The length is public; the
// digits are the attacker's own, so decoding them needs no constant time.
std::optional<Digest> DecodeHexDigest(std::string_view hex) {
  if (hex.size() != 2 * kDigestBytes) return std::nullopt;
  Digest out{};
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // volatile keeps the compiler from turning the loop into an early-exit
  // memcmp.
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool VerifyTelegramSecret(std::string_view secret,
                          std::string_view header_value) {
  if (secret.empty()) return false;
  return ConstantTimeEquals(secret, header_value);
}

bool VerifyWhatsAppSignature(std::string_view app_secret, std::string_view body,
                             std::string_view header_value) {
  if (app_secret.empty() || !header_value.starts_with(kSha256Prefix))
    return false;
  const auto claimed =
      DecodeHexDigest(header_value.substr(kSha256Prefix.size()));
  if (!claimed) return false;
  const Digest expected = HmacSha256(app_secret, body);
  return ConstantTimeEquals(
      std::string_view(reinterpret_cast<const char*>(expected.data()),
                       expected.size()),
      std::string_view(reinterpret_cast<const char*>(claimed->data()),
                       claimed->size()));
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const Digest digest = HmacSha256(key, data);
  std::string hex;
  hex.reserve(2 * kDigestBytes);
  for (const unsigned char b : digest) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xF];
  }
  return hex;
}

}  // namespace sportello::channels
