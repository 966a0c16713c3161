// InterpretTelegram / InterpretWhatsApp on arbitrary statuses and bodies:
// never a crash; errors stay short and printable; a rate limit always waits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bot/channels/outbound.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void Check(const sportello::channels::SendOutcome& out) {
  using Kind = sportello::channels::SendOutcome::Kind;
  FUZZ_CHECK(out.error.size() <= 210);
  for (const char c : out.error)
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  FUZZ_CHECK(out.kind != Kind::kRateLimited || out.retry_after_s > 0);
}

}  // namespace

// Input: two bytes of HTTP status (mod 600), then the body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int status = (data[0] << 8 | data[1]) % 600;
  const std::string_view body(reinterpret_cast<const char*>(data) + 2,
                              size - 2);
  Check(sportello::channels::InterpretTelegram(status, body));
  Check(sportello::channels::InterpretWhatsApp(status, body));
  return 0;
}
