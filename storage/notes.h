// Counsellors' internal notes on a conversation: read in the console, never
// sent to the person.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

struct Note {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::string author;  // staff username
  std::string text;
  int64_t created_at = 0;
};

core::Result<int64_t> AddNote(Database& db, int64_t conversation_id,
                              std::string_view author, std::string_view text,
                              int64_t now_ms);
// Oldest first.
core::Result<std::vector<Note>> ConversationNotes(Database& db,
                                                  int64_t conversation_id);

}  // namespace sportello::storage
