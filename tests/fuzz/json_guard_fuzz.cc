// The JSON gate: never a crash or a deep recursion; what it accepts is an
// object that survives a copy, a dump and a re-parse unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "bot/channels/json_guard.h"
#include "bot/core/utf8.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace channels = sportello::channels;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto doc = channels::ParseJsonObject(body, /*max_depth=*/8);
  if (!doc.ok()) return 0;
  FUZZ_CHECK(doc->is_object());
  FUZZ_CHECK(sportello::core::utf8::IsValid(body));
  const nlohmann::json copy = *doc;
  const std::string dumped = copy.dump();
  const auto again = channels::ParseJsonObject(dumped, 8);
  FUZZ_CHECK(again.ok() && *again == *doc);
  return 0;
}
