// Small named values the service keeps across restarts (e.g. the Telegram
// long-polling offset).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

core::Result<std::optional<std::string>> GetSetting(Database& db,
                                                    std::string_view key);
core::Status PutSetting(Database& db, std::string_view key,
                        std::string_view value);

}  // namespace sportello::storage
