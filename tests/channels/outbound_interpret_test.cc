#include <doctest/doctest.h>

#include <string>

#include "bot/channels/outbound.h"

using sportello::channels::InterpretTelegram;
using sportello::channels::InterpretWhatsApp;
using sportello::channels::SendOutcome;
using Kind = SendOutcome::Kind;

TEST_CASE("a telegram ok answer gives the message id") {
  const SendOutcome out = InterpretTelegram(
      200,
      R"({"ok":true,"result":{"message_id":5000000001,"date":1,"chat":{"id":77,"type":"private"}}})");
  CHECK(out.kind == Kind::kOk);
  CHECK(out.provider_message_id == "5000000001");
  CHECK(out.error.empty());
}

TEST_CASE("a telegram ok answer without a message id is ok") {
  CHECK(InterpretTelegram(200, R"({"ok":true,"result":true})").kind ==
        Kind::kOk);
  // The call was accepted: retrying could send the message twice.
  const SendOutcome unreadable = InterpretTelegram(200, "<html>");
  CHECK(unreadable.kind == Kind::kOk);
  CHECK(unreadable.provider_message_id.empty());
}

TEST_CASE("telegram 429 waits retry_after") {
  const SendOutcome out =
      InterpretTelegram(429, R"({"ok":false,"error_code":429,
    "description":"Too Many Requests: retry after 2282","parameters":{"retry_after":2282}})");
  CHECK(out.kind == Kind::kRateLimited);
  CHECK(out.retry_after_s == 2282);
  CHECK(out.error_code == 429);
  CHECK(out.error == "Too Many Requests: retry after 2282");
  CHECK_FALSE(out.recipient_only);
  CHECK(InterpretTelegram(429, "").retry_after_s == 30);
}

TEST_CASE("telegram 403 means the user cannot be reached") {
  for (const char* description :
       {"Forbidden: bot was blocked by the user",
        "Forbidden: bot can't initiate conversation with a user",
        "Forbidden: user is deactivated"}) {
    CAPTURE(description);
    const SendOutcome out = InterpretTelegram(
        403, std::string(R"({"ok":false,"error_code":403,"description":")") +
                 description + "\"}");
    CHECK(out.kind == Kind::kUnreachable);
    CHECK(out.error == description);
  }
}

TEST_CASE("other telegram 4xx are permanent and 5xx or no answer are retried") {
  CHECK(
      InterpretTelegram(
          400,
          R"({"ok":false,"error_code":400,"description":"Bad Request: message text is empty"})")
          .kind == Kind::kPermanent);
  CHECK(InterpretTelegram(400, "").error == "HTTP 400");
  CHECK(
      InterpretTelegram(
          401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})")
          .kind == Kind::kPermanent);
  CHECK(InterpretTelegram(500, "").kind == Kind::kRetry);
  CHECK(InterpretTelegram(502, "<html>Bad Gateway</html>").kind ==
        Kind::kRetry);
  CHECK(InterpretTelegram(0, "").kind == Kind::kRetry);
}

TEST_CASE("a whatsapp 200 gives the wamid") {
  const SendOutcome out =
      InterpretWhatsApp(200, R"({"messaging_product":"whatsapp",
    "contacts":[{"input":"+393331234567","wa_id":"393331234567"}],
    "messages":[{"id":"wamid.HBgMMzkzMzMxMjM0NTY3FQIAERgSQjk3"}]})");
  CHECK(out.kind == Kind::kOk);
  CHECK(out.provider_message_id == "wamid.HBgMMzkzMzMxMjM0NTY3FQIAERgSQjk3");
  CHECK(InterpretWhatsApp(200, "").kind == Kind::kOk);
}

namespace {

std::string WhatsAppError(int code, std::string_view message = "oops") {
  return R"({"error":{"message":")" + std::string(message) +
         R"(","type":"OAuthException","code":)" + std::to_string(code) +
         R"(,"error_data":{"messaging_product":"whatsapp","details":"more"},
         "fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}})";
}

}  // namespace

TEST_CASE("whatsapp errors branch on the code not on the http status") {
  struct Case {
    int code;
    int http;
    Kind kind;
    int retry_after_s;
    bool recipient_only;
  };
  const Case cases[] = {
      {130429, 400, Kind::kRateLimited, 60, false},
      {80007, 400, Kind::kRateLimited, 60, false},
      {4, 403, Kind::kRateLimited, 60, false},
      {131048, 400, Kind::kRateLimited, 3600, false},
      {131056, 400, Kind::kRateLimited, 6, true},
      {131049, 400, Kind::kRateLimited, 86400, true},
      {131026, 400, Kind::kUnreachable, 0, false},
      {130403, 400, Kind::kUnreachable, 0, false},
      {131047, 400, Kind::kWindowClosed, 0, false},
      {131000, 500, Kind::kRetry, 0, false},
      {131016, 503, Kind::kRetry, 0, false},
      {2, 400, Kind::kRetry, 0, false},
      {190, 401, Kind::kRetry, 0, false},
      {131051, 400, Kind::kPermanent, 0, false},
      {100, 400, Kind::kPermanent, 0, false},
      {131009, 400, Kind::kPermanent, 0, false},
      {999999, 500, Kind::kRetry, 0, false},
      {130429, 200, Kind::kRateLimited, 60, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.code);
    CAPTURE(c.http);
    const SendOutcome out = InterpretWhatsApp(c.http, WhatsAppError(c.code));
    CHECK(out.kind == c.kind);
    CHECK(out.error_code == c.code);
    CHECK(out.retry_after_s == c.retry_after_s);
    CHECK(out.recipient_only == c.recipient_only);
    CHECK(out.error == "oops: more");
    CHECK(out.provider_message_id.empty());
  }
}

TEST_CASE("whatsapp answers without a code fall back on the http status") {
  CHECK(InterpretWhatsApp(429, "").kind == Kind::kRateLimited);
  CHECK(InterpretWhatsApp(429, "").retry_after_s == 60);
  CHECK(InterpretWhatsApp(400, "{}").kind == Kind::kPermanent);
  CHECK(InterpretWhatsApp(503, "").kind == Kind::kRetry);
  CHECK(InterpretWhatsApp(0, "").kind == Kind::kRetry);
}

TEST_CASE("error descriptions are short and single-line") {
  const SendOutcome out = InterpretWhatsApp(
      400, WhatsAppError(100, std::string(1000, 'x') + "\\n"));
  CHECK(out.error.size() <= 203);
  CHECK(out.error.find('\n') == std::string::npos);
}
