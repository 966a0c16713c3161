#include "bot/domain/reports.h"

#include <cstdio>

#include "bot/core/rome_time.h"

namespace sportello::reports {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kTakenInChargeMs = 60LL * 24 * 3600 * 1000;

sys_days Monday(sys_days d) {
  const std::chrono::weekday wd{d};
  return d - days{(wd.c_encoding() + 6) % 7};
}

std::string DayText(sys_days d) {
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

void Add(FunnelCounts& c, const storage::FunnelPerson& p) {
  ++c.first_contact;
  c.consent += p.consented;
  c.profile_completed += p.profile_completed;
  c.booked += p.booked;
  c.attended += p.first_attended_at.has_value();
  c.taken_in_charge_60d +=
      p.first_attended_at &&
      *p.first_attended_at - p.first_contact_at <= kTakenInChargeMs;
  c.vacancies_proposed += p.vacancy_proposed;
  c.vacancies_interested += p.vacancy_interested;
}

FunnelCounts* Find(std::vector<Group>& groups, const std::string& key) {
  for (auto& g : groups) {
    if (g.key == key) return &g.counts;
  }
  return nullptr;
}

}  // namespace

const std::vector<Step>& Steps() {
  static const std::vector<Step> kSteps = {
      {"first_contact", &FunnelCounts::first_contact},
      {"consent", &FunnelCounts::consent},
      {"profile_completed", &FunnelCounts::profile_completed},
      {"booked", &FunnelCounts::booked},
      {"attended", &FunnelCounts::attended},
      {"taken_in_charge_60d", &FunnelCounts::taken_in_charge_60d},
      {"vacancies_proposed", &FunnelCounts::vacancies_proposed},
      {"vacancies_interested", &FunnelCounts::vacancies_interested},
  };
  return kSteps;
}

Funnel BuildFunnel(const std::vector<storage::FunnelPerson>& people,
                   const Questionnaire& questionnaire, year_month_day from,
                   year_month_day to, int this_year) {
  Funnel f;
  for (sys_days w = Monday(sys_days{from}); w <= sys_days{to}; w += days{7})
    f.weeks.push_back({DayText(w), {}});
  for (const char* c : {"telegram", "whatsapp", "web"})
    f.channels.push_back({c, {}});
  f.targets = {{"garanzia_giovani", {}}, {"over_40", {}}};
  for (const auto& p : people) {
    Add(f.total, p);
    const sys_days day{core::RomeDate(core::FromMillis(p.first_contact_at))};
    if (auto* w = Find(f.weeks, DayText(Monday(day)))) Add(*w, p);
    if (auto* c = Find(f.channels, p.channel)) Add(*c, p);
    const Eligibility gg = questionnaire.GaranziaGiovani(p.answers, this_year);
    if (gg == Eligibility::kEligible || gg == Eligibility::kEligibleIfUnder30)
      Add(f.targets[0].counts, p);
    const auto age = questionnaire.AgeOf(p.answers, p.age_band, this_year);
    if (age && *age >= 40) Add(f.targets[1].counts, p);
  }
  return f;
}

}  // namespace sportello::reports
