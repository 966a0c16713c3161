// AddDemoEvents (bot/app/demo_data.h): storage/demo/events.json into events.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/app/demo_data.h"
#include "bot/core/embedded_files.h"
#include "bot/core/rome_time.h"
#include "storage/events.h"

namespace sportello {
namespace {

using core::Status;
using nlohmann::json;

Status Broken(const std::string& where, const std::string& what) {
  return Status::Internal("events.json: " + where + ": " + what);
}

// "09:30" -> {9, 30}.
bool ParseClock(const std::string& text, int* hour, int* minute) {
  if (text.size() != 5 || text[2] != ':') return false;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  *hour = (text[0] - '0') * 10 + (text[1] - '0');
  *minute = (text[3] - '0') * 10 + (text[4] - '0');
  return *hour < 24 && *minute < 60;
}

core::Result<storage::NewEvent> ReadEvent(const json& j,
                                          const std::string& where,
                                          std::chrono::sys_days today) {
  if (!j.is_object()) return Broken(where, "not an object");
  storage::NewEvent e;
  try {
    e.external_id = j.at("id").get<std::string>();
    e.title = j.at("title").get<std::string>();
    e.description = j.value("description", std::string());
    e.place = j.at("place").get<std::string>();
    if (j.contains("link")) e.link = j.at("link").get<std::string>();
    e.capacity = j.at("capacity").get<int>();
    e.tags = j.value("tags", std::vector<std::string>());
    const int in_days = j.at("in_days").get<int>();
    std::chrono::sys_days day = today + std::chrono::days{in_days};
    const unsigned wd = std::chrono::weekday{day}.c_encoding();
    if (wd == 6) day += std::chrono::days{2};  // Saturday -> Monday
    if (wd == 0) day += std::chrono::days{1};  // Sunday -> Monday
    int sh = 0, sm = 0, eh = 0, em = 0;
    if (!ParseClock(j.at("start").get<std::string>(), &sh, &sm) ||
        !ParseClock(j.at("end").get<std::string>(), &eh, &em)) {
      return Broken(where, "start and end must be HH:MM");
    }
    const std::chrono::year_month_day date{day};
    e.starts_at = core::ToMillis(core::FromRome(date, sh, sm));
    e.ends_at = core::ToMillis(core::FromRome(date, eh, em));
  } catch (const json::exception& ex) {
    return Broken(where, ex.what());
  }
  return e;
}

}  // namespace

core::Result<DemoEventsSummary> AddDemoEvents(storage::Database& db,
                                              int64_t now_ms) {
  const auto text = EmbeddedFile("events.json");
  if (!text) return Status::Internal("events.json is not compiled in");
  const json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("events") ||
      !doc["events"].is_array()) {
    return Broken("document", "expected an object with an 'events' array");
  }
  const std::chrono::sys_days today{core::RomeDate(core::FromMillis(now_ms))};
  auto network = FindDemoCentres(db);
  if (!network.ok()) return network.status();
  DemoEventsSummary summary;
  for (size_t i = 0; i < doc["events"].size(); ++i) {
    const std::string where = "event " + std::to_string(i + 1);
    auto event = ReadEvent(doc["events"][i], where, today);
    if (!event.ok()) return event.status();
    const json centre = doc["events"][i].value("centre", json("bari"));
    if (!centre.is_string()) return Broken(where, "centre must be a text");
    if (centre == "regional") {
      event->centre_id.reset();
    } else if (auto id = network->Find(centre.get<std::string>())) {
      event->centre_id = *id;
    } else if (centre == "molfetta" || centre == "altamura") {
      continue;  // that demo centre is not in this database
    } else {
      return Broken(where, "unknown centre " + centre.dump());
    }
    auto found = storage::FindEventByExternalId(db, *event->external_id);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      ++summary.existing;
      continue;
    }
    auto id = storage::AddEvent(db, *event, now_ms);
    if (!id.ok()) return Broken(*event->external_id, id.status().message());
    ++summary.added;
  }
  return summary;
}

}  // namespace sportello
