// Scratch space and ports for tests that run the real binary.
#pragma once

#include <string>
#include <string_view>

namespace sportello::support {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents by the
// destructor. Throws std::runtime_error when it cannot be created.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name; the file is not created.
  std::string File(std::string_view name) const;

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read,
// closed). For processes that must be told their port up front; anything in
// this process should bind port 0 itself. 0 on failure.
int FreePort();

// "127.0.0.1:<port>".
std::string LoopbackAddress(int port);

}  // namespace sportello::support
