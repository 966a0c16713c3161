#include "bot/app/cli/flags.h"

#include <chrono>
#include <cstdio>

#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"

namespace sportello::cli {

bool WantsHelp(int argc, char** argv, std::string_view usage) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      return true;
    }
  }
  return false;
}

std::optional<std::map<std::string, std::string>> ParseFlags(
    int argc, char** argv, const std::vector<std::string_view>& known,
    std::string_view command, const char* usage) {
  const std::string name(command);
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    bool ok = false;
    for (std::string_view k : known) ok = ok || a == k;
    if (!ok) {
      std::fprintf(stderr, "sportello %s: unexpected argument '%s'\n%s",
                   name.c_str(), argv[i], usage);
      return std::nullopt;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "sportello %s: %s needs a value\n", name.c_str(),
                   argv[i]);
      return std::nullopt;
    }
    flags[std::string(a)] = argv[++i];
  }
  return flags;
}

bool ParseInt(std::string_view text, int min, int max, int* out) {
  const auto v = core::ParseInt(text, min, max);
  if (v) *out = static_cast<int>(*v);
  return v.has_value();
}

core::Result<int64_t> ParseRomeMinute(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  if (text.size() != 16 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
      !ParseInt(text.substr(0, 4), 1970, 9999, &y) ||
      !ParseInt(text.substr(5, 2), 1, 12, &mo) ||
      !ParseInt(text.substr(8, 2), 1, 31, &d) ||
      !ParseInt(text.substr(11, 2), 0, 23, &h) ||
      !ParseInt(text.substr(14, 2), 0, 59, &mi)) {
    return core::Status::InvalidArgument("'" + std::string(text) +
                                         "': expected \"YYYY-MM-DD HH:MM\"");
  }
  const std::chrono::year_month_day date{
      std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
      std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    return core::Status::InvalidArgument(
        "'" + std::string(text) + "': no such day (\"YYYY-MM-DD HH:MM\")");
  }
  const auto at = core::FromRome(date, h, mi);
  const core::RomeTime back = core::ToRome(at);
  if (back.date != date || back.hour != h || back.minute != mi) {
    return core::Status::InvalidArgument(
        "'" + std::string(text) +
        "': that time does not exist in Rome (clocks go forward)");
  }
  return core::ToMillis(at);
}

std::string FormatRomeMinute(int64_t at_ms) {
  const core::RomeTime t = core::ToRome(core::FromMillis(at_ms));
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u %02d:%02d",
      static_cast<int>(t.date.year()), static_cast<unsigned>(t.date.month()),
      static_cast<unsigned>(t.date.day()), t.hour % 100, t.minute % 100);
  return buf;
}

}  // namespace sportello::cli
