// Staff passwords (scrypt) and session tokens.
#include "bot/domain/password.h"

#include <doctest/doctest.h>

#include <string>

namespace sportello {
namespace {

// The cost travels with the hash; a low one keeps the tests fast.
constexpr ScryptCost kCheap{1 << 10, 8, 1};

TEST_CASE("a password verifies against its own hash only") {
  const std::string hash =
      HashPassword("correct-horse-battery", kCheap).value();
  CHECK(VerifyPassword("correct-horse-battery", hash));
  CHECK_FALSE(VerifyPassword("correct-horse-batterY", hash));
  CHECK_FALSE(VerifyPassword("", hash));
}

TEST_CASE("a password hash carries its scrypt cost and a random salt") {
  const std::string a = HashPassword("same password", kCheap).value();
  const std::string b = HashPassword("same password", kCheap).value();
  CHECK(a.starts_with("scrypt$1024$8$1$"));
  CHECK(a != b);  // different salts
  CHECK(VerifyPassword("same password", b));
}

TEST_CASE("the default cost is scrypt N=2^15, r=8, p=1") {
  const std::string hash = HashPassword("a long enough password").value();
  CHECK(hash.starts_with("scrypt$32768$8$1$"));
  CHECK(VerifyPassword("a long enough password", hash));
}

TEST_CASE(
    "the hash an unknown name is checked against has today's cost and the "
    "shape of a real one") {
  const std::string_view h = kUnknownUserHash;
  const std::string real = HashPassword("a long enough password").value();
  // Same cost, same lengths: verifying it takes as long as a real one.
  CHECK(h.substr(0, 17) == std::string_view(real).substr(0, 17));
  CHECK(h.size() == real.size());
  CHECK_FALSE(VerifyPassword("not a real password", h));
  CHECK_FALSE(VerifyPassword("", h));
}

TEST_CASE("a malformed hash verifies nothing") {
  for (const char* bad :
       {"", "scrypt", "bcrypt$1$2$3$00$00", "scrypt$x$8$1$00$00",
        "scrypt$1024$8$1$zz$00", "scrypt$1024$8$1$00$", "plain-text"}) {
    CAPTURE(bad);
    CHECK_FALSE(VerifyPassword("x", bad));
  }
}

TEST_CASE("session tokens are 32 random bytes in hex") {
  const std::string a = NewSessionToken().value();
  const std::string b = NewSessionToken().value();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

TEST_CASE("SHA-256 matches the standard test vector") {
  CHECK(Sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace sportello
