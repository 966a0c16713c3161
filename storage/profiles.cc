#include "storage/profiles.h"

#include <array>

namespace sportello::storage {
namespace {

constexpr std::array<std::string_view, 4> kAgeBands = {"14_15", "16_29",
                                                       "30_39", "40_plus"};

core::Status EnsureProfile(Database& db, int64_t user_id, int64_t now_ms) {
  Statement& st = db.Cached(
      "INSERT INTO profiles(user_id, created_at, updated_at) VALUES(?1, ?2, ?2)"
      " ON CONFLICT(user_id) DO UPDATE SET updated_at = excluded.updated_at");
  st.Bind(1, user_id).Bind(2, now_ms);
  return st.Run();
}

// Runs `sql` with `user_id` as ?1 and returns how many rows it changed.
core::Result<int64_t> RunForUser(Database& db, std::string_view sql,
                                 int64_t user_id) {
  Statement st = db.Prepare(sql);
  st.Bind(1, user_id);
  if (auto s = st.Run(); !s.ok()) return s;
  return static_cast<int64_t>(db.Changes());
}

core::Result<int64_t> CountForUser(Database& db, std::string_view sql,
                                   int64_t user_id) {
  Statement st = db.Prepare(sql);
  st.Bind(1, user_id);
  if (!st.Step()) {
    return st.status().ok()
               ? core::Status::Internal("profiles: count returned no row")
               : st.status();
  }
  return st.Int(0);
}

}  // namespace

core::Result<std::optional<Profile>> FindProfile(Database& db,
                                                 int64_t user_id) {
  Statement& st = db.Cached(
      "SELECT user_id, age_band, completed_at, created_at, updated_at FROM "
      "profiles"
      " WHERE user_id = ?");
  st.Bind(1, user_id);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return std::optional<Profile>();
  }
  Profile p;
  p.user_id = st.Int(0);
  p.age_band = st.OptionalText(1);
  p.completed_at = st.OptionalInt(2);
  p.created_at = st.Int(3);
  p.updated_at = st.Int(4);
  st.Reset();
  Statement& answers = db.Cached(
      "SELECT question, value FROM profile_answers WHERE user_id = ? ORDER BY "
      "question");
  answers.Bind(1, user_id);
  while (answers.Step()) p.answers[answers.Text(0)] = answers.Text(1);
  if (!answers.status().ok()) return answers.status();
  return std::optional<Profile>(std::move(p));
}

core::Status SetAgeBand(Database& db, int64_t user_id, std::string_view band,
                        int64_t now_ms) {
  bool known = false;
  for (std::string_view b : kAgeBands) known = known || b == band;
  if (!known)
    return core::Status::InvalidArgument("profiles: unknown age band " +
                                         std::string(band));
  if (auto s = EnsureProfile(db, user_id, now_ms); !s.ok()) return s;
  Statement st =
      db.Prepare("UPDATE profiles SET age_band = ? WHERE user_id = ?");
  st.Bind(1, band).Bind(2, user_id);
  return st.Run();
}

core::Status SaveAnswer(Database& db, int64_t user_id,
                        std::string_view question, std::string_view value,
                        int64_t now_ms) {
  if (question.empty())
    return core::Status::InvalidArgument("profiles: empty question id");
  if (auto s = EnsureProfile(db, user_id, now_ms); !s.ok()) return s;
  Statement& st = db.Cached(
      "INSERT INTO profile_answers(user_id, question, value, updated_at) "
      "VALUES(?1, ?2, ?3, ?4)"
      " ON CONFLICT(user_id, question) DO UPDATE SET value = excluded.value,"
      " updated_at = excluded.updated_at");
  st.Bind(1, user_id).Bind(2, question).Bind(3, value).Bind(4, now_ms);
  return st.Run();
}

core::Status DeleteAnswer(Database& db, int64_t user_id,
                          std::string_view question, int64_t now_ms) {
  if (auto s = EnsureProfile(db, user_id, now_ms); !s.ok()) return s;
  Statement st = db.Prepare(
      "DELETE FROM profile_answers WHERE user_id = ? AND question = ?");
  st.Bind(1, user_id).Bind(2, question);
  return st.Run();
}

core::Status MarkProfileCompleted(Database& db, int64_t user_id,
                                  int64_t now_ms) {
  if (auto s = EnsureProfile(db, user_id, now_ms); !s.ok()) return s;
  Statement st = db.Prepare(
      "UPDATE profiles SET completed_at = coalesce(completed_at, ?) WHERE "
      "user_id = ?");
  st.Bind(1, now_ms).Bind(2, user_id);
  return st.Run();
}

core::Status RecordConsent(Database& db, int64_t user_id,
                           std::string_view version, int64_t now_ms) {
  if (version.empty())
    return core::Status::InvalidArgument("profiles: empty consent version");
  Statement st = db.Prepare(
      "UPDATE users SET consent_version = ?, consent_at = ? WHERE id = ?");
  st.Bind(1, version).Bind(2, now_ms).Bind(3, user_id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0)
    return core::Status::NotFound("profiles: no user " +
                                  std::to_string(user_id));
  return core::Status::Ok();
}

core::Status SetNotify(Database& db, int64_t user_id, bool notify) {
  Statement st = db.Prepare("UPDATE users SET notify = ? WHERE id = ?");
  st.Bind(1, notify ? 1 : 0).Bind(2, user_id);
  if (auto s = st.Run(); !s.ok()) return s;
  if (db.Changes() == 0)
    return core::Status::NotFound("profiles: no user " +
                                  std::to_string(user_id));
  return core::Status::Ok();
}

core::Result<std::vector<std::string>> UserTopics(Database& db,
                                                  int64_t user_id) {
  Statement& st = db.Cached(
      "SELECT topic FROM user_topics WHERE user_id = ?1 ORDER BY topic");
  st.Bind(1, user_id);
  std::vector<std::string> topics;
  while (st.Step()) topics.push_back(st.Text(0));
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  return topics;
}

core::Status AddUserTopic(Database& db, int64_t user_id,
                          std::string_view topic) {
  Statement& st = db.Cached(
      "INSERT INTO user_topics(user_id, topic) VALUES(?1, ?2)"
      " ON CONFLICT DO NOTHING");
  st.Bind(1, user_id).Bind(2, topic);
  return st.Run();
}

core::Status ClearUserTopics(Database& db, int64_t user_id) {
  Statement& st = db.Cached("DELETE FROM user_topics WHERE user_id = ?1");
  st.Bind(1, user_id);
  return st.Run();
}

core::Result<StoredDataCounts> CountStoredData(Database& db, int64_t user_id) {
  StoredDataCounts c;
  Statement st = db.Prepare(
      "SELECT count(CASE WHEN direction = 'in' AND text <> ?2 THEN 1 END),"
      "       count(CASE WHEN direction = 'out' AND text <> ?2 THEN 1 END),"
      "       count(CASE WHEN text = ?2 THEN 1 END)"
      " FROM messages WHERE conversation_id IN"
      "   (SELECT id FROM conversations WHERE user_id = ?1)");
  st.Bind(1, user_id).Bind(2, kErasedText);
  if (!st.Step()) {
    return st.status().ok()
               ? core::Status::Internal("profiles: count returned no row")
               : st.status();
  }
  c.messages_from_user = st.Int(0);
  c.messages_to_user = st.Int(1);
  c.messages_erased = st.Int(2);
  auto bookings = CountForUser(
      db, "SELECT count(*) FROM bookings WHERE user_id = ?1", user_id);
  if (!bookings.ok()) return bookings.status();
  c.bookings = *bookings;
  auto interests = CountForUser(
      db, "SELECT count(*) FROM vacancy_interest WHERE user_id = ?1", user_id);
  if (!interests.ok()) return interests.status();
  c.vacancy_interests = *interests;
  return c;
}

core::Result<Erasure> ErasePersonalData(Database& db, int64_t user_id,
                                        int64_t now_ms) {
  Erasure e;
  auto answers =
      RunForUser(db, "DELETE FROM profile_answers WHERE user_id = ?1", user_id);
  if (!answers.ok()) return answers.status();
  auto profile =
      RunForUser(db, "DELETE FROM profiles WHERE user_id = ?1", user_id);
  if (!profile.ok()) return profile.status();
  e.profile = *profile > 0;

  Statement messages = db.Prepare(
      "UPDATE messages SET text = CASE WHEN text = '' THEN '' ELSE ?2 END, "
      "button_id = NULL,"
      "   buttons = NULL, updated_at = ?3"
      " WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = "
      "?1)"
      "   AND (text NOT IN ('', ?2) OR button_id IS NOT NULL OR buttons IS NOT "
      "NULL)");
  messages.Bind(1, user_id).Bind(2, kErasedText).Bind(3, now_ms);
  if (auto s = messages.Run(); !s.ok()) return s;
  e.messages = db.Changes();

  if (auto s = RunForUser(db,
                          "UPDATE users SET name = '', consent_version = NULL, "
                          "consent_at = NULL,"
                          " notify = 0 WHERE id = ?1",
                          user_id);
      !s.ok()) {
    return s.status();
  }
  // What they wanted to hear about is theirs too.
  if (auto s =
          RunForUser(db, "DELETE FROM user_topics WHERE user_id = ?1", user_id);
      !s.ok()) {
    return s.status();
  }
  auto interests = RunForUser(
      db, "DELETE FROM vacancy_interest WHERE user_id = ?1", user_id);
  if (!interests.ok()) return interests.status();
  e.vacancy_interests = *interests;
  auto bookings = RunForUser(
      db, "UPDATE bookings SET user_id = NULL WHERE user_id = ?1", user_id);
  if (!bookings.ok()) return bookings.status();
  e.bookings = *bookings;

  // What the channels delivered keeps the texts too. Processed inbox rows
  // are never read again; sent outbox rows only by a web-chat client asking
  // for replies it has not shown.
  if (auto s =
          RunForUser(db,
                     "UPDATE inbox SET payload = '{}', raw = ''"
                     " WHERE processed_at IS NOT NULL AND (channel, chat_id) IN"
                     "   (SELECT channel, chat_id FROM users WHERE id = ?1)",
                     user_id);
      !s.ok()) {
    return s.status();
  }
  if (auto s = RunForUser(db,
                          "DELETE FROM outbox WHERE user_id = ?1"
                          " AND state IN ('sent', 'failed', 'cancelled')",
                          user_id);
      !s.ok()) {
    return s.status();
  }
  return e;
}

}  // namespace sportello::storage
