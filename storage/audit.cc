#include "storage/audit.h"

namespace sportello::storage {

core::Status AppendAudit(Database& db, const AuditEntry& entry) {
  Statement st = db.Prepare(
      "INSERT INTO audit_log(at, actor, action, conversation_id, user_id, "
      "detail, centre_id) VALUES(?, ?, ?, ?, ?, ?, ?)");
  st.Bind(1, entry.at)
      .Bind(2, entry.actor)
      .Bind(3, entry.action)
      .Bind(4, entry.conversation_id)
      .Bind(5, entry.user_id)
      .Bind(6, entry.detail)
      .Bind(7, entry.centre_id);
  return st.Run();
}

core::Result<std::vector<AuditEntry>> ListAudit(
    Database& db, int limit, std::optional<int64_t> before_id) {
  Statement st = db.Prepare(
      "SELECT id, at, actor, action, conversation_id, user_id, detail,"
      " centre_id"
      " FROM audit_log WHERE CAST(?1 AS BIGINT) IS NULL OR id < ?1 ORDER BY id "
      "DESC LIMIT ?2");
  st.Bind(1, before_id).Bind(2, limit);
  std::vector<AuditEntry> out;
  while (st.Step()) {
    AuditEntry e;
    e.id = st.Int(0);
    e.at = st.Int(1);
    e.actor = st.Text(2);
    e.action = st.Text(3);
    e.conversation_id = st.OptionalInt(4);
    e.user_id = st.OptionalInt(5);
    e.detail = st.Text(6);
    e.centre_id = st.OptionalInt(7);
    out.push_back(std::move(e));
  }
  if (!st.status().ok()) return st.status();
  return out;
}

}  // namespace sportello::storage
