// sportello: the job centre's chat-bot service. Its commands are the table
// in bot/app/cli/cli.cc; `sportello --help` lists them.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "bot/app/cli/cli.h"

namespace {

// glibc gives each thread that allocates an arena of its own (up to 8 per
// core), and each keeps what it freed: under a webhook burst the service's
// dozen busy threads grew the peak RSS by ~4 MiB with no gain in speed
// (bench/run: 37 -> 33 MiB at the same req/s). MALLOC_ARENA_MAX, when set,
// still decides.
void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

}  // namespace

int main(int argc, char** argv) {
  LimitMallocArenas();
  if (argc >= 2 && std::string_view(argv[1]) == "--version") {
    std::printf("sportello %s\n", SPORTELLO_VERSION);
    return 0;
  }
  return sportello::cli::RunCommand(argc, argv);
}
