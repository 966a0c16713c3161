// A fake WhatsApp Cloud API (Graph API) server on loopback. It serves
// POST /<version>/<phone_number_id>/messages like graph.facebook.com: it wants
// "Authorization: Bearer <token>" (else 401, error code 190), checks the body
// as Meta does (CheckWhatsAppMessage: else 400, code 100) and answers
// {"messaging_product":"whatsapp","contacts":[..],"messages":[{"id":"wamid...."}]}.
//
//   fakes::FakeWhatsApp wa;                        // token "test-access-token"
//   env["WHATSAPP_API_BASE"] = wa.base_url();      //
//   http://127.0.0.1:PORT/v21.0 env["WHATSAPP_PHONE_NUMBER_ID"] =
//   wa.phone_number_id();
//   ...
//   REQUIRE(wa.WaitForCalls(1, 5s));
//   CHECK(wa.Calls()[0].body["interactive"]["type"] == "button");
//
// Thread-safe. The destructor stops the server.
#pragma once

#include <chrono>
#include <climits>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/loopback_server.h"
#include "tests/fakes/recorder.h"

namespace sportello::fakes {

class FakeWhatsApp {
 public:
  struct Options {
    std::string access_token = "test-access-token";
    std::string version = "v21.0";  // the first path segment
    std::string phone_number_id =
        "109876543210";  // other ids answer 400 (code 100)
    // More numbers of the same business (a centre's own), accepted too:
    // each call's path says which one it went from.
    std::vector<std::string> other_numbers;
  };

  FakeWhatsApp();
  explicit FakeWhatsApp(Options options);
  ~FakeWhatsApp() = default;
  FakeWhatsApp(const FakeWhatsApp&) = delete;
  FakeWhatsApp& operator=(const FakeWhatsApp&) = delete;

  // What WHATSAPP_API_BASE should be: "http://127.0.0.1:<port>/v21.0".
  std::string base_url() const {
    return server_.url() + "/" + options_.version;
  }
  int port() const { return server_.port(); }
  const std::string& access_token() const { return options_.access_token; }
  const std::string& phone_number_id() const {
    return options_.phone_number_id;
  }

  // --- What the bot sent (method "messages"); rejected calls are recorded too.
  std::vector<RecordedCall> Calls() const { return recorder_.Calls(); }
  size_t CallCount() const { return recorder_.Count(); }
  bool WaitForCalls(size_t n, std::chrono::milliseconds timeout) const {
    return recorder_.WaitFor(n, timeout);
  }
  const CallRecorder& recorder() const { return recorder_; }
  // Bodies of the calls answered 200, in order (to one recipient when `to`
  // is non-empty, compared without a leading '+').
  std::vector<nlohmann::json> Accepted(std::string_view to = {}) const;

  // --- Scripted errors, applied in order to the next `count` well-formed
  // calls (to `to` only, when non-empty). `code` is Meta's error code:
  //   130429 rate limit (400), 131056 pair rate limit (400),
  //   131026 undeliverable (400), 131047 re-engagement window (400),
  //   131048 spam limit (400), 500 a server error (HTTP 500, code 131000),
  //   any other: 400 with that code.
  static constexpr int kForever = INT_MAX;
  void FailNext(int code, int count = 1, std::string to = {});

 private:
  struct Scripted {
    int code = 0;
    int remaining = 0;
    std::string to;  // without '+'; empty: any recipient
  };
  struct Answer {
    int http_status = 200;
    nlohmann::json body;
  };
  Answer Handle(const std::string& phone_number_id,
                const std::string& authorization, const std::string& raw_body,
                nlohmann::json* parsed);
  Answer ScriptedError(int code);

  const Options options_;
  CallRecorder recorder_;

  std::mutex mu_;  // guards the two below
  std::deque<Scripted> scripted_;
  uint64_t next_wamid_ = 1;

  LoopbackServer server_;  // last: destroyed first, while the state above lives
};

// A Graph API error body: {"error":{"message","type":"OAuthException","code",
// "error_data":{"details"},"fbtrace_id"}}.
nlohmann::json GraphError(int code, std::string_view message,
                          std::string_view details);

}  // namespace sportello::fakes
