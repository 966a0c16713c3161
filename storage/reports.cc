#include "storage/reports.h"

namespace sportello::storage {
namespace {

// The cohort: each conversation of the scope's centres with its first
// message in. Shared by both reads of FunnelPeople so that they see the
// same people.
std::string Cohort(const CentreScope& scope) {
  return "SELECT c.id AS conversation_id, c.user_id AS user_id,"
         " min(m.created_at) AS first_at"
         " FROM conversations c JOIN messages m ON m.conversation_id = c.id"
         " AND m.direction = 'in' WHERE " +
         CentreCondition("c.centre_id", scope) + " GROUP BY c.id";
}

}  // namespace

core::Status SetAttendance(Database& db, int64_t booking_id,
                           std::string_view attendance, std::string_view by,
                           int64_t now_ms) {
  Statement st = db.Prepare(
      "UPDATE bookings SET attendance = ?2, attendance_by = ?3,"
      " attendance_at = ?4 WHERE id = ?1 AND state = 'booked'");
  st.Bind(1, booking_id).Bind(2, attendance).Bind(3, by).Bind(4, now_ms);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return core::Status::NotFound("bookings: no kept booking " +
                                  std::to_string(booking_id));
  }
  return core::Status::Ok();
}

core::Result<std::optional<std::string>> FindAttendance(Database& db,
                                                        int64_t booking_id) {
  Statement st = db.Prepare("SELECT attendance FROM bookings WHERE id = ?");
  st.Bind(1, booking_id);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<std::string>();
  }
  return st.OptionalText(0);
}

core::Result<std::vector<FunnelPerson>> FunnelPeople(Database& db,
                                                     int64_t from_ms,
                                                     int64_t to_ms,
                                                     const CentreScope& scope) {
  const std::string at_centres = CentreCondition("s.centre_id", scope);
  Statement st = db.Prepare(
      "WITH cohort AS (" + Cohort(scope) +
      ") SELECT u.id, u.channel, f.first_at, u.consent_at IS NOT NULL,"
      " p.completed_at IS NOT NULL, p.age_band,"
      " EXISTS (SELECT 1 FROM bookings b JOIN slots s ON s.id = b.slot_id"
      "   WHERE b.user_id = u.id AND " +
      at_centres +
      "),"
      " (SELECT min(s.starts_at) FROM bookings b JOIN slots s"
      "   ON s.id = b.slot_id WHERE b.user_id = u.id"
      "   AND b.attendance = 'attended' AND " +
      at_centres +
      "),"
      " EXISTS (SELECT 1 FROM messages m WHERE"
      "   m.conversation_id = f.conversation_id AND m.direction = 'out'"
      "   AND m.buttons LIKE '%vacancies:interest:%'),"
      " EXISTS (SELECT 1 FROM vacancy_interest vi WHERE vi.user_id = u.id)"
      " FROM cohort f JOIN users u ON u.id = f.user_id"
      " LEFT JOIN profiles p ON p.user_id = u.id"
      " WHERE f.first_at >= ?1 AND f.first_at < ?2 ORDER BY u.id");
  st.Bind(1, from_ms).Bind(2, to_ms);
  std::vector<FunnelPerson> out;
  std::map<int64_t, size_t> index;
  while (st.Step()) {
    FunnelPerson p;
    p.user_id = st.Int(0);
    p.channel = st.Text(1);
    p.first_contact_at = st.Int(2);
    p.consented = st.Int(3) != 0;
    p.profile_completed = st.Int(4) != 0;
    p.age_band = st.OptionalText(5);
    p.booked = st.Int(6) != 0;
    p.first_attended_at = st.OptionalInt(7);
    p.vacancy_proposed = st.Int(8) != 0;
    p.vacancy_interested = st.Int(9) != 0;
    index[p.user_id] = out.size();
    out.push_back(std::move(p));
  }
  if (!st.status().ok()) return st.status();

  Statement answers =
      db.Prepare("WITH cohort AS (" + Cohort(scope) +
                 ") SELECT a.user_id, a.question, a.value FROM cohort f"
                 " JOIN profile_answers a ON a.user_id = f.user_id"
                 " WHERE f.first_at >= ?1 AND f.first_at < ?2");
  answers.Bind(1, from_ms).Bind(2, to_ms);
  while (answers.Step()) {
    auto it = index.find(answers.Int(0));
    if (it != index.end())
      out[it->second].answers[answers.Text(1)] = answers.Text(2);
  }
  if (!answers.status().ok()) return answers.status();
  return out;
}

}  // namespace sportello::storage
