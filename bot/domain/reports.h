// The funnel report: how many of the people who first wrote in a period
// went on to each step, in total, per week, per channel and per target
// group. Adds up storage::FunnelPeople; no I/O. docs/api.md defines each
// step (GET /api/reports/funnel).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bot/domain/questionnaire.h"
#include "storage/reports.h"

namespace sportello::reports {

// People, not events: each person counts once per step.
struct FunnelCounts {
  int64_t first_contact = 0;
  int64_t consent = 0;
  int64_t profile_completed = 0;
  int64_t booked = 0;
  int64_t attended = 0;
  int64_t taken_in_charge_60d = 0;  // attended within 60 days of first contact
  int64_t vacancies_proposed = 0;
  int64_t vacancies_interested = 0;
};

struct Group {
  std::string key;  // a week's Monday (YYYY-MM-DD), a channel, a target
  FunnelCounts counts;
};

struct Funnel {
  FunnelCounts total;
  std::vector<Group> weeks;     // every week touching the period, in order
  std::vector<Group> channels;  // telegram, whatsapp, web
  std::vector<Group> targets;   // garanzia_giovani, over_40
};

// `from` and `to`: the period's first and last day (Rome), inclusive, as
// used to select `people`; `this_year` (Rome) dates the ages.
Funnel BuildFunnel(const std::vector<storage::FunnelPerson>& people,
                   const Questionnaire& questionnaire,
                   std::chrono::year_month_day from,
                   std::chrono::year_month_day to, int this_year);

// The steps in order, with their API names, for JSON and CSV.
struct Step {
  const char* name;
  int64_t FunnelCounts::*field;
};
const std::vector<Step>& Steps();

}  // namespace sportello::reports
