#include "bot/channels/json_guard.h"

#include <doctest/doctest.h>

#include <string>

using sportello::channels::kMaxJsonDepth;
using sportello::channels::ParseJsonObject;

namespace {

std::string Nested(int depth, char open) {
  // {"a":{"a":...{}...}} or [[[...]]] inside an object.
  std::string s;
  if (open == '{') {
    for (int i = 1; i < depth; ++i) s += "{\"a\":";
    s += "{}";
    s += std::string(depth - 1, '}');
  } else {
    s = "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') +
        "}";
  }
  return s;
}

bool Rejected(std::string_view body) {
  const auto doc = ParseJsonObject(body);
  return !doc.ok() &&
         doc.status().code() == sportello::core::Status::Code::kInvalidArgument;
}

}  // namespace

TEST_CASE("a json object is parsed") {
  const auto doc =
      ParseJsonObject(R"({"update_id": 7, "message": {"text": "ciao"}})");
  REQUIRE(doc.ok());
  CHECK((*doc)["update_id"] == 7);
  CHECK((*doc)["message"]["text"] == "ciao");
}

TEST_CASE("anything but a json object at the top is rejected") {
  CHECK(Rejected(""));
  CHECK(Rejected("[]"));
  CHECK(Rejected("[{\"a\":1}]"));
  CHECK(Rejected("\"ciao\""));
  CHECK(Rejected("42"));
  CHECK(Rejected("null"));
  CHECK(Rejected("true"));
}

TEST_CASE("malformed json is rejected") {
  CHECK(Rejected("{"));
  CHECK(Rejected("{\"a\":}"));
  CHECK(Rejected("{'a':1}"));
  CHECK(Rejected("{\"a\":1,}"));
  CHECK(Rejected("not json at all"));
}

TEST_CASE("nan infinity comments and trailing junk are rejected") {
  CHECK(Rejected("{\"a\":NaN}"));
  CHECK(Rejected("{\"a\":Infinity}"));
  CHECK(Rejected("{\"a\":1e400}"));
  CHECK(Rejected("{\"a\":1} x"));
  CHECK(Rejected("{\"a\":1}{\"b\":2}"));
  CHECK(Rejected("{\"a\":1} // comment"));
  CHECK(Rejected("/* c */ {\"a\":1}"));
}

TEST_CASE("a nul byte anywhere is rejected even after a complete object") {
  // nlohmann's lexer reads NUL as the end of input: found by json_guard_fuzz.
  CHECK(Rejected(std::string("{}\0junk", 7)));
  CHECK(Rejected(std::string("{\"a\":\"x\0y\"}", 11)));
}

TEST_CASE("whitespace around the object is accepted") {
  CHECK(ParseJsonObject(" \n{\"a\":1}\r\n\t ").ok());
}

TEST_CASE("invalid utf-8 inside strings is rejected") {
  CHECK(Rejected("{\"a\":\"\xff\"}"));
  CHECK(Rejected("{\"a\":\"\xc3\"}"));              // truncated sequence
  CHECK(Rejected("{\"a\":\"\xc0\xaf\"}"));          // overlong "/"
  CHECK(Rejected("{\"a\":\"\xed\xa0\x80\"}"));      // encoded surrogate
  CHECK(Rejected("{\"a\":\"\xf4\x90\x80\x80\"}"));  // above U+10FFFF
  CHECK(Rejected("{\"\xff\":1}"));                  // in a key
  CHECK(Rejected("{\"a\":\"\\ud800\"}"));           // lone escaped surrogate
}

TEST_CASE("valid utf-8 and escapes are kept") {
  const auto doc = ParseJsonObject(
      "{\"a\":\"caff\xc3\xa8 \xf0\x9f\x98\x80 \\u00e8 \\ud83d\\ude00\"}");
  REQUIRE(doc.ok());
  CHECK((*doc)["a"] ==
        "caff\xc3\xa8 \xf0\x9f\x98\x80 \xc3\xa8 \xf0\x9f\x98\x80");
}

TEST_CASE(
    "nesting up to the limit is accepted and one level more is rejected") {
  CHECK(ParseJsonObject(Nested(kMaxJsonDepth, '{')).ok());
  CHECK(Rejected(Nested(kMaxJsonDepth + 1, '{')));
  CHECK(ParseJsonObject(Nested(kMaxJsonDepth, '[')).ok());
  CHECK(Rejected(Nested(kMaxJsonDepth + 1, '[')));
  CHECK(ParseJsonObject(Nested(3, '{'), 3).ok());
  CHECK(!ParseJsonObject(Nested(4, '{'), 3).ok());
}

TEST_CASE("ten thousand levels of nesting are rejected without recursion") {
  CHECK(Rejected(Nested(10000, '{')));
  CHECK(Rejected(Nested(10000, '[')));
  CHECK(Rejected("{\"a\":" + std::string(10000, '[')));  // unterminated as well
  // A copy, dump and destruction of the deepest accepted document is fine.
  auto doc = ParseJsonObject(Nested(kMaxJsonDepth, '['));
  REQUIRE(doc.ok());
  const nlohmann::json copy = *doc;
  CHECK(copy.dump().size() == Nested(kMaxJsonDepth, '[').size());
}

TEST_CASE("brackets inside strings do not count as nesting") {
  const std::string brackets(10000, '[');
  CHECK(ParseJsonObject("{\"a\":\"" + brackets + "\"}").ok());
  // An escaped quote does not end the string early.
  CHECK(ParseJsonObject("{\"a\":\"\\\"" + brackets + "\"}").ok());
  // An escaped backslash before the closing quote does end it.
  CHECK(ParseJsonObject("{\"a\":\"\\\\\",\"b\":[[1]]}").ok());
  CHECK(Rejected("{\"a\":\"\\\\\",\"b\":" + std::string(100, '[') +
                 std::string(100, ']') + "}"));
}

TEST_CASE("a body over the byte limit is rejected before parsing") {
  const std::string body = "{\"a\":\"" + std::string(100, 'x') + "\"}";
  CHECK(ParseJsonObject(body, kMaxJsonDepth, body.size()).ok());
  CHECK(!ParseJsonObject(body, kMaxJsonDepth, body.size() - 1).ok());
}

TEST_CASE("the rejection reason says what is wrong") {
  CHECK(ParseJsonObject("[]").status().message() ==
        "json: top level is not an object");
  CHECK(ParseJsonObject(Nested(100, '{')).status().message() ==
        "json: nested deeper than 64");
}
