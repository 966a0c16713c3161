#include "intents/entities/data_file.h"

#include <fstream>
#include <iterator>

namespace sportello::intents::entities {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

core::Status ForEachDataLine(
    const std::string& path,
    const std::function<
        core::Status(int, const std::vector<std::string_view>&)>& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::NotFound("entities: cannot open " + path);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  std::vector<std::string_view> fields;
  int number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line =
        Trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    ++number;
    if (line.empty() || line.front() == '#') continue;
    fields.clear();
    for (size_t pos = 0;;) {
      const size_t tab = line.find('\t', pos);
      fields.push_back(Trim(
          line.substr(pos, tab == std::string_view::npos ? tab : tab - pos)));
      if (tab == std::string_view::npos) break;
      pos = tab + 1;
    }
    if (core::Status s = fn(number, fields); !s.ok()) return s;
  }
  return core::Status::Ok();
}

std::string Where(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

}  // namespace sportello::intents::entities
