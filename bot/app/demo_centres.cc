// The demo network (bot/app/demo_data.h): centre 1 and two Centri per
// l'Impiego of the province of Bari, each with the comuni it serves.
#include <algorithm>
#include <string>
#include <vector>

#include "bot/app/demo_data.h"
#include "bot/core/log.h"
#include "storage/centres.h"

namespace sportello {
namespace {

using core::Status;

struct DemoComune {
  const char* istat;
  const char* name;  // official, as the demo offers write it
};

struct DemoCentre {
  const char* key;  // events.json's "centre"
  const char* name;
  const char* address;
  const char* hours;
  const char* opening_hours;
  const char* closures;
  const char* contacts;
  std::vector<DemoComune> comuni;
};

// Centre 1 is the configured one (Porta Futuro, Bari): only its comuni come
// from here. The codes are ISTAT's (intents/data/comuni.tsv).
const std::vector<DemoCentre>& Centres() {
  static const std::vector<DemoCentre> centres = {
      {"bari",
       "",
       "",
       "",
       "",
       "",
       "",
       {{"072006", "Bari"},
        {"072011", "Bitonto"},
        {"072012", "Bitritto"},
        {"072014", "Capurso"},
        {"072015", "Casamassima"},
        {"072027", "Modugno"},
        {"072046", "Triggiano"},
        {"072048", "Valenzano"}}},
      {"molfetta",
       "CPI Molfetta",
       "Via Cifariello 29, 70056 Molfetta",
       "lun-ven 9:00-12:00, mar 15:30-17:30",
       "1-5 09:00-12:00; 2 15:30-17:30",
       "09-08",  // Madonna dei Martiri
       "080 000 0101 · cpi.molfetta@example.org",
       {{"072029", "Molfetta"},
        {"072022", "Giovinazzo"},
        {"072038", "Ruvo di Puglia"},
        {"072043", "Terlizzi"}}},
      {"altamura",
       "CPI Altamura",
       "Via Santeramo 51, 70022 Altamura",
       "lun-ven 9:00-12:00, gio 15:30-17:30",
       "1-5 09:00-12:00; 4 15:30-17:30",
       "",
       "080 000 0202 · cpi.altamura@example.org",
       {{"072004", "Altamura"},
        {"072016", "Cassano delle Murge"},
        {"072023", "Gravina in Puglia"},
        {"072034", "Poggiorsini"},
        {"072041", "Santeramo in Colle"}}},
  };
  return centres;
}

std::vector<std::string> Codes(const DemoCentre& c) {
  std::vector<std::string> codes;
  for (const auto& comune : c.comuni) codes.emplace_back(comune.istat);
  std::sort(codes.begin(), codes.end());
  return codes;
}

// Runs `write` in a savepoint: a refusal (a comune another centre serves)
// leaves the transaction usable, on PostgreSQL too.
template <typename Write>
Status Tentatively(storage::Database& db, Write write) {
  storage::Savepoint sp(db);
  if (!sp.status().ok()) return sp.status();
  if (Status s = write(); !s.ok()) return s;
  return sp.Release();
}

}  // namespace

std::optional<int64_t> DemoNetwork::Find(std::string_view key) const {
  for (const auto& [k, id] : centres) {
    if (k == key) return id;
  }
  return std::nullopt;
}

std::optional<int64_t> DemoNetwork::ForComune(std::string_view name) const {
  for (const auto& c : Centres()) {
    for (const auto& comune : c.comuni) {
      if (name != comune.name) continue;
      // A comune of a demo centre not in this database: centre 1's, as
      // every offer was before there were centres.
      return Find(c.key).value_or(storage::kFirstCentre);
    }
  }
  return std::nullopt;  // outside the network: regional
}

core::Result<DemoNetwork> FindDemoCentres(storage::Database& db) {
  auto all = storage::ListCentres(db, /*with_disabled=*/true);
  if (!all.ok()) return all.status();
  DemoNetwork network;
  for (const auto& c : Centres()) {
    if (std::string_view(c.key) == "bari") {
      network.centres.emplace_back(c.key, storage::kFirstCentre);
      continue;
    }
    for (const auto& stored : *all) {
      if (stored.name == c.name && !stored.disabled)
        network.centres.emplace_back(c.key, stored.id);
    }
  }
  return network;
}

core::Result<DemoNetwork> AddDemoCentres(storage::Database& db,
                                         int64_t now_ms) {
  auto all = storage::ListCentres(db, /*with_disabled=*/true);
  if (!all.ok()) return all.status();
  for (const auto& c : Centres()) {
    if (std::string_view(c.key) == "bari") {
      auto first = storage::FindCentre(db, storage::kFirstCentre);
      if (!first.ok()) return first.status();
      if (!first->has_value() || !(*first)->comuni.empty()) continue;
      storage::CentreChanges changes;
      changes.comuni = Codes(c);
      Status s = Tentatively(db, [&] {
        return storage::EditCentre(db, storage::kFirstCentre, changes, now_ms);
      });
      if (s.code() == Status::Code::kAlreadyExists) {
        core::LogWarn("demo", "centre 1 serves no comune: " + s.message());
      } else if (!s.ok()) {
        return s;
      }
      continue;
    }
    if (std::any_of(all->begin(), all->end(),
                    [&](const auto& stored) { return stored.name == c.name; }))
      continue;  // there already (disabled ones stay so)
    storage::Centre centre;
    centre.name = c.name;
    centre.address = c.address;
    centre.hours = c.hours;
    centre.opening_hours = c.opening_hours;
    centre.closures = c.closures;
    centre.contacts = c.contacts;
    centre.comuni = Codes(c);
    Status s = Tentatively(db, [&]() -> Status {
      auto id = storage::AddCentre(db, centre, now_ms);
      return id.ok() ? Status::Ok() : id.status();
    });
    if (s.code() == Status::Code::kAlreadyExists) {
      // A comune another centre serves already: the demo centre without
      // comuni, rather than no demo at all.
      core::LogWarn("demo", std::string(c.name) + ": " + s.message());
      centre.comuni.clear();
      s = Tentatively(db, [&]() -> Status {
        auto id = storage::AddCentre(db, centre, now_ms);
        return id.ok() ? Status::Ok() : id.status();
      });
    }
    if (!s.ok()) return s;
  }
  return FindDemoCentres(db);
}

}  // namespace sportello
