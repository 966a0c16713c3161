// Where the engine's data is found: the variable, an installed prefix, or the
// source tree.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "intents/engine.h"

namespace sportello::intents {
namespace {

namespace fs = std::filesystem;

struct Prefix {
  Prefix() {
    root = fs::temp_directory_path() /
           ("sportello-prefix-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "bin");
  }
  ~Prefix() { fs::remove_all(root); }
  fs::path Data() const { return root / "share" / "sportello" / "intents"; }
  void InstallData() const {
    fs::create_directories(Data());
    std::ofstream(Data() / "model.tsv") << "weights\n";
  }
  fs::path root;
};

TEST_CASE("SPORTELLO_INTENTS_DIR names the data folder whatever else exists") {
  Prefix prefix;
  prefix.InstallData();
  CHECK(ResolveDataDir("/srv/intents", prefix.root / "bin" / "sportello") ==
        "/srv/intents");
}

TEST_CASE("an installed binary finds the data under its own prefix") {
  Prefix prefix;
  prefix.InstallData();
  CHECK(ResolveDataDir("", prefix.root / "bin" / "sportello") ==
        prefix.Data().string());
}

TEST_CASE("a binary with no installed data beside it uses the source tree") {
  Prefix prefix;  // bin/ only: a build folder looks like this
  const std::string dir = ResolveDataDir("", prefix.root / "bin" / "sportello");
  CHECK(dir != prefix.Data().string());
  CHECK(fs::is_regular_file(fs::path(dir) / "model.tsv"));
  CHECK(ResolveDataDir("", fs::path()) == dir);  // binary path unknown
}

}  // namespace
}  // namespace sportello::intents
