#include "intents/classify_command.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>

#include "bot/core/clock.h"
#include "bot/core/iso_date.h"
#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/core/utf8.h"
#include "intents/engine.h"

namespace sportello::intents {
namespace {

constexpr std::string_view kUsage =
    "usage: sportello classify [--now YYYY-MM-DD] [--top K] [--data DIR]\n"
    "\n"
    "Reads UTF-8 lines from stdin and writes one JSON object per line, in "
    "order:\n"
    "  "
    "{\"text\":\"...\",\"intent\":\"vacancy_search\",\"confidence\":0.93,"
    "\"lang\":\"it\",\n"
    "   "
    "\"entities\":{\"city\":\"Bari\",\"role\":\"cameriere\",\"contract\":"
    "\"part_time\","
    "\"date\":\"2026-12-03\"}}\n"
    "Absent entities are omitted. Invalid UTF-8 is repaired.\n"
    "\n"
    "  --now YYYY-MM-DD  reference date for relative dates (default: today in "
    "Rome)\n"
    "  --top K           add \"top\": the K best intents with their "
    "confidence\n"
    "  --data DIR        rules, model and gazetteers (default: "
    "$SPORTELLO_INTENTS_DIR\n"
    "                    or the source tree's intents/data)\n";

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned char>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// Two decimals, as the example ("0.93"); never "nan" or "1e-05".
void AppendConfidence(double c, std::string* out) {
  if (!(c >= 0)) c = 0;
  if (c > 1) c = 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", c);
  std::string_view s = buf;
  while (s.size() > 1 && s.back() == '0' &&
         s.find('.') != std::string_view::npos) {
    s.remove_suffix(1);
  }
  if (s.back() == '.') s.remove_suffix(1);
  out->append(s);
}

struct Options {
  std::optional<std::chrono::year_month_day> now;
  int top = 0;
  std::string data_dir;
  bool help = false;
};

// Accepts "--flag value" and "--flag=value". Returns an error message or "".
std::string ParseArgs(const std::vector<std::string>& args, Options* options) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (const size_t eq = flag.find('=');
        flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") {
      options->help = true;
      continue;
    }
    if (flag != "--now" && flag != "--top" && flag != "--data") {
      return "unknown argument '" + args[i] + "'";
    }
    if (!value) {
      if (i + 1 >= args.size()) return flag + " needs a value";
      value = args[++i];
    }
    if (flag == "--now") {
      options->now = core::ParseIsoDate(*value);
      if (!options->now)
        return "--now wants a date as YYYY-MM-DD, got '" + *value + "'";
    } else if (flag == "--top") {
      const auto top =
          core::ParseInt(*value, 1, std::numeric_limits<int>::max());
      if (!top) return "--top wants a positive number, got '" + *value + "'";
      options->top = static_cast<int>(*top);
    } else {
      options->data_dir = *value;
    }
  }
  return "";
}

}  // namespace

std::string AnalysisToJson(std::string_view text, const Analysis& analysis) {
  std::string out = "{\"text\":";
  AppendJsonString(core::utf8::Repair(text), &out);
  out += ",\"intent\":";
  AppendJsonString(analysis.intent, &out);
  out += ",\"confidence\":";
  AppendConfidence(analysis.confidence, &out);
  out += ",\"lang\":";
  AppendJsonString(analysis.lang, &out);
  out += ",\"entities\":{";
  bool first = true;
  const auto entity = [&](std::string_view key,
                          const std::optional<std::string>& value) {
    if (!value) return;
    if (!first) out += ",";
    first = false;
    AppendJsonString(key, &out);
    out += ":";
    AppendJsonString(core::utf8::Repair(*value), &out);
  };
  entity("city", analysis.entities.city);
  entity("role", analysis.entities.role);
  entity("contract", analysis.entities.contract);
  entity("date", analysis.entities.date);
  out += "}";
  return out + "}";
}

int RunClassify(const std::vector<std::string>& args, std::istream& in,
                std::ostream& out, std::ostream& err) {
  Options options;
  if (const std::string error = ParseArgs(args, &options); !error.empty()) {
    err << "classify: " << error << "\n" << kUsage;
    return 2;
  }
  if (options.help) {
    out << kUsage;
    return 0;
  }
  const std::string dir =
      options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  auto engine = Engine::Load(dir);
  if (!engine.ok()) {
    err << "classify: " << engine.status().ToString() << "\n";
    return 1;
  }
  const std::chrono::year_month_day today =
      options.now ? *options.now
                  : core::RomeDate(std::chrono::system_clock::now());
  const int top_k = std::max(1, options.top);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF input
    const Analysis analysis = (*engine)->Analyze(line, today, top_k);
    std::string json = AnalysisToJson(line, analysis);
    if (options.top > 0) {
      json.pop_back();  // reopen the object to append "top"
      json += ",\"top\":[";
      for (size_t i = 0; i < analysis.top.size(); ++i) {
        if (i > 0) json += ",";
        json += "{\"intent\":";
        AppendJsonString(analysis.top[i].intent, &json);
        json += ",\"confidence\":";
        AppendConfidence(analysis.top[i].confidence, &json);
        json += "}";
      }
      json += "]}";
    }
    out << json << '\n' << std::flush;
  }
  return 0;
}

int RunClassifyCommand(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.empty()) args.push_back("classify");
  std::ios::sync_with_stdio(false);
  return RunClassify(args, std::cin, std::cout, std::cerr);
}

}  // namespace sportello::intents
