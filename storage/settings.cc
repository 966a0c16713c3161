#include "storage/settings.h"

namespace sportello::storage {

core::Result<std::optional<std::string>> GetSetting(Database& db, std::string_view key) {
  Statement& st = db.Cached("SELECT value FROM settings WHERE key = ?");
  st.Bind(1, key);
  if (st.Step()) return std::optional<std::string>(st.Text(0));
  if (!st.status().ok()) return st.status();
  return std::optional<std::string>();
}

core::Status PutSetting(Database& db, std::string_view key, std::string_view value) {
  Statement& st = db.Cached(
      "INSERT INTO settings(key, value) VALUES(?, ?)"
      " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.Bind(1, key).Bind(2, value);
  return st.Run();
}

}  // namespace sportello::storage
