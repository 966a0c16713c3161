// The call log shared by the fake API servers: every request they answered,
// in arrival order, with a way for tests to wait for calls without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::fakes {

// One API call as the fake server saw and answered it.
struct RecordedCall {
  std::string method;    // Telegram: "sendMessage"...; WhatsApp: "messages"
  std::string path;      // the request path, e.g. "/v21.0/1234567890/messages"
  nlohmann::json body;   // the parsed JSON body; null when it was not JSON
  std::string raw_body;  // the bytes as received
  int status = 0;        // the HTTP status the fake answered
  nlohmann::json response;                   // the JSON the fake answered
  std::chrono::steady_clock::time_point at;  // when it arrived
};

// Thread-safe append-only log with waiting. Calls are recorded after the
// response is decided, before it is written back to the client.
class CallRecorder {
 public:
  void Record(RecordedCall call);

  // Snapshot of the calls, all of them or those of one method.
  std::vector<RecordedCall> Calls() const;
  std::vector<RecordedCall> Calls(std::string_view method) const;
  size_t Count(std::string_view method = {}) const;

  // Blocks until at least `n` calls (of `method` when non-empty) were recorded;
  // false on timeout.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout,
               std::string_view method = {}) const;

  // Blocks until `done(calls)` holds for the recorded calls; false on timeout.
  // `done` runs under the log's lock: keep it short, do not call back in.
  bool WaitUntil(
      const std::function<bool(const std::vector<RecordedCall>&)>& done,
      std::chrono::milliseconds timeout) const;

  void Clear();

 private:
  mutable std::mutex mu_;  // guards calls_
  mutable std::condition_variable changed_;
  std::vector<RecordedCall> calls_;
};

// Unicode code points in UTF-8 `s` (what the APIs call characters).
size_t Utf8Length(std::string_view s);

}  // namespace sportello::fakes
