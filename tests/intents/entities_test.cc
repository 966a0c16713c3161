// EntityExtractor as a whole: loading its data, odd input, threads.
#include "intents/entities.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "intents/engine.h"

namespace sportello::intents {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::year_month_day kToday{
    std::chrono::year(2026), std::chrono::month(11), std::chrono::day(18)};

const EntityExtractor& Extractor() {
  static const std::unique_ptr<EntityExtractor> extractor = [] {
    auto loaded = EntityExtractor::Load(DefaultDataDir());
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
  }();
  return *extractor;
}

bool IsEmpty(const Entities& e) {
  return !e.city && !e.role && !e.contract && !e.date;
}

// A data folder in the temporary directory, with copies of the real files
// unless a test overwrites one. Removed on destruction.
class DataCopy {
 public:
  DataCopy()
      : dir_(fs::temp_directory_path() /
             ("entities_test_" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* name : {"comuni.tsv", "city_aliases.tsv",
                             "city_common_words.txt", "roles.tsv"}) {
      fs::copy_file(fs::path(DefaultDataDir()) / name, dir_ / name);
    }
  }
  ~DataCopy() { fs::remove_all(dir_); }
  void Write(const char* name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::trunc) << text;
  }
  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

TEST_CASE("one message can carry every entity") {
  const Entities e = Extractor().Extract(
      "cerco lavoro come cameriera a Molfetta part time da lunedì", kToday);
  CHECK(e.city == "Molfetta");
  CHECK(e.role == "cameriere");
  CHECK(e.contract == "part_time");
  CHECK(e.date == "2026-11-23");
}

TEST_CASE("empty and entity-free messages give no entities") {
  for (const char* text :
       {"", " ", "ciao", "grazie mille!!", "ok", "?!?!", "👍👍👍", "🇮🇹"}) {
    CAPTURE(text);
    CHECK(IsEmpty(Extractor().Extract(text, kToday)));
  }
}

TEST_CASE("invalid UTF-8 is tolerated and the words around it still count") {
  const Entities e = Extractor().Extract(
      "\xff\xfe lavoro a Bari \xc3 domani \xe2\x82", kToday);
  CHECK(e.city == "Bari");
  CHECK(e.date == "2026-11-19");
  const std::string with_nul("lavoro\0a Bari", 13);
  CHECK(Extractor().Extract(with_nul, kToday).city == "Bari");
}

TEST_CASE("a 4096 character message is handled") {
  std::string text;
  while (text.size() < 4096) text += "bla bla lavoro ";
  text.resize(4096);
  CHECK(IsEmpty(Extractor().Extract(text, kToday)));
  std::string long_word(4096, 'a');
  CHECK(IsEmpty(Extractor().Extract(long_word, kToday)));
  std::string cues;
  while (cues.size() < 4096) cues += "a molfeta ";
  CHECK(Extractor().Extract(cues, kToday).city == "Molfetta");
}

TEST_CASE("extraction gives the same answers from several threads at once") {
  const std::vector<std::string> texts = {
      "lavoro a Bari", "cameriera a molfeta domani", "stage a Milan",
      "3/12 part time", "ciao"};
  std::vector<Entities> expected;
  for (const std::string& t : texts) {
    expected.push_back(Extractor().Extract(t, kToday));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const Entities e = Extractor().Extract(texts[i], kToday);
          if (e.city != expected[i].city || e.role != expected[i].role ||
              e.contract != expected[i].contract ||
              e.date != expected[i].date) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) CHECK(m == 0);
}

TEST_CASE("loading from a folder without the data fails with NotFound") {
  const auto loaded = EntityExtractor::Load("/nonexistent/sportello");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().code() == core::Status::Code::kNotFound);
  CHECK(loaded.status().message().find("roles.tsv") != std::string::npos);
}

TEST_CASE("a malformed role line is reported with its file and line") {
  const DataCopy data;
  data.Write("roles.tsv",
             "# roles\ncameriere\tcameriera\nbarista\tbarman\textra field\n");
  const auto loaded = EntityExtractor::Load(data.path());
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().code() == core::Status::Code::kInvalidArgument);
  CHECK(loaded.status().message().find("roles.tsv:3") != std::string::npos);
}

TEST_CASE("an alias of an unknown comune is reported") {
  const DataCopy data;
  data.Write("city_aliases.tsv", "milan\tMilano\natlantis\tAtlantide\n");
  const auto loaded = EntityExtractor::Load(data.path());
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().message().find("city_aliases.tsv:2") !=
        std::string::npos);
  CHECK(loaded.status().message().find("Atlantide") != std::string::npos);
}

TEST_CASE("staff can add a role by editing roles.tsv") {
  const DataCopy data;
  data.Write("roles.tsv", "astronauta\tastronaute, astronaut\n");
  const auto loaded = EntityExtractor::Load(data.path());
  REQUIRE(loaded.ok());
  CHECK((*loaded)->Extract("cerco lavoro come astronaut", kToday).role ==
        "astronauta");
  CHECK((*loaded)->Extract("cerco lavoro come cameriere", kToday).role ==
        std::nullopt);
}

TEST_CASE("the gazetteer has every comune of comuni.tsv") {
  // One per region is enough to see the file was read whole, to its last line.
  for (const char* name :
       {"Abano Terme", "Zungri", "Aosta", "Bolzano", "Cagliari", "Palermo",
        "Trieste", "Campobasso", "Potenza", "L'Aquila"}) {
    CAPTURE(name);
    CHECK(Extractor().Extract(std::string("lavoro a ") + name, kToday).city ==
          name);
  }
}

}  // namespace
}  // namespace sportello::intents
