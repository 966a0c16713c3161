// A TestBot with staff accounts and their sessions, for the console API
// tests: requests go to the routes with a Bearer token.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/domain/password.h"
#include "storage/centres.h"
#include "storage/profiles.h"
#include "storage/staff.h"
#include "storage/users.h"
#include "tests/bot/test_bot.h"

namespace sportello::testing {

struct StaffConsole {
  TestBot bot;

  static constexpr const char* kPassword = "correct-horse-battery";

  // Counsellors and centre admins work for centre 1, as in a deployment
  // with one centre; a regional admin for none.
  // Hashing at full cost in every test would cost seconds; the cost travels
  // with the hash, so a cheap one exercises the same code.
  void AddStaff(const std::string& name, storage::StaffRole role,
                const std::string& password = kPassword) {
    const std::string hash =
        HashPassword(password, ScryptCost{1 << 10, 8, 1}).value();
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) {
                  auto id = storage::AddStaff(db, name, role, hash,
                                              bot.clock.NowMillis());
                  if (!id.ok() || role == storage::StaffRole::kAdmin)
                    return id.status();
                  // As `sportello users add` does in a deployment with one
                  // centre.
                  return storage::SetStaffCentres(db, *id,
                                                  {storage::kFirstCentre});
                })
                .ok());
  }

  http::Response LoginResponse(
      const std::string& name, const std::string& password = kPassword,
      std::map<std::string, std::string> headers = {}) {
    return bot.Request(
        "POST", "/api/login",
        nlohmann::json{{"username", name}, {"password", password}}.dump(),
        std::move(headers));
  }

  std::string Login(const std::string& name) {
    auto r = LoginResponse(name);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body)["token"];
  }

  // Logs in a new account; returns its session token.
  std::string Staff(const std::string& name,
                    storage::StaffRole role = storage::StaffRole::kCounsellor) {
    AddStaff(name, role);
    return Login(name);
  }

  // Logs in a new account working for `centres` rather than centre 1.
  std::string Member(const std::string& name, storage::StaffRole role,
                     const std::vector<int64_t>& centres) {
    const std::string token = Staff(name, role);
    REQUIRE(bot.store
                ->Write([&](storage::Database& db) -> core::Status {
                  auto staff = storage::FindStaff(db, name);
                  if (!staff.ok()) return staff.status();
                  return storage::SetStaffCentres(db, (*staff)->id, centres);
                })
                .ok());
    return token;
  }

  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& token, const std::string& body = "",
                      std::map<std::string, std::string> query = {}) {
    return bot.Request(method, path, body,
                       {{"authorization", "Bearer " + token}},
                       std::move(query));
  }
  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& token, const char* body) {
    return Call(method, path, token, std::string(body));
  }
  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& token, const nlohmann::json& body) {
    return Call(method, path, token, body.dump());
  }

  // A Telegram or WhatsApp subscriber (consent, notices on), with profile
  // answers.
  int64_t Subscriber(const std::string& channel, const std::string& chat,
                     std::map<std::string, std::string> answers = {},
                     const std::string& language = "it") {
    int64_t id = 0;
    REQUIRE(
        bot.store
            ->Write([&](storage::Database& db) -> core::Status {
              const int64_t now = bot.clock.NowMillis();
              auto u = storage::UpsertUserOnInbound(db, channel, chat, chat, "",
                                                    now);
              if (!u.ok()) return u.status();
              id = u->id;
              if (auto s = storage::RecordConsent(db, id, "v1", now); !s.ok())
                return s;
              if (auto s = storage::SetUserLanguage(db, id, language); !s.ok())
                return s;
              for (const auto& answer : answers) {
                if (auto s = storage::SaveAnswer(db, id, answer.first,
                                                 answer.second, now);
                    !s.ok())
                  return s;
              }
              return storage::SetNotify(db, id, true);
            })
            .ok());
    return id;
  }

  // Audit rows with `action`.
  int64_t Audited(const std::string& action, const std::string& actor) {
    return bot.Count("SELECT count(*) FROM audit_log WHERE action = '" +
                     action + "' AND actor = '" + actor + "'");
  }
};

inline nlohmann::json Body(const http::Response& r) {
  return nlohmann::json::parse(r.body);
}

}  // namespace sportello::testing
