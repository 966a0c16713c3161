// The counsellors' console API: every /api/ path but the public web chat.
// All endpoints need a session (bot/web/auth.h): 401 without, 403 for the
// wrong role. Staff see and act on their centres' objects only; another
// centre's is answered as one that does not exist (bot/web/console_scope.h).
// See docs/api.md for the contract.
//
//   POST /api/login, /api/logout        GET /api/me
//   GET  /api/conversations?mode=       GET /api/conversations/{id}
//   POST /api/conversations/{id}/takeover | messages | notes | release
//   POST /api/conversations/{id}/transfer   to another centre, with a note
//   GET  /api/appointments?date=        POST /api/slots (admins)
//   GET  /api/profiles?q=&comune=&role= GET /api/audit (admin)
//   GET  /api/stream                    server-sent events: what changed
//   GET|POST /api/events                GET|PATCH /api/events/{id}
//   POST /api/events/{id}/cancel        tells everyone signed up
//   POST /api/broadcasts/preview        GET|POST /api/broadcasts
//   GET  /api/broadcasts/{id}           POST /api/broadcasts/{id}/cancel
//   GET  /api/reports/funnel?centre=ID|all&from=&to=&format=json|csv
//   POST /api/bookings/{id}/attendance  attended or no-show, on the day
//   GET  /api/canned-replies?conversation=  PUT (admin): the list
//   GET  /api/centres[?all=1]           the caller's centres (admin: all);
//                                       all=1: every enabled one
//   POST /api/centres, PATCH /api/centres/{id},
//   POST /api/centres/{id}/disable      a regional admin's
//   GET  /api/vacancies[?all=1]         GET /api/vacancies/{id}: job offers
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "bot/core/clock.h"
#include "bot/domain/catalog.h"
#include "bot/domain/questionnaire.h"
#include "bot/domain/vacancy_vocabulary.h"
#include "bot/flows/router.h"
#include "bot/web/auth.h"
#include "bot/web/regional_reads.h"
#include "bot/web/routes.h"
#include "storage/profiles.h"
#include "storage/store.h"

namespace sportello::http {

struct ConsoleDeps {
  const WebConfig& config;
  flows::FlowDeps flows;
  const core::Clock& clock;
  storage::Store& store;
  const Catalog& catalog;
  // Provinces' comuni (audiences by province) and which profile answers an
  // audience may ask for.
  const ReferenceData& data;
  // Called after outbox rows were committed, to wake the sender.
  std::function<void()> outbox_written;
};

class ConsoleApi {
 public:
  explicit ConsoleApi(ConsoleDeps deps);
  // REQUIRES: r.path starts with "/api/" and is not the web chat.
  // Thread-safe.
  Response Handle(const Request& r);

 private:
  Response ListConversations(const Caller& caller, const Request& r);
  Response GetConversation(const Caller& caller, int64_t id);
  Response TakeOver(const Caller& caller, int64_t id);
  Response Reply(const Caller& caller, int64_t id, const Request& r);
  Response AddNote(const Caller& caller, int64_t id, const Request& r);
  Response Release(const Caller& caller, int64_t id);
  // A counsellor books a free slot for the person (e.g. on the phone with
  // them): the booking, its reminders and a confirmation on their channel.
  Response BookFor(const Caller& caller, int64_t id, const Request& r);
  // To another centre's queue with a note; the person is told
  // (console_transfer.cc).
  Response Transfer(const Caller& caller, int64_t id, const Request& r);
  Response Appointments(const Caller& caller, const Request& r);
  Response AddSlot(const Caller& caller, const Request& r);
  Response Profiles(const Caller& caller, const Request& r);
  // The questions an audience may filter on, with the console's labels.
  Response ProfileQuestions();
  // A profile as a counsellor reads it: the answers under their Italian
  // labels in the questionnaire's order, the Garanzia Giovani eligibility
  // and whether the over-40 questions apply.
  nlohmann::json ProfileView(const storage::Profile& p, int64_t now_ms) const;
  Response AuditLog(const Request& r);
  Response Stream(const Caller& caller);

  // Reports and attendance (console_reports.cc).
  Response FunnelReport(const Caller& caller, const Request& r);
  Response MarkAttendance(const Caller& caller, int64_t booking_id,
                          const Request& r);

  // The caller's centres; every centre for a regional admin. A regional
  // admin adds (id nullopt), edits and disables them (console_centres.cc).
  Response RouteCentres(const Caller& caller, const Request& r);
  Response Centres(const Caller& caller, const Request& r);
  Response ChangeCentre(const Caller& caller, std::optional<int64_t> id,
                        const Request& r);
  Response DisableCentre(const Caller& caller, int64_t id);

  // Canned replies (console_canned.cc).
  Response CannedReplies(const Caller& caller, const Request& r);
  Response SaveCannedReplies(const Caller& caller, const Request& r);

  // Events (console_events.cc).
  Response RouteEvents(const Caller& caller, const Request& r);
  Response ListEvents(const Caller& caller, const Request& r);
  Response GetEvent(const Caller& caller, int64_t id);
  Response CreateEvent(const Caller& caller, const Request& r);
  Response EditEvent(const Caller& caller, int64_t id, const Request& r);
  Response CancelEvent(const Caller& caller, int64_t id);

  // Job offers, read only (console_vacancies.cc).
  Response RouteVacancies(const Caller& caller, const Request& r);
  Response ListVacancies(const Caller& caller, const Request& r);
  Response GetVacancy(const Caller& caller, int64_t id);

  // Broadcast notices (console_broadcasts.cc).
  Response RouteBroadcasts(const Caller& caller, const Request& r);
  Response PreviewBroadcast(const Caller& caller, const Request& r);
  Response CreateBroadcast(const Caller& caller, const Request& r);
  Response ListBroadcasts(const Caller& caller, const Request& r);
  Response GetBroadcast(const Caller& caller, int64_t id);
  Response CancelBroadcast(const Caller& caller, int64_t id);

  ConsoleDeps deps_;
  Auth auth_;
  flows::Router router_;  // only for the menu shown on release
  RegionalReads regional_reads_;
};

}  // namespace sportello::http
