// What the benchmark programs share: figures from /proc, milliseconds, and
// stopping with the reason when a step fails.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bot/core/status.h"

namespace sportello::bench {

// A line of /proc/self/status by key ("VmRSS" -> "12432 kB"); "?" if absent.
inline std::string ProcStatus(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      const auto v = line.find_first_not_of(" \t", key.size() + 1);
      return line.substr(v);
    }
  }
  return "?";
}

inline double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Exits with `program: what: reason` unless `s` is OK.
inline void Check(const core::Status& s, const char* program,
                  const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s: %s\n", program, what, s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace sportello::bench
