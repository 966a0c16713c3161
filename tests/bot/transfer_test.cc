// POST /api/conversations/{id}/transfer: a conversation goes to another
// centre's queue with a note for its staff; the person is told where and
// how to leave the queue; the old centre no longer sees it.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "storage/appointments.h"
#include "storage/centres.h"
#include "tests/bot/network_console.h"

namespace sportello::testing {
namespace {

using nlohmann::json;

bool Contains(const json& replies, const std::string& part) {
  for (const auto& r : replies) {
    if (r["text"].get<std::string>().find(part) != std::string::npos)
      return true;
  }
  return false;
}

// Adds CPI Altamura, disabled: a centre of the network that takes no
// transfers. Returns its id.
int64_t AddClosedCentre(NetworkConsole& n) {
  int64_t closed = 0;
  REQUIRE(n.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                storage::Centre a;
                a.name = "CPI Altamura";
                auto id = storage::AddCentre(db, a, n.bot.clock.NowMillis());
                if (!id.ok()) return id.status();
                closed = *id;
                return storage::DisableCentre(db, closed,
                                              n.bot.clock.NowMillis());
              })
              .ok());
  return closed;
}

TEST_CASE(
    "a transfer puts the person in the new centre's queue with the note, "
    "and tells them") {
  NetworkConsole n;
  const int64_t id = n.Person("giulia", n.bari);
  REQUIRE(n.Call("POST", n.Path(id, "takeover"), n.anna).status == 200);
  (void)n.Poll("giulia");

  auto r = n.Call(
      "POST", n.Path(id, "transfer"), n.anna,
      json{{"centre_id", n.molfetta},
           {"note", "Abita a Molfetta, cerca lavoro nella ristorazione"}});
  REQUIRE_MESSAGE(r.status == 200, r.body);
  const json moved = Body(r);
  CHECK(moved["centre_id"] == n.molfetta);
  CHECK(moved["from_centre_id"] == n.bari);
  // anna let go: the conversation waits for Molfetta's staff.
  CHECK(moved["mode"] == "waiting_for_human");
  CHECK(moved["assigned_to"].is_null());

  // The person is told where, that the centre will write, and the way out.
  const json told = n.Poll("giulia");
  CHECK(Contains(told, "CPI Molfetta (Via Cifariello 29, Molfetta)"));
  CHECK(Contains(told, "ti scriveranno da lì"));
  CHECK(Contains(told, "«annulla»"));
  CHECK_FALSE(Contains(told, "appuntamenti"));  // they have none

  // Bari no longer sees it, exactly as one that does not exist.
  auto gone = n.Call("GET", n.Path(id), n.anna);
  CHECK(gone.status == 404);
  CHECK(gone.body == n.Call("GET", n.Path(987654), n.anna).body);
  CHECK(
      n.Call("POST", n.Path(id, "messages"), n.anna, json{{"text", "ci sei?"}})
          .status == 404);

  // Molfetta has it in its queue, with the note.
  auto queue = n.Call("GET", "/api/conversations", n.bruno);
  REQUIRE(queue.status == 200);
  REQUIRE(Body(queue)["conversations"].size() == 1);
  CHECK(Body(queue)["conversations"][0]["id"] == id);
  auto seen = n.Call("GET", n.Path(id), n.bruno);
  REQUIRE(seen.status == 200);
  const json notes = Body(seen)["notes"];
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]["author"] == "anna");
  CHECK(notes[0]["text"].get<std::string>().find(
            "Abita a Molfetta, cerca lavoro nella ristorazione") !=
        std::string::npos);
  CHECK(notes[0]["text"].get<std::string>().starts_with("Trasferita da "));
  CHECK(n.Call("POST", n.Path(id, "takeover"), n.bruno).status == 200);

  // On record, with the centre it left and both centres in the detail.
  CHECK(n.bot.Count("SELECT count(*) FROM audit_log WHERE action = 'transfer'"
                    " AND actor = 'anna' AND conversation_id = " +
                    std::to_string(id) + " AND centre_id = 1 AND detail = " +
                    "'from 1 to " + std::to_string(n.molfetta) + "'") == 1);
}

TEST_CASE("a transferred person may leave the new queue for the bot") {
  NetworkConsole n;
  const int64_t id = n.Person("marco", n.bari);
  REQUIRE(n.Call("POST", n.Path(id, "transfer"), n.anna,
                 json{{"centre_id", n.molfetta}, {"note", "Vive a Molfetta"}})
              .status == 200);
  (void)n.bot.Say("marco", "annulla");
  CHECK(n.bot.Count("SELECT count(*) FROM conversations WHERE id = " +
                    std::to_string(id) + " AND mode = 'bot' AND centre_id = " +
                    std::to_string(n.molfetta)) == 1);
}

TEST_CASE("a person's bookings stay where they were made, and they are told") {
  NetworkConsole n;
  const int64_t id = n.Person("sara", n.bari);
  const int64_t user =
      n.bot.Count("SELECT id FROM users WHERE external_id = 'sara'");
  int64_t booking = 0;
  REQUIRE(n.bot.store
              ->Write([&](storage::Database& db) -> core::Status {
                storage::NewSlot s;
                s.counsellor = "anna";
                s.starts_at = n.bot.clock.NowMillis() + 3 * 86'400'000LL;
                s.minutes = 30;
                s.place = "Via Roma 1, Bari";
                auto slot = storage::AddSlot(db, s, n.bot.clock.NowMillis());
                if (!slot.ok()) return slot.status();
                auto b = storage::InsertBooking(db, *slot, user, "orientamento",
                                                n.bot.clock.NowMillis());
                if (!b.ok()) return b.status();
                booking = *b;
                return core::Status::Ok();
              })
              .ok());
  (void)n.Poll("sara");
  // A regional admin transfers too.
  REQUIRE(n.Call("POST", n.Path(id, "transfer"), n.capo,
                 json{{"centre_id", n.molfetta}, {"note", "Più vicino"}})
              .status == 200);
  CHECK(Contains(n.Poll("sara"), "restano come sono"));
  CHECK(n.bot.Count("SELECT count(*) FROM bookings WHERE id = " +
                    std::to_string(booking) + " AND state = 'booked'") == 1);
}

TEST_CASE("any staff may list the network's enabled centres to transfer to") {
  NetworkConsole n;
  AddClosedCentre(n);
  const auto names = [&](const std::string& token,
                         std::map<std::string, std::string> query) {
    auto r = n.Call("GET", "/api/centres", token, "", std::move(query));
    REQUIRE(r.status == 200);
    const json body = Body(r);
    std::vector<std::string> out;
    for (const auto& c : body["centres"]) out.push_back(c["name"]);
    return out;
  };
  CHECK(names(n.anna, {}).size() == 1);
  CHECK(names(n.anna, {{"all", "1"}}) ==
        std::vector<std::string>{names(n.anna, {})[0], "CPI Molfetta"});
  CHECK(names(n.capo, {}).size() == 3);  // disabled ones too
  CHECK(names(n.capo, {{"all", "1"}}).size() == 2);
}

TEST_CASE("a transfer is refused without changing anything") {
  NetworkConsole n;
  const int64_t in_bari = n.Person("ada", n.bari);
  const int64_t in_molfetta = n.Person("bea", n.molfetta);
  const int64_t closed = AddClosedCentre(n);
  const auto transfer = [&](const std::string& token, int64_t id,
                            const json& body) {
    return n.Call("POST", n.Path(id, "transfer"), token, body);
  };
  const auto field = [](const http::Response& r) {
    return r.status == 422 ? Body(r)["field"].get<std::string>() : "";
  };
  const json to_molfetta = {{"centre_id", n.molfetta}, {"note", "Vive lì"}};

  // The centre: unknown, disabled, the same, not an id.
  CHECK(field(transfer(n.anna, in_bari, {{"centre_id", 999}, {"note", "x"}})) ==
        "centre_id");
  CHECK(field(transfer(n.anna, in_bari,
                       {{"centre_id", closed}, {"note", "x"}})) == "centre_id");
  CHECK(field(transfer(n.anna, in_bari,
                       {{"centre_id", n.bari}, {"note", "x"}})) == "centre_id");
  CHECK(field(transfer(n.anna, in_bari, {{"centre_id", "2"}, {"note", "x"}})) ==
        "centre_id");
  // The note: missing, blank, too long.
  CHECK(field(transfer(n.anna, in_bari, {{"centre_id", n.molfetta}})) ==
        "note");
  CHECK(field(transfer(n.anna, in_bari,
                       {{"centre_id", n.molfetta}, {"note", "  \n"}})) ==
        "note");
  CHECK(field(transfer(n.anna, in_bari,
                       {{"centre_id", n.molfetta},
                        {"note", std::string(4097, 'a')}})) == "note");
  CHECK(n.Call("POST", n.Path(in_bari, "transfer"), n.anna, "[1]").status ==
        400);
  // Another centre's conversation is not found, as one that does not exist.
  auto other = transfer(n.anna, in_molfetta, to_molfetta);
  CHECK(other.status == 404);
  CHECK(other.body == transfer(n.anna, 987654, to_molfetta).body);
  // Held by another counsellor of the centre.
  const std::string dora =
      n.Member("dora", storage::StaffRole::kCounsellor, {n.bari});
  REQUIRE(n.Call("POST", n.Path(in_bari, "takeover"), dora).status == 200);
  auto held = transfer(n.anna, in_bari, to_molfetta);
  CHECK(held.status == 409);
  CHECK(Body(held)["assigned_to"] == "dora");
  CHECK(n.Call("GET", n.Path(in_bari, "transfer"), n.anna).status == 405);

  CHECK(n.bot.Count("SELECT centre_id FROM conversations WHERE id = " +
                    std::to_string(in_bari)) == n.bari);
  CHECK(n.bot.Count("SELECT count(*) FROM conversation_notes") == 0);
  CHECK(n.bot.Count(
            "SELECT count(*) FROM audit_log WHERE action = 'transfer'") == 0);
}

}  // namespace
}  // namespace sportello::testing
