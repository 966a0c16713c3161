#include "intents/entities/roles.h"

#include <string_view>

#include "intents/entities/data_file.h"

namespace sportello::intents::entities {

core::Result<Catalogue> LoadRoles(const std::string& path) {
  Catalogue roles(/*min_typo_word=*/7, kStartsRole);
  core::Status read = ForEachDataLine(
      path,
      [&](int line,
          const std::vector<std::string_view>& fields) -> core::Status {
        const std::string_view role = fields[0];
        if (role.empty() || fields.size() > 2) {
          return core::Status::InvalidArgument(
              Where(path, line) + "expected role<TAB>form, form, ...");
        }
        const bool names_nothing =
            role == "-";  // "-<TAB>informatica": not a role
        if (!names_nothing) roles.Add(role, role);
        if (fields.size() < 2) return core::Status::Ok();
        const std::string_view forms = fields[1];
        for (size_t pos = 0; pos <= forms.size();) {
          size_t comma = forms.find(',', pos);
          if (comma == std::string_view::npos) comma = forms.size();
          roles.Add(names_nothing ? "" : role, forms.substr(pos, comma - pos));
          pos = comma + 1;
        }
        return core::Status::Ok();
      });
  if (!read.ok()) return read;
  return roles;
}

}  // namespace sportello::intents::entities
