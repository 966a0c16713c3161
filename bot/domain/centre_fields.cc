#include "bot/domain/centre_fields.h"

#include <string_view>

#include "bot/domain/holidays.h"
#include "bot/domain/opening_hours.h"
#include "storage/appointments.h"

namespace sportello {
namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool Digits(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A text field set to one line of at most `max` bytes.
bool OneLine(const std::optional<std::string>& value, size_t max) {
  return !value || (!HasControl(*value) && value->size() <= max);
}

}  // namespace

std::optional<CentreFieldError> CheckCentreChanges(storage::CentreChanges& c,
                                                   const Comuni& comuni) {
  if (!OneLine(c.name, 100) || (c.name && c.name->empty()))
    return CentreFieldError{"name", "1-100 characters, on one line"};
  for (const auto& [field, value] :
       {std::pair{"address", &c.address}, std::pair{"hours", &c.hours},
        std::pair{"contacts", &c.contacts}}) {
    if (!OneLine(*value, 500))
      return CentreFieldError{field, "at most 500 characters, on one line"};
  }
  if (!OneLine(c.opening_hours, 500))
    return CentreFieldError{"opening_hours", "one line"};
  if (c.opening_hours && !c.opening_hours->empty()) {
    if (auto parsed = ParseOpeningHours(*c.opening_hours); !parsed.ok())
      return CentreFieldError{"opening_hours", parsed.status().message()};
  }
  if (!OneLine(c.closures, 2000))
    return CentreFieldError{"closures", "one line"};
  if (c.closures && !c.closures->empty()) {
    if (auto parsed = ClosedDays::Parse(*c.closures); !parsed.ok())
      return CentreFieldError{"closures", parsed.status().message()};
  }
  if (c.services) {
    for (const std::string& code : *c.services) {
      if (code.empty() || !OneLine(code, 100))
        return CentreFieldError{"services", "a service code is one word"};
    }
  }
  for (const auto& [field, value] :
       {std::pair{"telegram_bot_id", &c.telegram_bot_id},
        std::pair{"whatsapp_phone_number_id", &c.whatsapp_phone_number_id}}) {
    if (*value && !(*value)->empty() && !Digits(**value))
      return CentreFieldError{field, "a number (1-32 digits)"};
  }
  if (c.comuni) {
    std::vector<std::string> codes;
    for (const std::string& item : *c.comuni) {
      const auto found = item.size() > 100
                             ? std::vector<const Comuni::Comune*>{}
                             : comuni.Find(item);
      if (found.empty())
        return CentreFieldError{"comuni", "no comune '" + item + "'"};
      if (found.size() > 1) {
        std::string which;
        for (const Comuni::Comune* one : found)
          (which += which.empty() ? "" : ", ") +=
              one->istat + " (" + one->province + ")";
        return CentreFieldError{"comuni", "'" + item + "' is several comuni: " +
                                              which + "; give the ISTAT code"};
      }
      codes.push_back(found.front()->istat);
    }
    c.comuni = std::move(codes);
  }
  return std::nullopt;
}

core::Result<std::optional<CentreFieldError>> CheckCentreServices(
    storage::Database& db, const std::vector<std::string>& codes) {
  auto services = storage::ListServices(db);
  if (!services.ok()) return services.status();
  for (const std::string& code : codes) {
    bool known = false;
    for (const auto& s : *services) known = known || s.code == code;
    if (known) continue;
    std::string list;
    for (const auto& s : *services)
      (list += list.empty() ? "" : ", ") += s.code;
    return std::optional<CentreFieldError>(CentreFieldError{
        "services", "no service '" + code + "' (" + list + ")"});
  }
  return std::optional<CentreFieldError>();
}

}  // namespace sportello
