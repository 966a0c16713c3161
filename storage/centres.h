// The centres of one deployment and who works for which. A deployment with
// one centre has centre 1 only (every database has it, from the migration
// that brought centres in); a region has one row per centre. Centres are
// disabled, never deleted: conversations, slots and logs keep naming them.
//
// Texts are stored as given: what they must look like (opening hours,
// closures, ISTAT codes that exist, service codes) is checked by the
// callers, which know the rules (bot/domain). The writes of several
// statements (AddCentre, EditCentre, SetStaffCentres) need a transaction
// open on `db` and leave nothing half-done when they fail. Not thread-safe
// by itself: one Database, one thread at a time, as everywhere in storage/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/core/status.h"
#include "storage/database.h"

namespace sportello::storage {

// The centre every row without a centre of its own belongs to, and the one
// a single-centre deployment has.
inline constexpr int64_t kFirstCentre = 1;

struct Centre {
  int64_t id = 0;
  std::string name;
  std::string address;
  std::string hours;          // as told to people: "lun-ven 9:00-13:00"
  std::string opening_hours;  // bot/domain/opening_hours.h; "" = not set
  std::string closures;       // bot/domain/holidays.h; "" = not set
  std::string contacts;
  std::vector<std::string> services;  // service codes; empty = every service
  // Which configured channel account is the centre's own (never a token).
  std::optional<std::string> telegram_bot_id;
  std::optional<std::string> whatsapp_phone_number_id;
  // Name, address, hours, opening hours, closures and contacts follow the
  // configuration (SPORTELLO_CENTRE_*) until edited here: centre 1 only.
  bool from_config = false;
  bool disabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<std::string> comuni;  // ISTAT codes served, sorted
};

// What `sportello centres edit` may change: each field set is written, the
// others are left. An empty channel id clears it.
struct CentreChanges {
  std::optional<std::string> name, address, hours, opening_hours, closures,
      contacts;
  std::optional<std::vector<std::string>> services;
  std::optional<std::string> telegram_bot_id, whatsapp_phone_number_id;
  std::optional<std::vector<std::string>> comuni;
};

// Adds a centre from `centre`'s fields (its id, from_config, disabled and
// times are ignored) with the comuni it lists; returns its id.
// AlreadyExists when the name or a channel id is another centre's, or a
// comune is served by another enabled centre (the message names it).
core::Result<int64_t> AddCentre(Database& db, const Centre& centre,
                                int64_t now_ms);

// Every centre by id, disabled ones only when `with_disabled`.
core::Result<std::vector<Centre>> ListCentres(Database& db, bool with_disabled);
core::Result<std::optional<Centre>> FindCentre(Database& db, int64_t id);

// Applies `changes`. Changing a field the configuration provides ends
// from_config. NotFound for an unknown id; AlreadyExists as AddCentre.
core::Status EditCentre(Database& db, int64_t id, const CentreChanges& changes,
                        int64_t now_ms);

// Disables a centre: it keeps its rows but serves no comune any more.
// NotFound for an unknown id; InvalidArgument for kFirstCentre, where rows
// with no centre of their own go.
core::Status DisableCentre(Database& db, int64_t id, int64_t now_ms);

// How many centres are enabled: with more than one, the bot places people
// in the centre serving their comune.
core::Result<int64_t> CountEnabledCentres(Database& db);

// The enabled centre serving the comune with ISTAT code `istat`, if any.
core::Result<std::optional<int64_t>> CentreForComune(Database& db,
                                                     std::string_view istat);

// The centre whose own WhatsApp number has `phone_number_id`, disabled
// or not (people may still write to a closed centre's number or bot).
struct NumberOwner {
  int64_t centre_id = 0;
  bool disabled = false;
};
core::Result<std::optional<NumberOwner>> CentreOfWhatsAppNumber(
    Database& db, std::string_view phone_number_id);
// The same for the centre whose own Telegram bot has `bot_id`.
core::Result<std::optional<NumberOwner>> CentreOfTelegramBot(
    Database& db, std::string_view bot_id);

// kFirstCentre as the configuration describes it: written when the row
// still follows the configuration (from_config) and differs. Returns
// whether it wrote.
struct ConfiguredCentre {
  std::string name, address, hours, opening_hours, closures, contacts;
};
core::Result<bool> AdoptConfiguredCentre(Database& db,
                                         const ConfiguredCentre& configured,
                                         int64_t now_ms);

// Staff membership. The ids of the centres `staff_id` works for, sorted.
core::Result<std::vector<int64_t>> StaffCentreIds(Database& db,
                                                  int64_t staff_id);
// Makes `staff_id` staff of exactly `centre_ids`. NotFound when one of them
// does not exist or is disabled (nothing is changed).
core::Status SetStaffCentres(Database& db, int64_t staff_id,
                             const std::vector<int64_t>& centre_ids);

}  // namespace sportello::storage
