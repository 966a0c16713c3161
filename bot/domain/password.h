// Staff passwords and console session tokens, on OpenSSL only (no home-made
// crypto). A password hash reads "scrypt$N$r$p$salt_hex$hash_hex": the cost
// travels with the hash, so it can be raised later and old hashes still
// verify.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bot/core/status.h"

namespace sportello {

struct ScryptCost {
  uint64_t n = uint64_t{1} << 15;  // CPU/memory cost (32 MiB with r = 8)
  uint64_t r = 8;
  uint64_t p = 1;
};

// A hash at the default cost of a random password that was thrown away:
// what a login with an unknown name is verified against, so that it costs
// as long as a wrong password and timing does not tell which names exist.
inline constexpr std::string_view kUnknownUserHash =
    "scrypt$32768$8$1$46555a0b697b3013c4421a51db7bf36a$"
    "2a3fa64c14a397dfa1ce1dbff5f3a315aa77e366740b7227db0e9aa0b6226511";

// Shortest password `users add` accepts.
inline constexpr size_t kMinPasswordLength = 10;

// A new random 16-byte salt, scrypt, encoded as above. Internal when
// OpenSSL fails (out of memory, no entropy).
core::Result<std::string> HashPassword(std::string_view password,
                                       ScryptCost cost = {});

// Whether `password` matches `encoded`; compares in constant time. False for
// a malformed `encoded`.
bool VerifyPassword(std::string_view password, std::string_view encoded);

// 32 random bytes (RAND_bytes) as 64 hex characters.
core::Result<std::string> NewSessionToken();

// SHA-256 of `text`, lowercase hex: what the database keeps of a token.
std::string Sha256Hex(std::string_view text);

}  // namespace sportello
