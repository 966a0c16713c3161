// Files compiled into the binary (bot/web/assets/*, bot/domain/catalog/*.json).
#pragma once

#include <optional>
#include <string_view>

namespace sportello {

// The contents of the embedded file called `name` ("chat.html", "it.json").
std::optional<std::string_view> EmbeddedFile(std::string_view name);

}  // namespace sportello
