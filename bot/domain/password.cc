#include "bot/domain/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <limits>
#include <vector>

#include "bot/core/numbers.h"

namespace sportello {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
// Above what we choose by default, below what would let a forged row in the
// database tie a login thread up for minutes.
constexpr uint64_t kMaxMemoryBytes = uint64_t{256} << 20;

std::string Hex(const unsigned char* data, size_t size) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

bool Unhex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) return false;
    out.push_back(static_cast<unsigned char>(v));
  }
  return true;
}

bool Scrypt(std::string_view password, const std::vector<unsigned char>& salt,
            const ScryptCost& cost, unsigned char* out, size_t out_len) {
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(),
                        salt.size(), cost.n, cost.r, cost.p, kMaxMemoryBytes,
                        out, out_len) == 1;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

core::Result<std::string> HashPassword(std::string_view password,
                                       ScryptCost cost) {
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    return core::Status::Internal("password: no random bytes for the salt");
  unsigned char hash[kHashBytes];
  if (!Scrypt(password, salt, cost, hash, sizeof hash))
    return core::Status::Internal("password: scrypt failed");
  return "scrypt$" + std::to_string(cost.n) + "$" + std::to_string(cost.r) +
         "$" + std::to_string(cost.p) + "$" + Hex(salt.data(), salt.size()) +
         "$" + Hex(hash, sizeof hash);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  const auto parts = Split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  // A cost past 2^63 could never fit kMaxMemoryBytes: refusing it here is
  // what scrypt would do.
  constexpr int64_t kMaxCost = std::numeric_limits<int64_t>::max();
  const auto n = core::ParseInt(parts[1], 0, kMaxCost);
  const auto r = core::ParseInt(parts[2], 0, kMaxCost);
  const auto p = core::ParseInt(parts[3], 0, kMaxCost);
  std::vector<unsigned char> salt, expected;
  if (!n || !r || !p || !Unhex(parts[4], salt) || !Unhex(parts[5], expected) ||
      expected.empty() || expected.size() > 64) {
    return false;
  }
  const ScryptCost cost{static_cast<uint64_t>(*n), static_cast<uint64_t>(*r),
                        static_cast<uint64_t>(*p)};
  std::vector<unsigned char> actual(expected.size());
  if (!Scrypt(password, salt, cost, actual.data(), actual.size())) return false;
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

core::Result<std::string> NewSessionToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return core::Status::Internal("session: no random bytes for the token");
  return Hex(bytes, sizeof bytes);
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return Hex(digest, sizeof digest);
}

}  // namespace sportello
