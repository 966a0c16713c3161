#include "bot/channels/json_guard.h"

#include <exception>
#include <string>

namespace sportello::channels {
namespace {

// The deepest nesting of arrays and objects in `body`, stopping early once it
// passes `limit`. Brackets inside strings don't count; a backslash escapes the
// next byte, so "\"[" stays inside its string. Malformed input may give any
// number here: the parser rejects it afterwards.
int NestingDepth(std::string_view body, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return deepest;
        }
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

}  // namespace

core::Result<nlohmann::json> ParseJsonObject(std::string_view body,
                                             int max_depth, size_t max_bytes) {
  using core::Status;
  if (body.empty()) return Status::InvalidArgument("json: empty body");
  if (body.size() > max_bytes) {
    return Status::InvalidArgument(
        "json: body of " + std::to_string(body.size()) + " bytes exceeds " +
        std::to_string(max_bytes));
  }
  // nlohmann's lexer takes a NUL byte for the end of input and would accept
  // "{}\0junk"; JSON text never holds a raw NUL (not even inside strings).
  if (body.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("json: NUL byte in body");
  }
  if (NestingDepth(body, max_depth) > max_depth) {
    return Status::InvalidArgument("json: nested deeper than " +
                                   std::to_string(max_depth));
  }
  try {
    // No callback, no exceptions, strict: trailing junk and comments are
    // errors; the lexer rejects invalid UTF-8 and unpaired surrogates inside
    // strings.
    nlohmann::json doc =
        nlohmann::json::parse(body.begin(), body.end(), nullptr,
                              /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      return Status::InvalidArgument(
          "json: malformed (syntax, invalid UTF-8 or trailing data)");
    }
    if (!doc.is_object())
      return Status::InvalidArgument("json: top level is not an object");
    return doc;
  } catch (const std::exception& e) {  // bad_alloc: nothing else is thrown here
    return Status::InvalidArgument(std::string("json: ") + e.what());
  }
}

}  // namespace sportello::channels
