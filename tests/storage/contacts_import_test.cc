// Front-desk contacts: validation with the line and field of each error,
// consent required, and an import that can run twice without changing
// anything (nor undoing an opt-out).
#include "storage/contacts_import.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/broadcasts.h"
#include "storage/profiles.h"
#include "storage/users.h"
#include "tests/support/storage_fixture.h"

namespace sportello::storage {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-18

constexpr const char* kCsv =
    "channel,address,name,comune,birth_year,consent_at,topics\n"
    "whatsapp,393331234567,Anna,Bari,2003,2026-10-01,lavoro;Formazione\n"
    "telegram,123456789,Luca,Molfetta,,01/10/2026,\n"
    "sms,555,Eva,Bari,2000,2026-10-01,\n"
    "whatsapp,+39333,Ugo,Bari,2000,2026-10-01,\n"
    "telegram,987,Ida,Bari,2000,,\n"
    "telegram,988,Lia,Bari,1850,2026-10-01,\n"
    "whatsapp,393331234567,Anna bis,Bari,2003,2026-10-01,\n";

using support::MigratedDb;

ContactsSummary Import(Database& db, std::string_view csv) {
  auto parsed = ParseContactsCsv(csv, kNow);
  REQUIRE(parsed.ok());
  Transaction txn(db);
  auto summary = ImportContacts(db, *parsed, kNow);
  REQUIRE(summary.ok());
  REQUIRE(txn.Commit().ok());
  return *summary;
}

std::string Errors(const ContactsSummary& s) {
  std::string out;
  for (const auto& e : s.rejected) out += ToString(e) + "\n";
  return out;
}

TEST_CASE("bad contacts are reported by line and field, good ones imported") {
  auto db = MigratedDb();
  const auto s = Import(*db, kCsv);
  CHECK(s.inserted == 2);
  CHECK(s.existing == 0);
  const std::string errors = Errors(s);
  CAPTURE(errors);
  CHECK(errors.find("line 4: channel: 'sms'") != std::string::npos);
  CHECK(errors.find("line 5: address: '+39333'") != std::string::npos);
  CHECK(errors.find("line 6: consent_at: missing") != std::string::npos);
  CHECK(errors.find("line 7: birth_year: '1850'") != std::string::npos);
  CHECK(errors.find("line 8: address: already on line 2") != std::string::npos);
  CHECK(RejectedRows(s.rejected) == 5);
}

TEST_CASE("an imported contact is a subscriber with profile and topics") {
  auto db = MigratedDb();
  Import(*db, kCsv);
  auto u = FindUser(*db, "whatsapp", "393331234567");
  REQUIRE(u.ok());
  REQUIRE(u->has_value());
  CHECK((*u)->chat_id == "393331234567");
  CHECK((*u)->name == "Anna");
  CHECK((*u)->notify);
  CHECK((*u)->consent_at.has_value());
  auto p = FindProfile(*db, (*u)->id);
  REQUIRE(p.ok());
  REQUIRE(p->has_value());
  CHECK((*p)->answers["comune"] == "Bari");
  CHECK((*p)->answers["birth_year"] == "2003");
  // Anna chose "formazione"; Luca chose nothing, so he gets every notice.
  Audience topic;
  topic.topics = {"formazione"};
  CHECK(*CountAudience(*db, topic, kNow) == 2);
  topic.topics = {"impresa"};
  CHECK(*CountAudience(*db, topic, kNow) == 1);
  CHECK(*CountAudience(*db, {}, kNow) == 2);
}

TEST_CASE("importing the same file again changes nothing") {
  auto db = MigratedDb();
  Import(*db, kCsv);
  const auto again = Import(*db, kCsv);
  CHECK(again.inserted == 0);
  CHECK(again.existing == 2);
  Statement st = db->Prepare(
      "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM "
      "user_topics), (SELECT count(*) FROM profile_answers)");
  REQUIRE(st.Step());
  CHECK(st.Int(0) == 2);
  CHECK(st.Int(1) == 2);
  CHECK(st.Int(2) == 3);
}

TEST_CASE("a re-import never undoes an opt-out") {
  auto db = MigratedDb();
  Import(*db, kCsv);
  auto u = FindUser(*db, "telegram", "123456789");
  REQUIRE(SetNotify(*db, (*u)->id, false).ok());
  Import(*db, kCsv);
  CHECK_FALSE((*FindUser(*db, "telegram", "123456789"))->notify);
}

TEST_CASE("a file without the required columns imports nothing") {
  CHECK(ParseContactsCsv("channel,address\ntelegram,1\n", kNow)
            .status()
            .message()
            .find("consent_at") != std::string::npos);
  CHECK(ParseContactsCsv("channel,address,consent_at,phone\n", kNow)
            .status()
            .message()
            .find("unknown column 'phone'") != std::string::npos);
}

}  // namespace
}  // namespace sportello::storage
