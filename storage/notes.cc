#include "storage/notes.h"

namespace sportello::storage {

core::Result<int64_t> AddNote(Database& db, int64_t conversation_id,
                              std::string_view author, std::string_view text,
                              int64_t now_ms) {
  Statement st = db.Prepare(
      "INSERT INTO conversation_notes(conversation_id, author, text, "
      "created_at) VALUES(?, ?, ?, ?) RETURNING id");
  st.Bind(1, conversation_id).Bind(2, author).Bind(3, text).Bind(4, now_ms);
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  if (!st.status().ok()) return st.status();
  if (!id) return core::Status::Internal("notes: insert returned no id");
  return *id;
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
