#include "tests/fakes/recorder.h"

#include <algorithm>
#include <utility>

namespace sportello::fakes {

void CallRecorder::Record(RecordedCall call) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(call));
  }
  changed_.notify_all();
}

std::vector<RecordedCall> CallRecorder::Calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<RecordedCall> CallRecorder::Calls(std::string_view method) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RecordedCall> out;
  for (const auto& call : calls_) {
    if (call.method == method) out.push_back(call);
  }
  return out;
}

size_t CallRecorder::Count(std::string_view method) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (method.empty()) return calls_.size();
  return static_cast<size_t>(
      std::count_if(calls_.begin(), calls_.end(),
                    [&](const RecordedCall& c) { return c.method == method; }));
}

bool CallRecorder::WaitFor(size_t n, std::chrono::milliseconds timeout,
                           std::string_view method) const {
  return WaitUntil(
      [&](const std::vector<RecordedCall>& calls) {
        if (method.empty()) return calls.size() >= n;
        size_t matching = 0;
        for (const auto& c : calls) matching += c.method == method ? 1 : 0;
        return matching >= n;
      },
      timeout);
}

bool CallRecorder::WaitUntil(
    const std::function<bool(const std::vector<RecordedCall>&)>& done,
    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return done(calls_); });
}

void CallRecorder::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    // Count every byte that does not continue a sequence (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace sportello::fakes
