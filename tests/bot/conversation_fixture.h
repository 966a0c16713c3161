// What the conversation tests share: a TestBot (the service in-process, on
// SQLite) plus the words to read its replies, arrange the centre's calendar
// and look at the stored conversation. Each helper reads the database or the
// web chat as a person or a counsellor would see them; none reaches inside
// a flow.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/domain/catalog.h"
#include "storage/appointments.h"
#include "storage/events.h"
#include "tests/bot/test_bot.h"
#include "tests/support/rome_day.h"

namespace sportello::testing {

using support::Day;
using support::Rome;

// Where AddSlot's appointments take place (the confirmation repeats it).
inline constexpr const char* kSlotPlace = "Porta Futuro, via Sparano 12, Bari";

// The shipped message catalogue, and one of its Italian texts.
inline const Catalog& Catalogue() {
  static const Catalog catalog = Catalog::LoadEmbedded().value();
  return catalog;
}
inline std::string It(const std::string& key) {
  return Catalogue().Text("it", key);
}

// --- Reading replies ---------------------------------------------------

// Every reply's text, one a line.
inline std::string AllText(const nlohmann::json& replies) {
  std::string out;
  for (const auto& r : replies) out += r["text"].get<std::string>() + "\n";
  return out;
}

inline bool Mentions(const nlohmann::json& replies, const std::string& what) {
  return AllText(replies).find(what) != std::string::npos;
}

inline bool Has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Whether a button with this id is offered.
inline bool Offers(const nlohmann::json& replies, const std::string& id) {
  return Has(ButtonIds(replies), id);
}

// The buttons' titles, in order.
inline std::vector<std::string> Titles(const nlohmann::json& replies) {
  std::vector<std::string> titles;
  for (const auto& r : replies) {
    for (const auto& b : r["buttons"]) titles.push_back(b["title"]);
  }
  return titles;
}

// --- The person ----------------------------------------------------------

// Replies that arrived later for a web-chat user (reminders, notices).
inline nlohmann::json Poll(TestBot& bot, const std::string& user) {
  auto r = bot.Request("GET", "/api/chat", "", {}, {{"user", user}});
  return nlohmann::json::parse(r.body)["replies"];
}

// A person who has written before and consented: flows that keep personal
// data (bookings, events, profile) wait for it.
inline void Ready(TestBot& bot, const std::string& user) {
  (void)bot.Say(user, "ciao");
  bot.GiveConsent(user);
}

// --- The stored conversation (tests with one person) -----------------------

// "bot", "waiting_for_human" or "human".
inline std::string Mode(TestBot& bot) {
  auto reader = bot.store->OpenReader().value();
  auto st = reader->Prepare("SELECT mode FROM conversations");
  return st.Step() ? st.Text(0) : "";
}

// The step the conversation waits on ("q:comune").
inline std::string Step(TestBot& bot) {
  auto reader = bot.store->OpenReader().value();
  auto st = reader->Prepare("SELECT step FROM conversations");
  return st.Step() ? st.Text(0) : "";
}

// --- The centre's calendar -------------------------------------------------

// The id `add` returns, added in its own transaction.
template <typename Add>
int64_t Added(TestBot& bot, Add add) {
  int64_t id = 0;
  REQUIRE(bot.store
              ->Write([&](storage::Database& db) {
                auto added = add(db);
                if (added.ok()) id = *added;
                return added.status();
              })
              .ok());
  return id;
}

// A free 45-minute appointment slot at kSlotPlace, or online.
inline int64_t AddSlot(TestBot& bot, int64_t starts_at,
                       const std::string& service = "orientamento",
                       const std::string& counsellor = "Giulia Rossi",
                       bool online = false) {
  storage::NewSlot s;
  s.service_code = service;
  s.counsellor = counsellor;
  s.starts_at = starts_at;
  s.minutes = 45;
  s.place = online ? std::string(storage::kOnline) : kSlotPlace;
  if (online) s.link = "https://meet.example.org/pf";
  return Added(bot, [&](storage::Database& db) {
    return storage::AddSlot(db, s, bot.clock.NowMillis());
  });
}

// A three-hour event at the Fiera del Levante.
inline int64_t AddEvent(TestBot& bot, const std::string& title,
                        int64_t starts_at, int capacity = 10) {
  storage::NewEvent e;
  e.title = title;
  e.description = "Porta il CV.";
  e.starts_at = starts_at;
  e.ends_at = starts_at + 3 * 3'600'000;
  e.place = "Fiera del Levante, Bari";
  e.capacity = capacity;
  return Added(bot, [&](storage::Database& db) {
    return storage::AddEvent(db, e, bot.clock.NowMillis());
  });
}

}  // namespace sportello::testing
