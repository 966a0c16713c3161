#include "bot/core/status.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace sportello::core {
namespace {

TEST_CASE("a default status is ok and says so") {
  const Status s;
  CHECK(s.ok());
  CHECK(s.code() == Status::Code::kOk);
  CHECK(s.ToString() == "OK");
  CHECK(Status::Ok().ok());
}

TEST_CASE("an error status keeps its code and says what and where") {
  struct Row {
    Status status;
    Status::Code code;
    const char* text;
  };
  const Row rows[] = {
      {Status::InvalidArgument("telegram: message.chat.id missing"),
       Status::Code::kInvalidArgument,
       "InvalidArgument: telegram: message.chat.id missing"},
      {Status::NotFound("user 42"), Status::Code::kNotFound,
       "NotFound: user 42"},
      {Status::AlreadyExists("slot 9"), Status::Code::kAlreadyExists,
       "AlreadyExists: slot 9"},
      {Status::Unavailable("db locked"), Status::Code::kUnavailable,
       "Unavailable: db locked"},
      {Status::Internal("bug"), Status::Code::kInternal, "Internal: bug"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    CHECK_FALSE(row.status.ok());
    CHECK(row.status.code() == row.code);
    CHECK(row.status.ToString() == row.text);
  }
}

TEST_CASE("every status code has a name") {
  CHECK(CodeName(Status::Code::kOk) == "OK");
  CHECK(CodeName(Status::Code::kUnavailable) == "Unavailable");
}

TEST_CASE("a result holding a value is ok and gives the value back") {
  Result<std::string> r(std::string("ciao"));
  REQUIRE(r.ok());
  CHECK(r.value() == "ciao");
  CHECK(*r == "ciao");
  CHECK(r->size() == 4);
  CHECK(r.status().ok());
}

TEST_CASE("a result holding an error is not ok and carries the status") {
  const Result<int> r(Status::NotFound("vacancy 7"));
  CHECK_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  CHECK(r.status().message() == "vacancy 7");
}

TEST_CASE("a result can hand over a move-only value") {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  REQUIRE(r.ok());
  std::unique_ptr<int> taken = std::move(r).value();
  REQUIRE(taken != nullptr);
  CHECK(*taken == 7);
}

}  // namespace
}  // namespace sportello::core
