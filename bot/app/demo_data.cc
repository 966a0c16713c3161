#include "bot/app/demo_data.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/embedded_files.h"
#include "bot/core/rome_time.h"
#include "bot/domain/events.h"
#include "bot/domain/holidays.h"
#include "storage/appointments.h"
#include "storage/vacancies.h"

namespace sportello {

core::Result<storage::ImportSummary> ImportDemoVacancies(storage::Database& db,
                                                         int64_t now_ms) {
  const auto text = EmbeddedFile("vacancies.json");
  if (!text)
    return core::Status::Internal("demo: vacancies.json is not embedded");
  auto feed = storage::ParseVacancyJson(*text, now_ms);
  if (!feed.ok())
    return core::Status::Internal("demo: " + feed.status().message());
  if (!feed->errors.empty()) {
    return core::Status::Internal("demo: vacancies.json: " +
                                  storage::ToString(feed->errors[0]));
  }
  int64_t newest = 0;
  for (const auto& row : feed->rows)
    newest = std::max(newest, row.vacancy.published_at);
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  const int64_t shift = now_ms >= newest
                            ? (now_ms - newest) / kDay * kDay
                            : -((newest - now_ms + kDay - 1) / kDay * kDay);
  for (auto& row : feed->rows) {
    row.vacancy.published_at += shift;
    row.vacancy.expires_at += shift;
  }
  auto summary = storage::ImportFeed(db, *feed, now_ms);
  if (summary.ok() && !summary->rejected.empty()) {
    return core::Status::Internal("demo: " +
                                  storage::ToString(summary->rejected[0]));
  }
  return summary;
}

core::Status LoadDemoVacancies(storage::Database& db, int64_t now_ms) {
  auto summary = ImportDemoVacancies(db, now_ms);
  return summary.ok() ? core::Status::Ok() : summary.status();
}

core::Result<DemoSlotsSummary> AddDemoSlots(storage::Database& db,
                                            const CentreConfig& centre,
                                            int64_t now_ms) {
  // Monday..Friday: the in-person service of the day.
  const char* const kInPerson[] = {"orientamento", "garanzia_giovani",
                                   "curriculum", "bilancio_competenze",
                                   "orientamento"};
  const std::chrono::sys_days today{core::RomeDate(core::FromMillis(now_ms))};
  const ClosedDays closed = CentreClosedDays(centre);
  DemoSlotsSummary summary;
  for (int d = 1; d <= 21; ++d) {
    const std::chrono::sys_days day = today + std::chrono::days{d};
    const unsigned wd = std::chrono::weekday{day}.c_encoding();
    if (wd == 0 || wd == 6 || closed.Contains(std::chrono::year_month_day{day}))
      continue;
    for (int i = 0; i < 5; ++i) {  // 9:00, 9:45, 10:30, 11:15, 12:00
      const int minute_of_day = 9 * 60 + 45 * i;
      storage::NewSlot in_person;
      in_person.service_code = kInPerson[wd - 1];
      in_person.counsellor = "Giulia Rossi";
      in_person.starts_at = core::ToMillis(
          core::FromRome(std::chrono::year_month_day{day}, minute_of_day / 60,
                         minute_of_day % 60));
      in_person.minutes = 45;
      in_person.place = centre.name + ", " + centre.address;
      std::vector<storage::NewSlot> slots = {in_person};
      if (wd == 2 || wd == 4) {
        storage::NewSlot online = in_person;
        online.service_code.reset();
        online.counsellor = "Marco Bianchi";
        online.place = std::string(storage::kOnline);
        online.link = "https://meet.example.org/porta-futuro";
        slots.push_back(online);
      }
      for (const auto& s : slots) {
        auto id = storage::AddSlot(db, s, now_ms);
        if (id.ok()) {
          ++summary.added;
        } else if (id.status().code() == core::Status::Code::kAlreadyExists) {
          ++summary.existing;
        } else {
          return id.status();
        }
      }
    }
  }
  return summary;
}

core::Result<std::string> LoadDemoData(storage::Database& db,
                                       const CentreConfig& centre,
                                       int64_t now_ms) {
  std::string said = "demo data:";
  auto vacancies = storage::CountVacancies(db);
  if (!vacancies.ok()) return vacancies.status();
  if (*vacancies == 0) {
    auto imported = ImportDemoVacancies(db, now_ms);
    if (!imported.ok()) return imported.status();
    said += " offers loaded;";
  } else {
    said += " " + std::to_string(*vacancies) + " offers already there;";
  }
  auto events = AddDemoEvents(db, now_ms);
  if (!events.ok()) return events.status();
  said += " " + std::to_string(events->added) + " events added;";
  constexpr int64_t kWeeks3 = 21LL * 24 * 3'600'000;
  auto upcoming = storage::ListSlots(db, now_ms, now_ms + kWeeks3);
  if (!upcoming.ok()) return upcoming.status();
  if (upcoming->empty()) {
    auto slots = AddDemoSlots(db, centre, now_ms);
    if (!slots.ok()) return slots.status();
    said += " " + std::to_string(slots->added) + " appointment slots added";
  } else {
    said += " " + std::to_string(upcoming->size()) + " slots already there";
  }
  return said;
}

}  // namespace sportello
