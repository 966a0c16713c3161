// Entities in a message: city, role, contract, date.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "bot/core/status.h"
#include "intents/engine.h"

namespace sportello::intents {

class EntityExtractor {
 public:
  // Loads the gazetteer (comuni.tsv) and the role catalogue from `data_dir`.
  static core::Result<std::unique_ptr<EntityExtractor>> Load(
      const std::string& data_dir);
  virtual ~EntityExtractor() = default;

  // `text` is the message as the user wrote it. Thread-safe.
  virtual Entities Extract(std::string_view text,
                           std::chrono::year_month_day today) const = 0;
};

}  // namespace sportello::intents
