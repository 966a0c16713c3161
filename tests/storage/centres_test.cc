// The centres of a deployment: centre 1 from the migration, centres added,
// edited and disabled, the comuni each serves and the staff of each.
#include "storage/centres.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/migrations.h"
#include "storage/staff.h"
#include "tests/support/storage_fixture.h"
#include "tests/support/test_database.h"

namespace sportello::storage {
namespace {

using core::Status;

Centre Named(std::string name, std::vector<std::string> comuni = {}) {
  Centre c;
  c.name = std::move(name);
  c.comuni = std::move(comuni);
  return c;
}

int64_t Add(Database& db, const Centre& c) {
  Transaction txn(db);
  REQUIRE(txn.status().ok());
  auto id = AddCentre(db, c, 100);
  REQUIRE(id.ok());
  REQUIRE(txn.Commit().ok());
  return *id;
}

Centre Find(Database& db, int64_t id) {
  auto c = FindCentre(db, id);
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  return **c;
}

// Molfetta 072029, Bari 072006, Altamura 072004, Giovinazzo 072022.
constexpr const char* kBari = "072006";
constexpr const char* kMolfetta = "072029";
constexpr const char* kGiovinazzo = "072022";

TEST_CASE("every database has centre 1, following the configuration") {
  auto db = support::MigratedDb();
  auto all = ListCentres(*db, /*with_disabled=*/true);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(all->front().id == kFirstCentre);
  CHECK(all->front().from_config);
  CHECK(all->front().comuni.empty());
  CHECK(all->front().services.empty());
}

TEST_CASE("a centre is added with everything the bot tells about it") {
  auto db = support::MigratedDb();
  Centre c = Named("Molfetta", {kMolfetta, kGiovinazzo, kMolfetta});
  c.address = "Via Cifariello 29, Molfetta";
  c.hours = "lun-ven 9-12";
  c.opening_hours = "1-5 09:00-12:00";
  c.closures = "05-08";
  c.contacts = "080 111";
  c.services = {"orientamento", "curriculum"};
  c.whatsapp_phone_number_id = "106540352242922";

  const int64_t id = Add(*db, c);

  CHECK(id > kFirstCentre);
  const Centre found = Find(*db, id);
  CHECK(found.name == "Molfetta");
  CHECK(found.address == c.address);
  CHECK(found.hours == c.hours);
  CHECK(found.opening_hours == c.opening_hours);
  CHECK(found.closures == "05-08");
  CHECK(found.contacts == "080 111");
  CHECK(found.services ==
        std::vector<std::string>{"curriculum", "orientamento"});
  CHECK(found.comuni == std::vector<std::string>{kGiovinazzo, kMolfetta});
  CHECK(found.whatsapp_phone_number_id == "106540352242922");
  CHECK_FALSE(found.telegram_bot_id.has_value());
  CHECK_FALSE(found.from_config);
  CHECK_FALSE(found.disabled);
  CHECK(found.created_at == 100);
}

TEST_CASE("a name or a channel account belongs to one centre") {
  auto db = support::MigratedDb();
  Centre bari = Named("Bari");
  bari.telegram_bot_id = "7001";
  Add(*db, bari);
  Transaction txn(*db);
  REQUIRE(txn.status().ok());

  auto same_name = AddCentre(*db, Named("Bari"), 1);
  CHECK(same_name.status().code() == Status::Code::kAlreadyExists);
  Centre same_bot = Named("Altamura");
  same_bot.telegram_bot_id = "7001";
  auto taken = AddCentre(*db, same_bot, 1);
  CHECK(taken.status().code() == Status::Code::kAlreadyExists);
  CHECK(taken.status().message().find("Bari") != std::string::npos);

  // The transaction goes on after the refusals (PostgreSQL included).
  CHECK(AddCentre(*db, Named("Altamura"), 1).ok());
  REQUIRE(txn.Commit().ok());
  auto all = ListCentres(*db, true);
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
}

TEST_CASE(
    "a centre's own bot or number names the centre, closed or not, and no "
    "other") {
  auto db = support::MigratedDb();
  Centre molfetta = Named("Molfetta");
  molfetta.telegram_bot_id = "7001";
  molfetta.whatsapp_phone_number_id = "109876543299";
  const int64_t id = Add(*db, molfetta);

  auto bot = CentreOfTelegramBot(*db, "7001");
  REQUIRE(bot.ok());
  REQUIRE(bot->has_value());
  CHECK((*bot)->centre_id == id);
  CHECK_FALSE((*bot)->disabled);
  auto number = CentreOfWhatsAppNumber(*db, "109876543299");
  REQUIRE(number.ok());
  REQUIRE(number->has_value());
  CHECK((*number)->centre_id == id);
  // A bot id is not a phone number id, nor the other way round.
  CHECK_FALSE(CentreOfTelegramBot(*db, "109876543299")->has_value());
  CHECK_FALSE(CentreOfWhatsAppNumber(*db, "7001")->has_value());
  CHECK_FALSE(CentreOfTelegramBot(*db, "7002")->has_value());

  {
    Transaction txn(*db);
    REQUIRE(txn.status().ok());
    REQUIRE(DisableCentre(*db, id, 200).ok());
    REQUIRE(txn.Commit().ok());
  }
  auto closed = CentreOfTelegramBot(*db, "7001");
  REQUIRE(closed.ok());
  REQUIRE(closed->has_value());
  CHECK((*closed)->disabled);
}

TEST_CASE("a comune is served by one enabled centre at a time") {
  auto db = support::MigratedDb();
  const int64_t bari = Add(*db, Named("Bari", {kBari}));
  Transaction txn(*db);
  REQUIRE(txn.status().ok());

  auto clash = AddCentre(*db, Named("Modugno", {"072027", kBari}), 1);

  CHECK(clash.status().code() == Status::Code::kAlreadyExists);
  CHECK(clash.status().message().find(kBari) != std::string::npos);
  CHECK(clash.status().message().find("Bari") != std::string::npos);
  auto found = CentreForComune(*db, kBari);
  REQUIRE(found.ok());
  CHECK(*found == bari);
  auto modugno = ListCentres(*db, true);
  REQUIRE(modugno.ok());
  CHECK(modugno->size() == 2);  // nothing of the refused centre is left
  CHECK(CentreForComune(*db, "072027")->has_value() == false);
}

TEST_CASE("the centre for a comune is the enabled one serving it") {
  auto db = support::MigratedDb();
  const int64_t molfetta = Add(*db, Named("Molfetta", {kMolfetta}));
  auto found = CentreForComune(*db, kMolfetta);
  REQUIRE(found.ok());
  CHECK(*found == molfetta);
  CHECK_FALSE(CentreForComune(*db, kBari)->has_value());

  REQUIRE(DisableCentre(*db, molfetta, 200).ok());

  CHECK_FALSE(CentreForComune(*db, kMolfetta)->has_value());
  // Its comuni may now go to another centre.
  const int64_t bari = Add(*db, Named("Bari", {kBari, kMolfetta}));
  CHECK(*CentreForComune(*db, kMolfetta) == bari);
}

TEST_CASE("the enabled centres are counted, disabled ones not") {
  auto db = support::MigratedDb();
  auto count = [&] {
    auto n = CountEnabledCentres(*db);
    REQUIRE(n.ok());
    return *n;
  };
  CHECK(count() == 1);
  const int64_t molfetta = Add(*db, Named("CPI Molfetta", {kMolfetta}));
  Add(*db, Named("CPI Altamura"));
  CHECK(count() == 3);
  REQUIRE(DisableCentre(*db, molfetta, 200).ok());
  CHECK(count() == 2);
}

TEST_CASE("editing changes only the fields given") {
  auto db = support::MigratedDb();
  Centre c = Named("Altamura", {"072004"});
  c.address = "Piazza Duomo";
  c.contacts = "080 222";
  c.telegram_bot_id = "9001";
  const int64_t id = Add(*db, c);
  Transaction txn(*db);
  REQUIRE(txn.status().ok());

  CentreChanges changes;
  changes.address = "Via Roma 1";
  changes.services = std::vector<std::string>{"orientamento"};
  changes.telegram_bot_id = "";  // cleared
  changes.comuni = std::vector<std::string>{"072004", "072017"};
  REQUIRE(EditCentre(*db, id, changes, 300).ok());
  REQUIRE(txn.Commit().ok());

  const Centre after = Find(*db, id);
  CHECK(after.name == "Altamura");
  CHECK(after.address == "Via Roma 1");
  CHECK(after.contacts == "080 222");
  CHECK(after.services == std::vector<std::string>{"orientamento"});
  CHECK_FALSE(after.telegram_bot_id.has_value());
  CHECK(after.comuni == std::vector<std::string>{"072004", "072017"});
  CHECK(after.updated_at == 300);
  CHECK(after.created_at == 100);
}

TEST_CASE("editing an unknown centre is NotFound") {
  auto db = support::MigratedDb();
  Transaction txn(*db);
  REQUIRE(txn.status().ok());
  CentreChanges changes;
  changes.name = "X";
  CHECK(EditCentre(*db, 42, changes, 1).code() == Status::Code::kNotFound);
  CHECK(DisableCentre(*db, 42, 1).code() == Status::Code::kNotFound);
}

TEST_CASE("centre 1 follows the configuration until it is edited") {
  auto db = support::MigratedDb();
  ConfiguredCentre configured{"Porta Futuro", "Via Petroni 15/F, Bari",
                              "lun-ven 9-13", "1-5 09:00-13:00",
                              "12-06",        "080 000"};

  auto wrote = AdoptConfiguredCentre(*db, configured, 10);
  REQUIRE(wrote.ok());
  CHECK(*wrote);
  Centre first = Find(*db, kFirstCentre);
  CHECK(first.name == "Porta Futuro");
  CHECK(first.address == "Via Petroni 15/F, Bari");
  CHECK(first.opening_hours == "1-5 09:00-13:00");
  CHECK(first.closures == "12-06");
  CHECK(first.updated_at == 10);
  // The same configuration again writes nothing.
  CHECK_FALSE(*AdoptConfiguredCentre(*db, configured, 20));
  CHECK(Find(*db, kFirstCentre).updated_at == 10);

  SUBCASE("comuni and services do not come from the configuration") {
    Transaction txn(*db);
    REQUIRE(txn.status().ok());
    CentreChanges changes;
    changes.comuni = std::vector<std::string>{kBari};
    REQUIRE(EditCentre(*db, kFirstCentre, changes, 30).ok());
    REQUIRE(txn.Commit().ok());
    CHECK(Find(*db, kFirstCentre).from_config);
  }
  SUBCASE("an edited name is the database's from then on") {
    Transaction txn(*db);
    REQUIRE(txn.status().ok());
    CentreChanges changes;
    changes.name = "Porta Futuro Bari";
    REQUIRE(EditCentre(*db, kFirstCentre, changes, 30).ok());
    REQUIRE(txn.Commit().ok());
    CHECK_FALSE(Find(*db, kFirstCentre).from_config);

    configured.address = "altrove";
    CHECK_FALSE(*AdoptConfiguredCentre(*db, configured, 40));
    first = Find(*db, kFirstCentre);
    CHECK(first.name == "Porta Futuro Bari");
    CHECK(first.address == "Via Petroni 15/F, Bari");
  }
}

TEST_CASE("a disabled centre is kept but listed only on request") {
  auto db = support::MigratedDb();
  const int64_t id = Add(*db, Named("Altamura"));

  REQUIRE(DisableCentre(*db, id, 50).ok());
  CHECK(DisableCentre(*db, id, 60).ok());  // once is enough

  auto enabled = ListCentres(*db, false);
  REQUIRE(enabled.ok());
  REQUIRE(enabled->size() == 1);
  CHECK(enabled->front().id == kFirstCentre);
  auto all = ListCentres(*db, true);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->back().disabled);
  CHECK(all->back().updated_at == 50);
}

TEST_CASE("centre 1 cannot be disabled") {
  auto db = support::MigratedDb();
  CHECK(DisableCentre(*db, kFirstCentre, 1).code() ==
        Status::Code::kInvalidArgument);
  CHECK_FALSE(Find(*db, kFirstCentre).disabled);
}

TEST_CASE("staff work for the centres they are given") {
  auto db = support::MigratedDb();
  const int64_t molfetta = Add(*db, Named("Molfetta"));
  const int64_t altamura = Add(*db, Named("Altamura"));
  auto anna = AddStaff(*db, "anna", StaffRole::kCounsellor, "h", 1);
  REQUIRE(anna.ok());
  Transaction txn(*db);
  REQUIRE(txn.status().ok());

  REQUIRE(SetStaffCentres(*db, *anna, {altamura, molfetta}).ok());
  auto ids = StaffCentreIds(*db, *anna);
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<int64_t>{molfetta, altamura});

  SUBCASE("an unknown centre changes nothing") {
    CHECK(SetStaffCentres(*db, *anna, {kFirstCentre, 99}).code() ==
          Status::Code::kNotFound);
    CHECK(*StaffCentreIds(*db, *anna) ==
          std::vector<int64_t>{molfetta, altamura});
  }
  SUBCASE("a disabled centre takes no new staff") {
    REQUIRE(DisableCentre(*db, altamura, 5).ok());
    CHECK(SetStaffCentres(*db, *anna, {altamura}).code() ==
          Status::Code::kNotFound);
  }
  SUBCASE("the set replaces the previous one") {
    REQUIRE(SetStaffCentres(*db, *anna, {kFirstCentre}).ok());
    CHECK(*StaffCentreIds(*db, *anna) == std::vector<int64_t>{kFirstCentre});
  }
}

TEST_CASE("the schema keeps centre_admin among the staff roles") {
  auto db = support::MigratedDb();
  auto id = AddStaff(*db, "chiara", StaffRole::kCentreAdmin, "h", 1);
  REQUIRE(id.ok());
  auto found = FindStaff(*db, "chiara");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->role == StaffRole::kCentreAdmin);
  CHECK(db->Exec("UPDATE staff SET role = 'boss'").code() ==
        Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace sportello::storage
