// People who wrote to us, one row per channel identity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

struct User {
  int64_t id = 0;
  std::string channel;
  std::string external_id;  // Telegram user id, WhatsApp wa_id, web user
  std::string chat_id;      // where replies go
  std::string name;
  std::string language;      // "it" / "en", "" until known
  bool blocked = false;      // the person blocked the bot
  bool unreachable = false;  // the channel says we cannot reach them
  std::optional<std::string> consent_version;
  std::optional<int64_t> consent_at;
  bool notify = false;  // opted in to notices
  int64_t created_at = 0;
  std::optional<int64_t> last_inbound_at;
  // The channel account they last wrote to, when not the configured one:
  // a centre's own WhatsApp number (its phone_number_id). "" otherwise.
  std::string account;
};

// The user behind an inbound message: created on first contact; on each
// message the last-inbound time (WhatsApp's 24 h window) moves, a given name
// replaces the stored one, and a person who writes again is reachable again.
core::Result<User> UpsertUserOnInbound(Database& db, std::string_view channel,
                                       std::string_view external_id,
                                       std::string_view chat_id,
                                       std::string_view name, int64_t now_ms);

core::Result<std::optional<User>> FindUser(Database& db,
                                           std::string_view channel,
                                           std::string_view external_id);
core::Result<std::optional<User>> FindUserById(Database& db, int64_t id);
// By where replies go (Telegram chat id, wa_id).
core::Result<std::optional<User>> FindUserByChat(Database& db,
                                                 std::string_view channel,
                                                 std::string_view chat_id);

core::Status SetUserBlocked(Database& db, int64_t user_id, bool blocked);
core::Status SetUserUnreachable(Database& db, int64_t user_id,
                                bool unreachable);
core::Status SetUserLanguage(Database& db, int64_t user_id,
                             std::string_view language);
// The account replies go from (User::account).
core::Status SetUserAccount(Database& db, int64_t user_id,
                            std::string_view account);

}  // namespace sportello::storage
