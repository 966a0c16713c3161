#include "storage/notes.h"

namespace sportello::storage {

core::Result<int64_t> AddNote(Database& db, int64_t conversation_id,
                              std::string_view author, std::string_view text,
                              int64_t now_ms) {
  Statement st = db.Prepare(
      "INSERT INTO conversation_notes(conversation_id, author, text, "
      "created_at) VALUES(?, ?, ?, ?)");
  st.Bind(1, conversation_id).Bind(2, author).Bind(3, text).Bind(4, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.LastInsertRowId();
}

core::Result<std::vector<Note>> ConversationNotes(Database& db,
                                                  int64_t conversation_id) {
  Statement st = db.Prepare(
      "SELECT id, conversation_id, author, text, created_at"
      " FROM conversation_notes WHERE conversation_id = ? ORDER BY id");
  st.Bind(1, conversation_id);
  std::vector<Note> out;
  while (st.Step()) {
    out.push_back({st.Int(0), st.Int(1), st.Text(2), st.Text(3), st.Int(4)});
  }
  if (!st.status().ok()) return st.status();
  return out;
}

}  // namespace sportello::storage
