#include "bot/domain/catalog.h"

#include <nlohmann/json.hpp>

#include "bot/core/embedded_files.h"

namespace sportello {

core::Result<Catalog> Catalog::LoadEmbedded() {
  std::map<std::string, std::string> sources;
  for (const char* lang : {"it", "en"}) {
    auto file = EmbeddedFile(std::string(lang) + ".json");
    if (!file)
      return core::Status::Internal(std::string("catalog: ") + lang +
                                    ".json not embedded");
    sources[lang] = std::string(*file);
  }
  return FromJson(sources);
}

core::Result<Catalog> Catalog::FromJson(
    const std::map<std::string, std::string>& by_language) {
  Catalog c;
  for (const auto& [lang, text] : by_language) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return core::Status::InvalidArgument("catalog: " + lang +
                                           " is not a JSON object");
    }
    auto& table = c.texts_[lang];
    for (const auto& [key, value] : j.items()) {
      if (key.rfind("_", 0) == 0) continue;  // "_comment" entries
      if (!value.is_string()) {
        return core::Status::InvalidArgument("catalog: " + lang + "." + key +
                                             " is not a string");
      }
      table[key] = value.get<std::string>();
    }
  }
  if (!c.texts_.count("it"))
    return core::Status::InvalidArgument("catalog: Italian is required");
  return c;
}

std::string Catalog::Text(std::string_view lang, std::string_view key,
                          const Vars& vars) const {
  const std::string* found = nullptr;
  for (std::string_view l : {lang, std::string_view("it")}) {
    auto t = texts_.find(l);
    if (t == texts_.end()) continue;
    auto k = t->second.find(key);
    if (k != t->second.end()) {
      found = &k->second;
      break;
    }
  }
  if (!found) return std::string(key);
  std::string out;
  out.reserve(found->size());
  const std::string& s = *found;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      const size_t end = s.find('}', i);
      if (end != std::string::npos) {
        const std::string_view name(s.data() + i + 1, end - i - 1);
        bool replaced = false;
        for (const auto& [n, v] : vars) {
          if (n == name) {
            out += v;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = end;
          continue;
        }
      }
    }
    out += s[i];
  }
  return out;
}

bool Catalog::Has(std::string_view lang, std::string_view key) const {
  auto t = texts_.find(lang);
  return t != texts_.end() && t->second.find(key) != t->second.end();
}

std::vector<std::string> Catalog::Languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, _] : texts_) out.push_back(lang);
  return out;
}

std::vector<std::string> Catalog::Keys(std::string_view lang) const {
  std::vector<std::string> out;
  auto t = texts_.find(lang);
  if (t == texts_.end()) return out;
  for (const auto& [key, _] : t->second) out.push_back(key);
  return out;
}

std::string SupportedLanguage(std::string_view hint) {
  if (hint.size() >= 2) {
    const char a = static_cast<char>(hint[0] | 0x20);
    const char b = static_cast<char>(hint[1] | 0x20);
    if (a == 'e' && b == 'n') return "en";
  }
  return "it";
}

}  // namespace sportello
