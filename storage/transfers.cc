#include "storage/transfers.h"

#include <string>

namespace sportello::storage {

core::Status MoveConversation(Database& db, int64_t conversation_id,
                              int64_t centre_id, int64_t now_ms) {
  Statement st = db.Prepare(
      "UPDATE conversations SET centre_id = ?2, updated_at = ?3"
      " WHERE id = ?1");
  st.Bind(1, conversation_id).Bind(2, centre_id).Bind(3, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("conversations: no conversation " +
                                  std::to_string(conversation_id));
  }
  return core::Status::Ok();
}

}  // namespace sportello::storage
