// `sportello classify`: the engine on stdin lines, one JSON object per line.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sportello::intents {

// RunClassifyCommand() with explicit streams, for tests. `args` are the
// command line after the program name: {"classify", "--top", "2"}; args[0]
// is skipped. Returns the exit code: 0 ok, 1 engine failed to load, 2 usage.
int RunClassify(const std::vector<std::string>& args, std::istream& in,
                std::ostream& out, std::ostream& err);

}  // namespace sportello::intents
