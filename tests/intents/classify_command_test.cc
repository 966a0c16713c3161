#include "intents/classify_command.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "intents/labels.h"

namespace sportello::intents {
namespace {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run Classify(std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), "classify");
  std::istringstream in(input);
  std::ostringstream out, err;
  Run run;
  run.code = RunClassify(args, in, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::vector<nlohmann::json> Lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    lines.push_back(std::move(j));
  }
  return lines;
}

TEST_CASE("classify prints one JSON object per input line in order") {
  const Run run = Classify({"--now", "2026-11-20"},
                           "cerco lavoro come cameriere a Bari part time\n"
                           "\n"
                           "grazie mille\n");
  CHECK(run.code == 0);
  CHECK(run.err.empty());
  const auto lines = Lines(run.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["text"] == "cerco lavoro come cameriere a Bari part time");
  CHECK(lines[0]["intent"] == "vacancy_search");
  CHECK(lines[0]["lang"] == "it");
  CHECK(lines[0]["entities"].is_object());
  CHECK(lines[1]["text"] == "");
  CHECK(lines[1]["intent"] == "out_of_scope");
  CHECK(lines[2]["intent"] == "thanks");
}

TEST_CASE("classify keeps the issue's field order and omits top unless asked") {
  const Run run = Classify({"--now", "2026-11-20"}, "STOP NOTIFICHE\n");
  const std::string& line = run.out;
  const size_t text = line.find("\"text\""), intent = line.find("\"intent\""),
               confidence = line.find("\"confidence\""),
               lang = line.find("\"lang\""),
               entities = line.find("\"entities\"");
  REQUIRE(text == 1);
  CHECK(text < intent);
  CHECK(intent < confidence);
  CHECK(confidence < lang);
  CHECK(lang < entities);
  CHECK(line.find("\"top\"") == std::string::npos);
  CHECK(line.back() == '\n');
  const auto j = Lines(line)[0];
  CHECK(j["intent"] == "notify_off");
  CHECK(j["entities"] == nlohmann::json::object());
  REQUIRE(j["confidence"].is_number());
  CHECK(j["confidence"].get<double>() > 0.5);
  CHECK(j["confidence"].get<double>() <= 1.0);
}

TEST_CASE("classify prints confidences with at most two decimals") {
  const Run run = Classify({}, "vorrei un appuntamento\nboh\n");
  for (const auto& j : Lines(run.out)) {
    const std::string dumped = j["confidence"].dump();
    CAPTURE(dumped);
    const size_t dot = dumped.find('.');
    CHECK((dot == std::string::npos || dumped.size() - dot - 1 <= 2));
  }
}

TEST_CASE("classify with top adds the best intents with confidences") {
  const Run run = Classify({"--top", "3"}, "vorrei cambiare l'appuntamento\n");
  const auto lines = Lines(run.out);
  REQUIRE(lines.size() == 1);
  const auto& top = lines[0]["top"];
  REQUIRE(top.is_array());
  REQUIRE(top.size() == 3);
  CHECK(top[0]["intent"] == lines[0]["intent"]);
  CHECK(top[0]["confidence"] == lines[0]["confidence"]);
  for (const auto& t : top) {
    CHECK(IntentIndex(t["intent"].get<std::string>()) >= 0);
    CHECK(t["confidence"].get<double>() >= 0.0);
  }
  CHECK(Classify({"--top=2"}, "ciao\n").out.find("\"top\":[{") !=
        std::string::npos);
}

TEST_CASE("classify repairs invalid UTF-8 and escapes control characters") {
  const Run run = Classify({}, std::string("ciao\xFF \"bot\"\t\\\x01\n"));
  CHECK(run.code == 0);
  const auto lines = Lines(run.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["text"] == "ciao\xEF\xBF\xBD \"bot\"\t\\\x01");
}

TEST_CASE("classify accepts CRLF lines and a last line without newline") {
  const auto lines = Lines(Classify({}, "ciao\r\ngrazie").out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["text"] == "ciao");
  CHECK(lines[1]["text"] == "grazie");
}

TEST_CASE("classify with no input prints nothing and succeeds") {
  const Run run = Classify({}, "");
  CHECK(run.code == 0);
  CHECK(run.out.empty());
}

TEST_CASE("classify help prints the usage and succeeds") {
  const Run run = Classify({"--help"}, "ciao\n");
  CHECK(run.code == 0);
  CHECK(run.out.find(
            "usage: sportello classify [--now YYYY-MM-DD] [--top K]") == 0);
}

TEST_CASE("classify rejects bad arguments with usage on stderr") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--now", "2026-13-01"},
        {"--now", "ieri"},
        {"--now"},
        {"--top", "0"},
        {"--top", "tre"},
        {"--colour"}}) {
    CAPTURE(args.front());
    const Run run = Classify(args, "ciao\n");
    CHECK(run.code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.find("usage:") != std::string::npos);
  }
}

TEST_CASE("classify with a missing data folder fails with a message") {
  const Run run = Classify({"--data", "/nonexistent/sportello"}, "ciao\n");
  CHECK(run.code == 1);
  CHECK(run.err.find("classify: NotFound") == 0);
}

}  // namespace
}  // namespace sportello::intents
