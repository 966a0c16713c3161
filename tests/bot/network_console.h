// A console over a network of two centres, for the tests of what crosses
// centres (transfers, per-centre reports): centre 1, Bari, and CPI Molfetta.
// anna is Bari's counsellor, bruno Molfetta's, capo the regional admin.
// People write on the web chat and belong to the centre given.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/centres.h"
#include "storage/conversations.h"
#include "storage/staff.h"
#include "tests/bot/staff_console.h"

namespace sportello::testing {

struct NetworkConsole : StaffConsole {
  int64_t bari = storage::kFirstCentre;
  int64_t molfetta = 0;
  std::string anna, bruno, capo;

  NetworkConsole() {
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  storage::Centre m;
                  m.name = "CPI Molfetta";
                  m.address = "Via Cifariello 29, Molfetta";
                  auto id = storage::AddCentre(db, m, bot.clock.NowMillis());
                  if (!id.ok()) return id.status();
                  molfetta = *id;
                  return core::Status::Ok();
                })
                .ok());
    anna = Staff("anna");
    bruno = Member("bruno", storage::StaffRole::kCounsellor, {molfetta});
    capo = Staff("capo", storage::StaffRole::kAdmin);
  }

  // `user` says hello on the web chat and is `centre`'s; returns their
  // conversation's id.
  int64_t Person(const std::string& user, int64_t centre) {
    (void)bot.Say(user, "ciao");
    const int64_t id = ConversationOf(user);
    REQUIRE(id > 0);
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) {
                  return storage::PlaceConversation(db, id, centre,
                                                    bot.clock.NowMillis());
                })
                .ok());
    return id;
  }

  int64_t ConversationOf(const std::string& user) {
    return bot.Count(
        "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
        " WHERE u.external_id = '" +
        user + "'");
  }

  static std::string Path(int64_t id, const std::string& action = "") {
    return "/api/conversations/" + std::to_string(id) +
           (action.empty() ? "" : "/" + action);
  }

  // Replies for a web-chat user that arrived since the last poll.
  nlohmann::json Poll(const std::string& user) {
    auto r = bot.Request("GET", "/api/chat", "", {}, {{"user", user}});
    return nlohmann::json::parse(r.body)["replies"];
  }
};

}  // namespace sportello::testing
