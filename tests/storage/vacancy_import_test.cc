// Vacancy feeds: RFC 4180 CSV and JSON arrays, validated row by row with
// where each problem is, and imported idempotently by external id.
#include "storage/vacancy_import.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "bot/core/clock.h"
#include "bot/core/rome_time.h"
#include "storage/database.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

using core::Status;
using namespace std::chrono;

constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-18

constexpr const char* kHeader =
    "external_id,title,employer,comune,province,sector,contract,description,"
    "requirements,"
    "how_to_apply,partner,published_at,expires_at\n";

std::string Row(const std::string& id, const std::string& title = "Cameriere",
                const std::string& contract = "part_time",
                const std::string& expires = "2027-01-31",
                const std::string& published = "2026-11-10") {
  return id + "," + title + ",Trattoria,Bari,BA,ristorazione," + contract +
         ",Servizio,Esperienza,cv@x.example,no," + published + "," + expires +
         "\n";
}

using support::MigratedDb;

int64_t RomeMidnight(int y, unsigned m, unsigned d) {
  return core::ToMillis(core::FromRome(year{y} / month{m} / day{d}, 0, 0));
}

ParsedFeed Csv(const std::string& text) {
  auto feed = ParseVacancyCsv(text, kNow);
  REQUIRE_MESSAGE(feed.ok(), feed.status().ToString());
  return std::move(*feed);
}

ParsedFeed Json(const std::string& text) {
  auto feed = ParseVacancyJson(text, kNow);
  REQUIRE_MESSAGE(feed.ok(), feed.status().ToString());
  return std::move(*feed);
}

TEST_CASE("csv fields in quotes keep commas newlines and doubled quotes") {
  auto records =
      ParseCsv("a,\"b, c\",\"line1\nline2\",\"say \"\"ciao\"\"\"\r\nx,,\"\"\n");
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].fields ==
        std::vector<std::string>{"a", "b, c", "line1\nline2", "say \"ciao\""});
  CHECK((*records)[0].line == 1);
  CHECK((*records)[1].fields == std::vector<std::string>{"x", "", ""});
  CHECK((*records)[1].line == 3);  // the quoted newline moved it down
}

TEST_CASE("csv parsing skips a byte order mark and blank lines") {
  auto records = ParseCsv("\xEF\xBB\xBFh1,h2\n\n\r\nv1,v2");
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].fields == std::vector<std::string>{"h1", "h2"});
  CHECK((*records)[1].fields == std::vector<std::string>{"v1", "v2"});
  CHECK((*records)[1].line == 4);
}

TEST_CASE("malformed csv quoting is refused with its line") {
  auto open = ParseCsv("a,b\nc,\"never closed\nd\n");
  CHECK(open.status().code() == Status::Code::kInvalidArgument);
  CHECK(open.status().message().find("line 2") != std::string::npos);
  auto trailing = ParseCsv("a,\"b\"c\n");
  CHECK(trailing.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("a valid csv row becomes a vacancy") {
  ParsedFeed feed =
      Csv(std::string(kHeader) + Row("feed-1", "\"Cameriere, sala\""));
  REQUIRE(feed.errors.empty());
  REQUIRE(feed.rows.size() == 1);
  const Vacancy& v = feed.rows[0].vacancy;
  CHECK(feed.rows[0].where == 2);
  CHECK(v.external_id == "feed-1");
  CHECK(v.title == "Cameriere, sala");
  CHECK(v.comune == "Bari");
  CHECK(v.province == std::optional<std::string>("BA"));
  CHECK(v.contract == "part_time");
  CHECK_FALSE(v.partner);
  CHECK(v.published_at == RomeMidnight(2026, 11, 10));
  // A date-only expiry keeps the offer through that whole day in Rome.
  CHECK(v.expires_at == RomeMidnight(2027, 2, 1));
}

TEST_CASE(
    "invalid csv rows are reported by line and field while valid rows pass") {
  const std::string text =
      std::string(kHeader) + Row("ok-1") +                    // line 2
      Row("bad-contract", "Barista", "fisso") +               // line 3
      Row("no-title", "") +                                   // line 4
      Row("bad-date", "Cuoco", "part_time", "31-12-2026") +   // line 5
      Row("backwards", "Cuoco", "part_time", "2026-11-01") +  // line 6
      "\"multi\nline\",x\n" +                                 // lines 7-8
      Row("ok-2");                                            // line 9
  ParsedFeed feed = Csv(text);
  REQUIRE(feed.rows.size() == 2);
  CHECK(feed.rows[0].vacancy.external_id == "ok-1");
  CHECK(feed.rows[1].vacancy.external_id == "ok-2");
  CHECK(feed.rows[1].where == 9);
  REQUIRE(feed.errors.size() == 5);
  CHECK(ToString(feed.errors[0]) ==
        "line 3: contract: 'fisso' is not one of full_time, part_time, "
        "tirocinio, stagionale, "
        "apprendistato");
  CHECK(ToString(feed.errors[1]) == "line 4: title: missing");
  CHECK(feed.errors[2].where == 5);
  CHECK(feed.errors[2].field == "expires_at");
  CHECK(feed.errors[3].where == 6);
  CHECK(feed.errors[3].message.find("not after the publication") !=
        std::string::npos);
  CHECK(ToString(feed.errors[4]) == "line 7: has 2 fields, the header has 13");
  CHECK(RejectedRows(feed.errors) == 5);
}

TEST_CASE("contract spellings are forgiven for case spaces and hyphens") {
  ParsedFeed feed =
      Csv(std::string(kHeader) + Row("a", "X", "Part-time") +
          Row("b", "X", "FULL TIME") + Row("c", "X", "Tirocinio"));
  REQUIRE(feed.errors.empty());
  CHECK(feed.rows[0].vacancy.contract == "part_time");
  CHECK(feed.rows[1].vacancy.contract == "full_time");
  CHECK(feed.rows[2].vacancy.contract == "tirocinio");
}

TEST_CASE(
    "an external id repeated in one file is rejected after its first row") {
  ParsedFeed feed =
      Csv(std::string(kHeader) + Row("same") + Row("other") + Row("same"));
  REQUIRE(feed.rows.size() == 2);
  REQUIRE(feed.errors.size() == 1);
  CHECK(ToString(feed.errors[0]) ==
        "line 4: external_id: 'same' already used at line 2");
}

TEST_CASE("a csv file with an unknown or missing column is refused whole") {
  auto unknown = ParseVacancyCsv("external_id,title,salary\n", kNow);
  CHECK(unknown.status().code() == Status::Code::kInvalidArgument);
  CHECK(unknown.status().message().find("salary") != std::string::npos);
  auto missing = ParseVacancyCsv(
      "external_id,title,employer,comune,contract,how_to_apply\n", kNow);
  CHECK(missing.status().code() == Status::Code::kInvalidArgument);
  CHECK(missing.status().message().find("expires_at") != std::string::npos);
  CHECK(ParseVacancyCsv("", kNow).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("optional columns may be left out and fields are trimmed") {
  ParsedFeed feed = Csv(
      "external_id, title ,employer,comune,contract,how_to_apply,expires_at\n"
      " x1 ,  Commesso  ,Negozio,Bari,tirocinio,in negozio,2027-01-31\n");
  REQUIRE(feed.errors.empty());
  REQUIRE(feed.rows.size() == 1);
  const Vacancy& v = feed.rows[0].vacancy;
  CHECK(v.external_id == "x1");
  CHECK(v.title == "Commesso");
  CHECK(v.published_at == kNow);  // defaults to the import time
  CHECK_FALSE(v.province.has_value());
  CHECK(v.sector.empty());
}

TEST_CASE("accented text survives and invalid utf-8 is rejected") {
  ParsedFeed feed =
      Csv(std::string(kHeader) + Row("accents", "Barista caffè Più") +
          Row("broken", "Barista caff\xE8"));
  REQUIRE(feed.rows.size() == 1);
  CHECK(feed.rows[0].vacancy.title == "Barista caffè Più");
  REQUIRE(feed.errors.size() == 1);
  CHECK(ToString(feed.errors[0]) == "line 3: title: not valid UTF-8");
}

TEST_CASE("field checks cover provinces flags lengths and control characters") {
  const std::string header =
      "external_id,title,employer,comune,province,contract,how_to_apply,"
      "partner,expires_at\n";
  ParsedFeed feed =
      Csv(header + "a,T,E,Bari,Bari,part_time,cv,no,2027-01-31\n" +
          "b,T,E,Bari,ba,part_time,cv,forse,2027-01-31\n" + "c," +
          std::string(201, 'x') + ",E,Bari,BA,part_time,cv,sì,2027-01-31\n" +
          "d,\"T\tab\",E,Bari,BA,part_time,\"line\nline\",1,2027-01-31\n");
  REQUIRE(feed.errors.size() == 4);
  CHECK(feed.errors[0].field == "province");
  CHECK(feed.errors[1].field == "partner");
  CHECK(feed.errors[2].field == "title");
  CHECK(feed.errors[2].message == "longer than 200 characters");
  CHECK(feed.errors[3].field == "title");
  CHECK(feed.errors[3].message == "contains a control character");
  CHECK(feed.rows.empty());
}

TEST_CASE("dates may carry a time with a zone or be written the Italian way") {
  const std::string header =
      "external_id,title,employer,comune,contract,how_to_apply,"
      "published_at,expires_at\n";
  ParsedFeed feed =
      Csv(header + "a,T,E,Bari,part_time,cv,2026-11-10T09:30:00Z,31/01/2027\n" +
          "b,T,E,Bari,part_time,cv,2026-11-10T09:30+01:00,2027-01-31T18:00\n" +
          "c,T,E,Bari,part_time,cv,2026-02-30,2027-01-31\n");
  REQUIRE(feed.rows.size() == 2);
  const int64_t utc_0930 =
      duration_cast<milliseconds>(
          (sys_days(year{2026} / 11 / 10) + 9h + 30min).time_since_epoch())
          .count();
  CHECK(feed.rows[0].vacancy.published_at == utc_0930);
  CHECK(feed.rows[0].vacancy.expires_at == RomeMidnight(2027, 2, 1));
  CHECK(feed.rows[1].vacancy.published_at == utc_0930 - 3600 * 1000);
  CHECK(feed.rows[1].vacancy.expires_at ==
        core::ToMillis(core::FromRome(year{2027} / 1 / 31, 18, 0)));
  REQUIRE(feed.errors.size() == 1);
  CHECK(feed.errors[0].field == "published_at");
}

TEST_CASE("json feeds report problems by array index") {
  ParsedFeed feed = Json(R"([
    {"external_id": "j1", "title": "Barista", "employer": "Bar", "comune": "Bari",
     "contract": "full_time", "how_to_apply": "cv", "expires_at": "2027-01-31",
     "partner": true, "province": null},
    "not an object",
    {"external_id": "j3", "title": "Cuoco", "employer": "Osteria", "comune": "Bari",
     "contract": "full_time", "how_to_apply": "cv", "expires_at": "2027-01-31", "salary": "1000"},
    {"external_id": "j4", "title": 42, "employer": "Osteria", "comune": "Bari",
     "contract": "stage", "how_to_apply": "cv", "expires_at": "2027-01-31"},
    {"external_id": "j1", "title": "Barista", "employer": "Bar", "comune": "Bari",
     "contract": "full_time", "how_to_apply": "cv", "expires_at": "2027-01-31"}
  ])");
  REQUIRE(feed.rows.size() == 1);
  CHECK(feed.rows[0].vacancy.partner);
  CHECK(feed.rows[0].where == 0);
  std::vector<std::string> errors;
  for (const auto& e : feed.errors) errors.push_back(ToString(e));
  CHECK(errors ==
        std::vector<std::string>{
            "index 1: not an object",
            "index 2: salary: unknown field",
            "index 3: title: expected text",
            "index 3: title: missing",
            "index 3: contract: 'stage' is not one of full_time, part_time, "
            "tirocinio, stagionale, apprendistato",
            "index 4: external_id: 'j1' already used at index 0",
        });
  CHECK(RejectedRows(feed.errors) == 4);
}

TEST_CASE("a json file that is not an array of vacancies is refused whole") {
  CHECK(ParseVacancyJson(R"({"external_id": "x"})", kNow).status().code() ==
        Status::Code::kInvalidArgument);
  auto broken = ParseVacancyJson("[{\"title\": ", kNow);
  CHECK(broken.status().code() == Status::Code::kInvalidArgument);
  CHECK(broken.status().message().rfind("json: ", 0) == 0);
}

TEST_CASE("the feed format is told from the first character") {
  auto json = ParseVacancyFeed("\xEF\xBB\xBF  [ ]", kNow);
  REQUIRE(json.ok());
  CHECK(json->format == FeedFormat::kJson);
  auto csv = ParseVacancyFeed(kHeader, kNow);
  REQUIRE(csv.ok());
  CHECK(csv->format == FeedFormat::kCsv);
}

TEST_CASE("importing the same feed twice changes nothing the second time") {
  auto db = MigratedDb();
  ParsedFeed feed =
      Csv(std::string(kHeader) + Row("a") + Row("b") + Row("c", "X", "fisso"));

  auto first = ImportFeed(*db, feed, kNow);
  REQUIRE(first.ok());
  CHECK(first->inserted == 2);
  CHECK(RejectedRows(first->rejected) == 1);
  auto second = ImportFeed(*db, feed, kNow + 1000);
  REQUIRE(second.ok());
  CHECK(second->inserted == 0);
  CHECK(second->updated == 0);
  CHECK(second->unchanged == 2);

  ParsedFeed changed =
      Csv(std::string(kHeader) + Row("a", "Cameriere esperto") + Row("d"));
  auto third = ImportFeed(*db, changed, kNow + 2000);
  REQUIRE(third.ok());
  CHECK(third->inserted == 1);
  CHECK(third->updated == 1);
  auto count = CountVacancies(*db);
  REQUIRE(count.ok());
  CHECK(*count == 3);
  auto a = FindVacancyByExternalId(*db, "a");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->title == "Cameriere esperto");
}

TEST_CASE(
    "a feed without publication dates keeps the first import's on later "
    "imports") {
  auto db = MigratedDb();
  const std::string text =
      "external_id,title,employer,comune,contract,how_to_apply,expires_at\n"
      "a,Commesso,Negozio,Bari,part_time,in negozio,2027-01-31\n";
  auto first = ParseVacancyCsv(text, kNow);
  REQUIRE(first.ok());
  CHECK_FALSE(first->rows[0].published_given);
  REQUIRE(ImportFeed(*db, *first, kNow).ok());

  auto later = ParseVacancyCsv(text, kNow + 86'400'000);
  REQUIRE(later.ok());
  auto summary = ImportFeed(*db, *later, kNow + 86'400'000);
  REQUIRE(summary.ok());
  CHECK(summary->unchanged == 1);
  auto stored = FindVacancyByExternalId(*db, "a");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->published_at == kNow);
}

TEST_CASE(
    "an expired row is rejected when new and withdraws a stored vacancy") {
  auto db = MigratedDb();
  REQUIRE(
      ImportFeed(*db, Csv(std::string(kHeader) + Row("stored")), kNow).ok());

  ParsedFeed expired =
      Csv(std::string(kHeader) +
          Row("stored", "Cameriere", "part_time", "2026-11-12", "2026-11-01") +
          Row("new", "Cameriere", "part_time", "2026-11-12", "2026-11-01"));
  REQUIRE(expired.errors.empty());
  auto summary = ImportFeed(*db, expired, kNow);
  REQUIRE(summary.ok());
  CHECK(summary->updated == 1);
  CHECK(summary->inserted == 0);
  REQUIRE(summary->rejected.size() == 1);
  CHECK(ToString(summary->rejected[0]) ==
        "line 3: expires_at: already expired");
  auto active = FindVacancies(*db, {}, kNow);
  REQUIRE(active.ok());
  CHECK(active->empty());
}

}  // namespace
}  // namespace sportello::storage
