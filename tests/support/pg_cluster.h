// A PostgreSQL cluster of a test's own (scripts/pg-cluster), for tests that
// stop the server under a running service: the suite's shared cluster must
// stay up for everyone else.
#pragma once

#include <string>

namespace sportello::support {

class PgCluster {
 public:
  // Starts a cluster; ok() says whether it came up (why not: error()).
  PgCluster();
  // Stops it and removes its files.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  bool ok() const { return !uri_.empty(); }
  const std::string& error() const { return error_; }
  // postgresql://sportello:<password>@127.0.0.1:<port>/sportello
  const std::string& uri() const { return uri_; }

  // Stops the server at once, as a crash would; Up() starts it again on the
  // same port. True on success.
  bool Down();
  bool Up();

 private:
  std::string uri_;
  std::string dir_;
  std::string error_;
};

}  // namespace sportello::support
