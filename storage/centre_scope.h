// Which centres' rows a console caller may see and act on: their centres,
// or every centre for a regional admin. The console's queries take a scope
// and put it in their WHERE clause, so another centre's row is never read
// (an id of another centre looks exactly like an id that does not exist).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::storage {

struct CentreScope {
  // nullopt: every centre (a regional admin). Otherwise these centres only;
  // empty: none at all.
  std::optional<std::vector<int64_t>> centres;

  static CentreScope Every() { return {}; }
  static CentreScope Only(std::vector<int64_t> ids) { return {std::move(ids)}; }
  bool every() const { return !centres.has_value(); }
  bool Includes(int64_t centre) const;
};

// The scope as an SQL condition on `column` (a column or an expression of
// the query): "1 = 1", "1 = 0" or "<column> IN (2, 5)". Rows whose column is
// NULL (regional ones) match when `regional_too`. The ids are written as
// numbers into the text: they are int64 values, never a client's text.
std::string CentreCondition(std::string_view column, const CentreScope& scope,
                            bool regional_too = false);

}  // namespace sportello::storage
