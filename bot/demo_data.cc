#include "bot/demo_data.h"

#include <algorithm>

#include "bot/embedded_files.h"

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

}  // namespace sportello
