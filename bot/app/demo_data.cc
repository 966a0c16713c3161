#include "bot/app/demo_data.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "bot/core/clock.h"
#include "bot/core/embedded_files.h"
#include "bot/core/rome_time.h"
#include "bot/domain/events.h"
#include "bot/domain/holidays.h"
#include "bot/flows/centre.h"
#include "storage/appointments.h"
#include "storage/centres.h"
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
  auto network = FindDemoCentres(db);
  if (!network.ok()) return network.status();
  for (auto& row : feed->rows) {
    row.vacancy.published_at += shift;
    row.vacancy.expires_at += shift;
    row.vacancy.centre_id = network->ForComune(row.vacancy.comune);
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

namespace {

// One centre's demo slots over the next 3 weeks.
struct SlotPlan {
  int64_t centre_id = storage::kFirstCentre;
  std::string place;
  ClosedDays closed;
  std::string counsellor;
  unsigned weekdays = 0;            // bit 1 << c_encoding (1 = Monday)
  int per_day = 0;                  // 45 minutes each from 9:00
  bool service_of_the_day = false;  // else open to any service
  // Online slots beside each in-person one on Tuesdays and Thursdays.
  std::string online_counsellor, link;
};

core::Result<DemoSlotsSummary> AddPlannedSlots(storage::Database& db,
                                               const SlotPlan& plan,
                                               int64_t now_ms) {
  // Monday..Friday: the in-person service of the day.
  const char* const kInPerson[] = {"orientamento", "garanzia_giovani",
                                   "curriculum", "bilancio_competenze",
                                   "orientamento"};
  const std::chrono::sys_days today{core::RomeDate(core::FromMillis(now_ms))};
  DemoSlotsSummary summary;
  for (int d = 1; d <= 21; ++d) {
    const std::chrono::sys_days day = today + std::chrono::days{d};
    const unsigned wd = std::chrono::weekday{day}.c_encoding();
    if (wd == 0 || wd == 6 || (plan.weekdays & (1u << wd)) == 0 ||
        plan.closed.Contains(std::chrono::year_month_day{day}))
      continue;
    for (int i = 0; i < plan.per_day; ++i) {  // 9:00, 9:45, 10:30, ...
      const int minute_of_day = 9 * 60 + 45 * i;
      storage::NewSlot in_person;
      if (plan.service_of_the_day) in_person.service_code = kInPerson[wd - 1];
      in_person.counsellor = plan.counsellor;
      in_person.starts_at = core::ToMillis(
          core::FromRome(std::chrono::year_month_day{day}, minute_of_day / 60,
                         minute_of_day % 60));
      in_person.minutes = 45;
      in_person.place = plan.place;
      in_person.centre_id = plan.centre_id;
      std::vector<storage::NewSlot> slots = {in_person};
      if (!plan.online_counsellor.empty() && (wd == 2 || wd == 4)) {
        storage::NewSlot online = in_person;
        online.service_code.reset();
        online.counsellor = plan.online_counsellor;
        online.place = std::string(storage::kOnline);
        online.link = plan.link;
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

constexpr unsigned kMonToFri = 0b111110;

}  // namespace

core::Result<DemoSlotsSummary> AddDemoSlots(storage::Database& db,
                                            const CentreConfig& centre,
                                            int64_t now_ms) {
  SlotPlan plan;
  plan.place = centre.name + ", " + centre.address;
  plan.closed = CentreClosedDays(centre);
  plan.counsellor = "Giulia Rossi";
  plan.weekdays = kMonToFri;
  plan.per_day = 5;
  plan.service_of_the_day = true;
  plan.online_counsellor = "Marco Bianchi";
  plan.link = "https://meet.example.org/porta-futuro";
  return AddPlannedSlots(db, plan, now_ms);
}

core::Result<DemoSlotsSummary> AddDemoCentreSlots(storage::Database& db,
                                                  std::string_view key,
                                                  int64_t centre_id,
                                                  int64_t now_ms) {
  SlotPlan plan;
  if (key == "molfetta") {
    plan.counsellor = "Francesca Minervini";
    plan.weekdays = (1u << 1) | (1u << 3) | (1u << 5);
  } else if (key == "altamura") {
    plan.counsellor = "Vito Loiudice";
    plan.weekdays = (1u << 2) | (1u << 4);
  } else {
    return DemoSlotsSummary{};
  }
  // Demo centres have hours and closures of their own: nothing falls back
  // to the configured centre.
  auto centre = flows::CentreAsTold(db, centre_id, CentreConfig{});
  if (!centre.ok()) return centre.status();
  plan.centre_id = centre_id;
  plan.place = centre->name + ", " + centre->address;
  plan.closed = CentreClosedDays(*centre);
  plan.per_day = 4;
  return AddPlannedSlots(db, plan, now_ms);
}

core::Result<std::string> LoadDemoData(storage::Database& db,
                                       const CentreConfig& centre,
                                       int64_t now_ms) {
  std::string said = "demo data:";
  auto network = AddDemoCentres(db, now_ms);
  if (!network.ok()) return network.status();
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
  int added = 0, there = 0;
  for (const auto& [key, id] : network->centres) {
    auto upcoming = storage::ListSlots(db, now_ms, now_ms + kWeeks3,
                                       storage::CentreScope::Only({id}));
    if (!upcoming.ok()) return upcoming.status();
    if (!upcoming->empty()) {
      there += static_cast<int>(upcoming->size());
      continue;
    }
    auto slots = id == storage::kFirstCentre
                     ? AddDemoSlots(db, centre, now_ms)
                     : AddDemoCentreSlots(db, key, id, now_ms);
    if (!slots.ok()) return slots.status();
    added += slots->added;
  }
  said += " " + std::to_string(added) + " appointment slots added";
  if (there > 0) said += ", " + std::to_string(there) + " already there";
  return said + "; " + std::to_string(network->centres.size()) + " centres";
}

}  // namespace sportello
