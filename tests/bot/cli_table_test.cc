// The command table of the sportello binary: what `--help` lists and what
// README.md's Commands section says are written from the same entries.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "bot/app/cli/cli.h"

namespace sportello::testing {
namespace {

// "sportello slots add ARGS", the help from column 30 (on its own line when
// the command is longer).
std::string ReadmeLine(std::string head, std::string_view args,
                       std::string_view help) {
  constexpr size_t kHelpColumn = 30;
  if (!args.empty()) (head += ' ') += args;
  if (head.size() + 2 > kHelpColumn) {
    head += '\n';
    head.append(kHelpColumn, ' ');
  } else {
    head.resize(kHelpColumn, ' ');
  }
  return (head += help) += '\n';
}

// README's Commands list, as the table says it.
std::string ReadmeCommands() {
  std::string out;
  for (const cli::Command& c : cli::Commands()) {
    const std::string name = "sportello " + std::string(c.name);
    if (!c.verbs) {
      out += ReadmeLine(name, c.args, c.help);
      continue;
    }
    for (const cli::Command& v : c.verbs())
      out += ReadmeLine(name + " " + std::string(v.name), v.args, v.help);
  }
  return out + "sportello --version | <command> --help\n";
}

std::string ReadmeSection() {
  std::ifstream in(std::filesystem::path(SPORTELLO_SOURCE_DIR) / "README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string open = "## Commands\n\n```\n";
  const size_t start = readme.find(open);
  if (start == std::string::npos) return "";
  const size_t body = start + open.size();
  return readme.substr(body, readme.find("```", body) - body);
}

void CheckTable(std::span<const cli::Command> table) {
  std::set<std::string_view> names;
  for (const cli::Command& c : table) {
    CAPTURE(c.name);
    CHECK(names.insert(c.name).second);
    CHECK(!c.help.empty());
    CHECK(c.help.find('\n') == std::string_view::npos);
    const bool has_function = c.run != nullptr;
    CHECK(has_function);
  }
}

TEST_CASE("every command and verb has a unique name and a one-line help") {
  CheckTable(cli::Commands());
  for (const cli::Command& c : cli::Commands()) {
    CAPTURE(c.name);
    if (c.verbs) CheckTable(c.verbs());
  }
}

TEST_CASE("sportello --help lists every command with its help") {
  const std::string usage = cli::Usage();
  for (const cli::Command& c : cli::Commands()) {
    CAPTURE(c.name);
    CHECK(usage.find("  " + std::string(c.name) + " ") != std::string::npos);
    CHECK(usage.find(c.help) != std::string::npos);
  }
}

TEST_CASE("README's Commands list is the one the command table gives") {
  CHECK(ReadmeSection() == ReadmeCommands());
}

}  // namespace
}  // namespace sportello::testing
