// The entity `date`: ISO dates resolved against the reference day. Unless a
// test says otherwise, today is Wednesday 18 November 2026.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "intents/engine.h"
#include "intents/entities.h"

namespace sportello::intents {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr year_month_day kWednesday{year(2026), month(11), day(18)};

const EntityExtractor& Extractor() {
  static const std::unique_ptr<EntityExtractor> extractor = [] {
    auto loaded = EntityExtractor::Load(DefaultDataDir());
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
  }();
  return *extractor;
}

std::optional<std::string> Date(const std::string& text,
                                year_month_day today = kWednesday) {
  return Extractor().Extract(text, today).date;
}

struct Case {
  const char* text;
  const char* date;
};

void CheckAll(std::initializer_list<Case> cases,
              year_month_day today = kWednesday) {
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(Date(c.text, today) == std::optional<std::string>(c.date));
  }
}

void CheckNone(std::initializer_list<const char*> texts) {
  for (const char* text : texts) {
    CAPTURE(text);
    CHECK(Date(text) == std::nullopt);
  }
}

TEST_CASE(
    "today tomorrow and the day after are relative to the reference day") {
  CheckAll({
      {"fino a che ora siete aperti oggi?", "2026-11-18"},
      {"can I come today?", "2026-11-18"},
      {"stasera", "2026-11-18"},
      {"non posso venire domani, posso spostare?", "2026-11-19"},
      {"book me a slot for tomorrow", "2026-11-19"},
      {"dopodomani", "2026-11-20"},
      {"dopo domani", "2026-11-20"},
      {"the day after tomorrow", "2026-11-20"},
  });
}

TEST_CASE("a weekday is the next such day strictly after today") {
  CheckAll({
      {"posso anticipare l'appuntamento a lunedì?", "2026-11-23"},
      {"lunedi", "2026-11-23"},
      {"lun pomeriggio", "2026-11-23"},
      {"monday", "2026-11-23"},
      {"voglio un colloquio martedì mattina", "2026-11-24"},
      {"mercoledì", "2026-11-25"},  // today is a Wednesday: next week's
      {"fissami un appuntamento per giovedì", "2026-11-19"},
      {"I need to move my booking to Friday", "2026-11-20"},
      {"ci sono posti per il workshop di sabato?", "2026-11-21"},
      {"domenica", "2026-11-22"},
      {"martedì prossimo", "2026-11-24"},
      {"next friday", "2026-11-20"},
  });
}

TEST_CASE("a day and a month name give the next such date") {
  CheckAll({
      {"mi registro per la giornata del 3 dicembre", "2026-12-03"},
      {"3 dic", "2026-12-03"},
      {"december 3", "2026-12-03"},
      {"dec 3rd", "2026-12-03"},
      {"the 3rd of december", "2026-12-03"},
      {"1° dicembre", "2026-12-01"},
      {"primo dicembre", "2026-12-01"},
      {"tre dicembre", "2026-12-03"},
      {"lunedì 7 dicembre", "2026-12-07"},
      {"il 3 dicembre 2027", "2027-12-03"},
  });
}

TEST_CASE("numeric dates are read day first") {
  CheckAll({
      {"posso venire il 3/12 alle 10?", "2026-12-03"},
      {"3-12", "2026-12-03"},
      {"03/12/2026", "2026-12-03"},
      {"3/12/27", "2027-12-03"},
      {"3.12.2026", "2026-12-03"},
      {"2026-12-03", "2026-12-03"},
  });
}

TEST_CASE("a day and month already past roll over to next year") {
  CheckAll({
      {"3 gennaio", "2027-01-03"},
      {"10/11", "2027-11-10"},
      {"17 novembre", "2027-11-17"},
      {"18 novembre", "2026-11-18"},  // today itself is not past
  });
}

TEST_CASE("a day alone is the next time the month reaches it") {
  CheckAll({
      {"ci vediamo il 25", "2026-11-25"},
      {"ci vediamo il 3 alle 10", "2026-12-03"},
      {"giovedì 3", "2026-12-03"},
      {"on the 5th", "2026-12-05"},
  });
}

TEST_CASE("next week next month and the weekend have a first day") {
  CheckAll({
      {"vorrei vedere un orientatore la prossima settimana", "2026-11-23"},
      {"rimandiamo alla settimana prossima", "2026-11-23"},
      {"next week", "2026-11-23"},
      {"prox sett", "2026-11-23"},
      {"il mese prossimo", "2026-12-01"},
      {"eventi a Bari questo weekend", "2026-11-21"},
      {"nel fine settimana", "2026-11-21"},
      {"tra 3 giorni", "2026-11-21"},
      {"fra una settimana", "2026-11-25"},
      {"in 2 weeks", "2026-12-02"},
  });
}

TEST_CASE("impossible dates give no date") {
  CheckNone(
      {"31/02", "30 febbraio", "31/04/2027", "32/12", "3/13", "29/02/2027"});
}

TEST_CASE("a leap day is found in the next leap year") {
  CHECK(Date("29 febbraio") == "2028-02-29");
  CHECK(Date("29/02/2028") == "2028-02-29");
}

TEST_CASE("times quantities and ranges are not dates") {
  CheckNone({"alle 10:30", "alle 10.30", "3-4 giorni", "2/3 volte a settimana",
             "il 3 per cento", "ho 25 anni", "il mio numero è 080-5551234",
             "siete aperti ad agosto?", "cerco lavoro a Bari"});
}

TEST_CASE("dates cross the end of the year and of February") {
  const year_month_day new_years_eve_eve{year(2026), month(12),
                                         day(30)};  // a Wednesday
  CheckAll({{"domani", "2026-12-31"},
            {"dopodomani", "2027-01-01"},
            {"lunedì", "2027-01-04"},
            {"next week", "2027-01-04"},
            {"il mese prossimo", "2027-01-01"},
            {"il 2", "2027-01-02"}},
           new_years_eve_eve);
  const year_month_day leap{year(2028), month(2), day(28)};
  CheckAll({{"domani", "2028-02-29"}, {"dopodomani", "2028-03-01"}}, leap);
}

TEST_CASE("the first date written is the one taken") {
  CHECK(Date("sposta da lunedì a venerdì") == "2026-11-23");
}

TEST_CASE("without a valid reference day no date is given") {
  const year_month_day invalid{year(2026), month(2), day(30)};
  const Entities found = Extractor().Extract("domani a Bari", invalid);
  CHECK(found.date == std::nullopt);
  CHECK(found.city == "Bari");
}

}  // namespace
}  // namespace sportello::intents
