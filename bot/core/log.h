// One-line structured logs on stderr: "2026-11-22T05:10:00Z INFO webhook: ...".
// Never pass secrets (tokens, signatures) to these functions.
#pragma once

#include <string_view>

namespace sportello::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Messages below `level` are dropped. Default kInfo;
// SPORTELLO_LOG=debug|info|warn|error.
void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view name, LogLevel* level);

void Log(LogLevel level, std::string_view component, std::string_view message);
inline void LogInfo(std::string_view c, std::string_view m) {
  Log(LogLevel::kInfo, c, m);
}
inline void LogWarn(std::string_view c, std::string_view m) {
  Log(LogLevel::kWarn, c, m);
}
inline void LogError(std::string_view c, std::string_view m) {
  Log(LogLevel::kError, c, m);
}
inline void LogDebug(std::string_view c, std::string_view m) {
  Log(LogLevel::kDebug, c, m);
}

}  // namespace sportello::core
