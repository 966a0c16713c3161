#include "storage/centres.h"

#include <algorithm>
#include <utility>

namespace sportello::storage {
namespace {

constexpr const char* kColumns =
    "id, name, address, hours, opening_hours, closures, contacts, services,"
    " telegram_bot_id, whatsapp_phone_number_id, from_config, disabled,"
    " created_at, updated_at";

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> SortedUnique(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

Centre ReadCentre(const Statement& st) {
  Centre c;
  c.id = st.Int(0);
  c.name = st.Text(1);
  c.address = st.Text(2);
  c.hours = st.Text(3);
  c.opening_hours = st.Text(4);
  c.closures = st.Text(5);
  c.contacts = st.Text(6);
  c.services = SplitList(st.Text(7));
  c.telegram_bot_id = st.OptionalText(8);
  c.whatsapp_phone_number_id = st.OptionalText(9);
  c.from_config = st.Int(10) != 0;
  c.disabled = st.Int(11) != 0;
  c.created_at = st.Int(12);
  c.updated_at = st.Int(13);
  return c;
}

core::Result<std::vector<std::string>> ComuniOf(Database& db, int64_t id) {
  Statement st = db.Prepare(
      "SELECT istat FROM centre_comuni WHERE centre_id = ?1 ORDER BY istat");
  st.Bind(1, id);
  std::vector<std::string> out;
  while (st.Step()) out.push_back(st.Text(0));
  if (!st.status().ok()) return st.status();
  return out;
}

// AlreadyExists naming the other centre that has `value` in `column`
// (name or a channel id), if one has.
core::Status CheckFree(Database& db, int64_t id, std::string_view column,
                       std::string_view what, const std::string& value) {
  Statement st = db.Prepare("SELECT id, name FROM centres WHERE " +
                            std::string(column) + " = ?1 AND id <> ?2");
  st.Bind(1, value).Bind(2, id);
  if (st.Step()) {
    return core::Status::AlreadyExists(
        "centres: " + std::string(what) + " '" + value + "' is centre " +
        std::to_string(st.Int(0)) + "'s (" + st.Text(1) + ")");
  }
  return st.status();
}

// AlreadyExists when another enabled centre serves one of `comuni`.
core::Status CheckComuniFree(Database& db, int64_t id,
                             const std::vector<std::string>& comuni) {
  Statement st = db.Prepare(
      "SELECT c.id, c.name FROM centre_comuni cc"
      " JOIN centres c ON c.id = cc.centre_id"
      " WHERE cc.istat = ?1 AND cc.centre_id <> ?2 AND c.disabled = 0");
  for (const std::string& istat : comuni) {
    st.Bind(1, istat).Bind(2, id);
    if (st.Step()) {
      return core::Status::AlreadyExists(
          "centres: comune " + istat + " is served by centre " +
          std::to_string(st.Int(0)) + " (" + st.Text(1) + ")");
    }
    if (!st.status().ok()) return st.status();
    st.Reset();
  }
  return core::Status::Ok();
}

core::Status ReplaceComuni(Database& db, int64_t id,
                           const std::vector<std::string>& comuni) {
  if (auto s = CheckComuniFree(db, id, comuni); !s.ok()) return s;
  Statement clear =
      db.Prepare("DELETE FROM centre_comuni WHERE centre_id = ?1");
  clear.Bind(1, id);
  if (auto s = clear.Run(); !s.ok()) return s;
  Statement add =
      db.Prepare("INSERT INTO centre_comuni(centre_id, istat) VALUES(?1, ?2)");
  for (const std::string& istat : comuni) {
    add.Bind(1, id).Bind(2, istat);
    if (auto s = add.Run(); !s.ok()) return s;
    add.Reset();
  }
  return core::Status::Ok();
}

// The checks AddCentre and EditCentre share, for the fields being set.
core::Status CheckUnique(Database& db, int64_t id,
                         const std::optional<std::string>& name,
                         const std::optional<std::string>& telegram,
                         const std::optional<std::string>& whatsapp) {
  if (name) {
    if (auto s = CheckFree(db, id, "name", "the name", *name); !s.ok())
      return s;
  }
  if (telegram && !telegram->empty()) {
    if (auto s =
            CheckFree(db, id, "telegram_bot_id", "Telegram bot", *telegram);
        !s.ok())
      return s;
  }
  if (whatsapp && !whatsapp->empty()) {
    if (auto s = CheckFree(db, id, "whatsapp_phone_number_id",
                           "WhatsApp number", *whatsapp);
        !s.ok())
      return s;
  }
  return core::Status::Ok();
}

std::optional<std::string> NonEmpty(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  return s;
}

}  // namespace

core::Result<int64_t> AddCentre(Database& db, const Centre& centre,
                                int64_t now_ms) {
  Savepoint step(db);
  if (!step.status().ok()) return step.status();
  if (auto s = CheckUnique(db, 0, centre.name, centre.telegram_bot_id,
                           centre.whatsapp_phone_number_id);
      !s.ok())
    return s;
  Statement st = db.Prepare(
      "INSERT INTO centres(name, address, hours, opening_hours, closures,"
      " contacts, services, telegram_bot_id, whatsapp_phone_number_id,"
      " created_at, updated_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) RETURNING id");
  st.Bind(1, centre.name)
      .Bind(2, centre.address)
      .Bind(3, centre.hours)
      .Bind(4, centre.opening_hours)
      .Bind(5, centre.closures)
      .Bind(6, centre.contacts)
      .Bind(7, JoinList(SortedUnique(centre.services)))
      .Bind(8, NonEmpty(centre.telegram_bot_id))
      .Bind(9, NonEmpty(centre.whatsapp_phone_number_id))
      .Bind(10, now_ms);
  std::optional<int64_t> id;
  while (st.Step()) id = st.Int(0);
  if (!st.status().ok()) return st.status();
  if (!id) return core::Status::Internal("centres: insert returned no id");
  if (auto s = ReplaceComuni(db, *id, SortedUnique(centre.comuni)); !s.ok())
    return s;
  if (auto s = step.Release(); !s.ok()) return s;
  return *id;
}

core::Result<std::vector<Centre>> ListCentres(Database& db,
                                              bool with_disabled) {
  Statement st = db.Prepare(std::string("SELECT ") + kColumns +
                            " FROM centres WHERE disabled = 0 OR ?1 = 1"
                            " ORDER BY id");
  st.Bind(1, with_disabled ? 1 : 0);
  std::vector<Centre> out;
  while (st.Step()) out.push_back(ReadCentre(st));
  if (!st.status().ok()) return st.status();
  for (Centre& c : out) {
    auto comuni = ComuniOf(db, c.id);
    if (!comuni.ok()) return comuni.status();
    c.comuni = std::move(*comuni);
  }
  return out;
}

core::Result<std::optional<Centre>> FindCentre(Database& db, int64_t id) {
  Statement st = db.Prepare(std::string("SELECT ") + kColumns +
                            " FROM centres WHERE id = ?1");
  st.Bind(1, id);
  std::optional<Centre> centre;
  if (st.Step()) centre = ReadCentre(st);
  if (!st.status().ok()) return st.status();
  st.Reset();  // off its row before the next statement
  if (centre) {
    auto comuni = ComuniOf(db, id);
    if (!comuni.ok()) return comuni.status();
    centre->comuni = std::move(*comuni);
  }
  return centre;
}

core::Status EditCentre(Database& db, int64_t id, const CentreChanges& changes,
                        int64_t now_ms) {
  Savepoint step(db);
  if (!step.status().ok()) return step.status();
  auto found = FindCentre(db, id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return core::Status::NotFound("centres: no centre " + std::to_string(id));
  }
  if (auto s = CheckUnique(db, id, changes.name, changes.telegram_bot_id,
                           changes.whatsapp_phone_number_id);
      !s.ok())
    return s;

  // Only fixed column names go into the text; values are parameters.
  std::string sql = "UPDATE centres SET updated_at = ?1";
  std::vector<std::optional<std::string>> values;
  const auto set = [&](const char* column, std::optional<std::string> value) {
    values.push_back(std::move(value));
    sql +=
        std::string(", ") + column + " = ?" + std::to_string(values.size() + 1);
  };
  bool configured_field = false;
  for (const auto& [column, value] :
       {std::pair{"name", &changes.name},
        std::pair{"address", &changes.address},
        std::pair{"hours", &changes.hours},
        std::pair{"opening_hours", &changes.opening_hours},
        std::pair{"closures", &changes.closures},
        std::pair{"contacts", &changes.contacts}}) {
    if (!*value) continue;
    set(column, **value);
    configured_field = true;
  }
  if (configured_field) sql += ", from_config = 0";
  if (changes.services)
    set("services", JoinList(SortedUnique(*changes.services)));
  if (changes.telegram_bot_id)
    set("telegram_bot_id", NonEmpty(changes.telegram_bot_id));
  if (changes.whatsapp_phone_number_id)
    set("whatsapp_phone_number_id", NonEmpty(changes.whatsapp_phone_number_id));
  sql += " WHERE id = ?" + std::to_string(values.size() + 2);

  Statement st = db.Prepare(sql);
  st.Bind(1, now_ms);
  for (size_t i = 0; i < values.size(); ++i)
    st.Bind(static_cast<int>(i + 2), values[i]);
  st.Bind(static_cast<int>(values.size() + 2), id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (changes.comuni) {
    if (auto s = ReplaceComuni(db, id, SortedUnique(*changes.comuni)); !s.ok())
      return s;
  }
  return step.Release();
}

core::Status DisableCentre(Database& db, int64_t id, int64_t now_ms) {
  if (id == kFirstCentre) {
    return core::Status::InvalidArgument(
        "centres: centre 1 cannot be disabled: conversations, slots and "
        "events without a centre of their own go to it");
  }
  Statement st = db.Prepare(
      "UPDATE centres SET disabled = 1, updated_at = ?1"
      " WHERE id = ?2 AND disabled = 0");
  st.Bind(1, now_ms).Bind(2, id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() > 0) return core::Status::Ok();
  auto found = FindCentre(db, id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return core::Status::NotFound("centres: no centre " + std::to_string(id));
  return core::Status::Ok();  // disabled already
}

core::Result<int64_t> CountEnabledCentres(Database& db) {
  Statement st = db.Prepare("SELECT COUNT(*) FROM centres WHERE disabled = 0");
  int64_t n = 0;
  if (st.Step()) n = st.Int(0);
  if (!st.status().ok()) return st.status();
  return n;
}

core::Result<std::optional<int64_t>> CentreForComune(Database& db,
                                                     std::string_view istat) {
  Statement st = db.Prepare(
      "SELECT c.id FROM centre_comuni cc JOIN centres c ON c.id = cc.centre_id"
      " WHERE cc.istat = ?1 AND c.disabled = 0 ORDER BY c.id LIMIT 1");
  st.Bind(1, istat);
  std::optional<int64_t> id;
  if (st.Step()) id = st.Int(0);
  if (!st.status().ok()) return st.status();
  return id;
}

namespace {

core::Result<std::optional<NumberOwner>> OwnerBy(Database& db, const char* sql,
                                                 std::string_view account) {
  Statement& st = db.Cached(sql);
  st.Bind(1, account);
  std::optional<NumberOwner> owner;
  if (st.Step()) owner = NumberOwner{st.Int(0), st.Int(1) != 0};
  const core::Status status = st.status();
  st.Reset();
  if (!status.ok()) return status;
  return owner;
}

}  // namespace

core::Result<std::optional<NumberOwner>> CentreOfWhatsAppNumber(
    Database& db, std::string_view phone_number_id) {
  return OwnerBy(
      db,
      "SELECT id, disabled FROM centres WHERE whatsapp_phone_number_id = ?1",
      phone_number_id);
}

core::Result<std::optional<NumberOwner>> CentreOfTelegramBot(
    Database& db, std::string_view bot_id) {
  return OwnerBy(db,
                 "SELECT id, disabled FROM centres WHERE telegram_bot_id = ?1",
                 bot_id);
}

core::Result<bool> AdoptConfiguredCentre(Database& db,
                                         const ConfiguredCentre& configured,
                                         int64_t now_ms) {
  Statement st = db.Prepare(
      "UPDATE centres SET name = ?1, address = ?2, hours = ?3,"
      " opening_hours = ?4, closures = ?5, contacts = ?6, updated_at = ?7"
      " WHERE id = ?8 AND from_config = 1 AND (name <> ?1 OR address <> ?2"
      " OR hours <> ?3 OR opening_hours <> ?4 OR closures <> ?5"
      " OR contacts <> ?6)");
  st.Bind(1, configured.name)
      .Bind(2, configured.address)
      .Bind(3, configured.hours)
      .Bind(4, configured.opening_hours)
      .Bind(5, configured.closures)
      .Bind(6, configured.contacts)
      .Bind(7, now_ms)
      .Bind(8, kFirstCentre);
  if (auto s = st.Run(); !s.ok()) return s;
  return db.Changes() > 0;
}

core::Result<std::vector<int64_t>> StaffCentreIds(Database& db,
                                                  int64_t staff_id) {
  Statement st = db.Prepare(
      "SELECT centre_id FROM staff_centres WHERE staff_id = ?1"
      " ORDER BY centre_id");
  st.Bind(1, staff_id);
  std::vector<int64_t> out;
  while (st.Step()) out.push_back(st.Int(0));
  if (!st.status().ok()) return st.status();
  return out;
}

core::Status SetStaffCentres(Database& db, int64_t staff_id,
                             const std::vector<int64_t>& centre_ids) {
  Savepoint step(db);
  if (!step.status().ok()) return step.status();
  Statement check =
      db.Prepare("SELECT 1 FROM centres WHERE id = ?1 AND disabled = 0");
  for (int64_t id : centre_ids) {
    check.Bind(1, id);
    const bool exists = check.Step();
    if (!check.status().ok()) return check.status();
    check.Reset();
    if (!exists) {
      return core::Status::NotFound("centres: no centre " + std::to_string(id) +
                                    " (or disabled)");
    }
  }
  Statement clear = db.Prepare("DELETE FROM staff_centres WHERE staff_id = ?1");
  clear.Bind(1, staff_id);
  if (auto s = clear.Run(); !s.ok()) return s;
  Statement add = db.Prepare(
      "INSERT INTO staff_centres(staff_id, centre_id) VALUES(?1, ?2)"
      " ON CONFLICT DO NOTHING");
  for (int64_t id : centre_ids) {
    add.Bind(1, staff_id).Bind(2, id);
    if (auto s = add.Run(); !s.ok()) return s;
    add.Reset();
  }
  return step.Release();
}

}  // namespace sportello::storage
