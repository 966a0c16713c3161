#include "bot/core/background.h"

#include <sys/resource.h>
#include <unistd.h>

namespace sportello::core {

// Weight 110 against 1024 for nice 0: about a tenth of a contended CPU.
constexpr int kBackgroundNice = 10;

void MarkThisThreadBackground() {
  // On Linux a thread has its own nice value, set through its thread id.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice);
}

}  // namespace sportello::core
