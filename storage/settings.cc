#include "storage/settings.h"

namespace sportello::storage {

core::Result<std::optional<std::string>> GetSetting(Database& db,
                                                    std::string_view key) {
  Statement& st = db.Cached("SELECT value FROM settings WHERE key = ?");
  st.Bind(1, key);
  std::optional<std::string> value;
  if (st.Step()) value = st.Text(0);
  const core::Status status = st.status();
  st.Reset();  // ends the read transaction (see FindOne in users.cc)
  if (!status.ok()) return status;
  return value;
}

core::Status PutSetting(Database& db, std::string_view key,
                        std::string_view value) {
  Statement& st = db.Cached(
      "INSERT INTO settings(key, value) VALUES(?, ?)"
      " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.Bind(1, key).Bind(2, value);
  return st.Run();
}

}  // namespace sportello::storage
