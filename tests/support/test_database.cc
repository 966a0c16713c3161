#include "tests/support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string_view>

namespace sportello::support {
namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "test database: %s\n", why.c_str());
  std::abort();
}

}  // namespace

bool TestOnPostgres() {
  const char* engine = std::getenv("SPORTELLO_TEST_ENGINE");
  return engine != nullptr && std::string_view(engine) == "postgresql";
}

std::string FreshPostgresSchema() {
  const char* base = std::getenv("SPORTELLO_TEST_PG");
  if (base == nullptr || *base == '\0') return "";
  static std::atomic<int> counter{0};
  const std::string schema = "t" + std::to_string(::getpid()) + "_" +
                             std::to_string(counter.fetch_add(1));
  auto admin = storage::Database::Open(base);
  if (!admin.ok()) Fail(admin.status().ToString());
  if (auto s = (*admin)->Exec("DROP SCHEMA IF EXISTS " + schema +
                              " CASCADE; CREATE SCHEMA " + schema);
      !s.ok()) {
    Fail(s.ToString());
  }
  // Every connection to the URI starts in the new schema; public stays
  // reachable for the extensions installed there.
  std::string uri = base;
  uri += uri.find('?') == std::string::npos ? '?' : '&';
  uri += "options=-c%20search_path%3D" + schema + "%2Cpublic";
  return uri;
}

std::string TestDatabaseAt(const std::string& sqlite_path) {
  if (!TestOnPostgres()) return sqlite_path;
  static std::mutex mu;
  static std::map<std::string, std::string> made;
  std::lock_guard<std::mutex> lock(mu);
  if (!sqlite_path.empty()) {
    if (auto it = made.find(sqlite_path); it != made.end()) return it->second;
  }
  std::string uri = FreshPostgresSchema();
  if (uri.empty()) {
    Fail(
        "SPORTELLO_TEST_ENGINE=postgresql needs SPORTELLO_TEST_PG "
        "(scripts/pg-cluster start)");
  }
  if (!sqlite_path.empty()) made[sqlite_path] = uri;
  return uri;
}

core::Result<std::unique_ptr<storage::Database>> OpenTestDatabase() {
  if (!TestOnPostgres()) return storage::Database::OpenInMemory();
  return storage::Database::Open(TestDatabaseAt(""));
}

}  // namespace sportello::support
