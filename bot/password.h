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
