// For test cases that need the suite's PostgreSQL cluster whatever the
// engine under test (db copy's target, the PostgreSQL connection itself).
// Header-only because it reports through doctest, which only the test
// binaries link.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <string_view>

namespace sportello::support {

// True when SPORTELLO_TEST_PG names a cluster (scripts/pg-cluster start).
// Without one the calling case should return: it is skipped, with a
// message, unless SPORTELLO_REQUIRE_PG=1 (scripts/test sets it) says the
// cluster must be there, and then its absence fails the case.
inline bool HavePostgresCluster() {
  const char* uri = std::getenv("SPORTELLO_TEST_PG");
  if (uri != nullptr && *uri != '\0') return true;
  const char* required = std::getenv("SPORTELLO_REQUIRE_PG");
  REQUIRE_MESSAGE((required == nullptr || std::string_view(required) != "1"),
                  "SPORTELLO_TEST_PG is not set (scripts/pg-cluster start)");
  MESSAGE("no PostgreSQL test cluster: SPORTELLO_TEST_PG unset, skipped");
  return false;
}

}  // namespace sportello::support
