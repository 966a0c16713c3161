#include "bot/channels/json_access.h"

#include <cmath>
#include <limits>

namespace sportello::channels::json_access {
namespace {

core::Status Missing(std::string_view path) {
  return core::Status::InvalidArgument(std::string(path) + " missing");
}

core::Status WrongType(std::string_view path, std::string_view type) {
  return core::Status::InvalidArgument(std::string(path) + " is not " +
                                       std::string(type));
}

}  // namespace

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<int64_t> AsInt64(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<Json::number_unsigned_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<Json::number_integer_t>();
  return std::nullopt;
}

core::Result<int64_t> RequireInt64(const Json& obj, std::string_view key,
                                   std::string_view path) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->is_null()) return Missing(path);
  if (auto i = AsInt64(*v)) return *i;
  return WrongType(path, "an integer");
}

core::Result<std::string> RequireString(const Json& obj, std::string_view key,
                                        std::string_view path) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->is_null()) return Missing(path);
  if (!v->is_string()) return WrongType(path, "a string");
  return v->get_ref<const Json::string_t&>();
}

core::Result<const Json*> RequireObject(const Json& obj, std::string_view key,
                                        std::string_view path) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->is_null()) return Missing(path);
  if (!v->is_object()) return WrongType(path, "an object");
  return v;
}

core::Result<double> RequireNumber(const Json& obj, std::string_view key,
                                   std::string_view path) {
  const Json* v = Find(obj, key);
  if (v == nullptr || v->is_null()) return Missing(path);
  if (!v->is_number()) return WrongType(path, "a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) return WrongType(path, "a finite number");
  return d;
}

std::string OptionalString(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr || !v->is_string()) return "";
  return v->get_ref<const Json::string_t&>();
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sportello::channels::json_access
