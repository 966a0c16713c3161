#include "bot/channels/webhook_auth.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string>

using sportello::channels::ConstantTimeEquals;
using sportello::channels::HmacSha256Hex;
using sportello::channels::VerifyTelegramSecret;
using sportello::channels::VerifyWhatsAppSignature;

namespace {

// Computed once with: printf '%s' BODY | openssl dgst -sha256 -hmac
// app-secret-123
constexpr char kSecret[] = "app-secret-123";
constexpr char kBody[] = R"({"object":"whatsapp_business_account","entry":[]})";
constexpr char kBodyHmac[] =
    "20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703";

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

TEST_CASE(
    "equal strings compare equal in constant time and different ones do not") {
  CHECK(ConstantTimeEquals("s3cr3t", "s3cr3t"));
  CHECK(ConstantTimeEquals("", ""));
  CHECK_FALSE(ConstantTimeEquals("s3cr3t", "s3cr3T"));
  CHECK_FALSE(ConstantTimeEquals("s3cr3t", "s3cr3"));
  CHECK_FALSE(ConstantTimeEquals("s3cr3t", ""));
  CHECK_FALSE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("hmac sha256 matches the openssl reference vectors") {
  CHECK(HmacSha256Hex(kSecret, kBody) == kBodyHmac);
  CHECK(HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog") ==
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  CHECK(HmacSha256Hex(kSecret, "") ==
        "7830cd86f8a6543b14f802bcb61303606ff278d50f445177d72f7c7896b9badc");
}

TEST_CASE("a telegram delivery passes only with the configured secret") {
  CHECK(VerifyTelegramSecret("Sp0rtello_secret-1", "Sp0rtello_secret-1"));
  CHECK_FALSE(VerifyTelegramSecret("Sp0rtello_secret-1", "Sp0rtello_secret-2"));
  CHECK_FALSE(VerifyTelegramSecret("Sp0rtello_secret-1", ""));
  CHECK_FALSE(
      VerifyTelegramSecret("Sp0rtello_secret-1", "Sp0rtello_secret-1 "));
}

TEST_CASE(
    "an empty telegram secret never verifies so the caller must skip the check "
    "explicitly") {
  CHECK_FALSE(VerifyTelegramSecret("", ""));
  CHECK_FALSE(VerifyTelegramSecret("", "anything"));
}

TEST_CASE(
    "a whatsapp signature of the exact body with the app secret is accepted") {
  CHECK(VerifyWhatsAppSignature(kSecret, kBody,
                                std::string("sha256=") + kBodyHmac));
}

TEST_CASE("a whatsapp signature in uppercase hex is accepted") {
  CHECK(VerifyWhatsAppSignature(kSecret, kBody, "sha256=" + Upper(kBodyHmac)));
}

TEST_CASE("a whatsapp signature is rejected when anything is off") {
  const std::string good = kBodyHmac;
  SUBCASE("missing header") {
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, ""));
  }
  SUBCASE("no prefix") {
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, good));
  }
  SUBCASE("sha1 prefix") {
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, "sha1=" + good));
  }
  SUBCASE("uppercase prefix") {
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, "SHA256=" + good));
  }
  SUBCASE("one digit short") {
    CHECK_FALSE(
        VerifyWhatsAppSignature(kSecret, kBody, "sha256=" + good.substr(1)));
  }
  SUBCASE("one digit too many") {
    CHECK_FALSE(
        VerifyWhatsAppSignature(kSecret, kBody, "sha256=" + good + "0"));
  }
  SUBCASE("not hex") {
    std::string bad = good;
    bad[10] = 'g';
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, "sha256=" + bad));
  }
  SUBCASE("one digit changed") {
    std::string bad = good;
    bad.back() = bad.back() == '3' ? '4' : '3';
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, kBody, "sha256=" + bad));
  }
  SUBCASE("body changed by one byte") {
    std::string body = kBody;
    body.back() = ' ';
    CHECK_FALSE(VerifyWhatsAppSignature(kSecret, body, "sha256=" + good));
  }
  SUBCASE("another secret") {
    CHECK_FALSE(
        VerifyWhatsAppSignature("app-secret-124", kBody, "sha256=" + good));
  }
  SUBCASE("empty app secret") {
    CHECK_FALSE(VerifyWhatsAppSignature("", kBody,
                                        "sha256=" + HmacSha256Hex("", kBody)));
  }
}
