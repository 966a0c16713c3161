#include "storage/centre_scope.h"

#include <algorithm>

namespace sportello::storage {

bool CentreScope::Includes(int64_t centre) const {
  return every() ||
         std::find(centres->begin(), centres->end(), centre) != centres->end();
}

std::string CentreCondition(std::string_view column, const CentreScope& scope,
                            bool regional_too) {
  if (scope.every()) return "1 = 1";
  std::string in;
  for (int64_t id : *scope.centres)
    (in += in.empty() ? "" : ", ") += std::to_string(id);
  const std::string col(column);
  const std::string listed = in.empty() ? "1 = 0" : col + " IN (" + in + ")";
  if (!regional_too) return "(" + listed + ")";
  return "(" + col + " IS NULL OR " + listed + ")";
}

}  // namespace sportello::storage
