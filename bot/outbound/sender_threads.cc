#include "bot/outbound/sender_threads.h"

#include <algorithm>
#include <cmath>

namespace sportello {

int SenderThreadsFor(double calls_per_sec) {
  const int needed = static_cast<int>(std::ceil(calls_per_sec * 0.3));
  return std::clamp((needed + 7) / 8 * 8, 8, 1024);
}

}  // namespace sportello
