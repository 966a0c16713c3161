#include "storage/contacts_import.h"

#include <chrono>
#include <map>

#include "bot/core/numbers.h"
#include "storage/profiles.h"
#include "storage/users.h"

namespace sportello::storage {
namespace {

const std::vector<std::string_view>& Columns() {
  static const std::vector<std::string_view> kColumns = {
      "channel", "address",    "name",      "comune",
      "topics",  "birth_year", "consent_at"};
  return kColumns;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int YearOf(int64_t ms) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
  return static_cast<int>(d.year());
}

std::vector<std::string> Topics(std::string_view field) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = Trim(cur);
    for (char& c : t) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (char c : field) {
    if (c == ';' || c == '|' || c == ',') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

// Why `c` cannot be imported, field by field; empty when it can.
std::vector<std::pair<std::string, std::string>> Check(const Contact& c,
                                                       std::string_view consent,
                                                       int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> bad;
  if (c.channel != "telegram" && c.channel != "whatsapp") {
    bad.emplace_back("channel",
                     c.channel.empty()
                         ? "missing"
                         : "'" + c.channel + "' is not telegram or whatsapp");
  }
  if (c.address.empty()) {
    bad.emplace_back("address", "missing");
  } else if (c.channel == "whatsapp" &&
             (!AllDigits(c.address) || c.address.size() < 6 ||
              c.address.size() > 15)) {
    bad.emplace_back("address", "'" + c.address +
                                    "' is not a WhatsApp number (6-15 digits, "
                                    "no '+')");
  } else if (c.channel == "telegram" &&
             !AllDigits(c.address[0] == '-' ? c.address.substr(1)
                                            : c.address)) {
    bad.emplace_back("address",
                     "'" + c.address + "' is not a Telegram chat id");
  }
  if (consent.empty()) {
    bad.emplace_back("consent_at",
                     "missing: only contacts who consented are imported");
  } else if (c.consent_at == 0) {
    bad.emplace_back("consent_at",
                     "'" + std::string(consent) + "' is not a date");
  } else if (c.consent_at > now_ms) {
    bad.emplace_back("consent_at", "in the future");
  }
  if (!c.birth_year.empty()) {
    if (c.birth_year.size() != 4 ||
        !core::ParseInt(c.birth_year, 1900, YearOf(now_ms))) {
      bad.emplace_back("birth_year",
                       "'" + c.birth_year + "' is not a year of birth");
    }
  }
  return bad;
}

core::Status SaveIfMissing(Database& db, int64_t user_id,
                           std::string_view question, std::string_view value,
                           int64_t now_ms) {
  if (value.empty()) return core::Status::Ok();
  Statement& st = db.Cached(
      "SELECT 1 FROM profile_answers WHERE user_id = ?1 AND question = ?2");
  st.Bind(1, user_id).Bind(2, question);
  const bool has = st.Step();
  const core::Status s = st.status();
  st.Reset();
  if (!s.ok()) return s;
  if (has) return core::Status::Ok();  // the person's own answer wins
  return SaveAnswer(db, user_id, question, value, now_ms);
}

}  // namespace

core::Result<ParsedContacts> ParseContactsCsv(std::string_view text,
                                              int64_t now_ms) {
  auto records = ParseCsv(text);
  if (!records.ok()) return records.status();
  if (records->empty())
    return core::Status::InvalidArgument("contacts: no header row");
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < (*records)[0].fields.size(); ++i) {
    const std::string name = Trim((*records)[0].fields[i]);
    bool known = false;
    for (auto c : Columns()) known = known || c == name;
    if (!known) {
      return core::Status::InvalidArgument(
          "contacts: line 1: unknown column '" + name + "'");
    }
    index[name] = i;
  }
  for (auto required : {"channel", "address", "consent_at"}) {
    if (!index.count(required)) {
      return core::Status::InvalidArgument(
          std::string("contacts: line 1: column '") + required + "' missing");
    }
  }
  ParsedContacts out;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    auto field = [&](const char* name) -> std::string {
      auto it = index.find(name);
      if (it == index.end() || it->second >= rec.fields.size()) return "";
      return Trim(rec.fields[it->second]);
    };
    Contact c;
    c.line = rec.line;
    c.channel = field("channel");
    for (char& ch : c.channel) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    c.address = field("address");
    c.name = field("name");
    c.comune = field("comune");
    c.birth_year = field("birth_year");
    c.topics = Topics(field("topics"));
    const std::string consent = field("consent_at");
    if (!consent.empty()) c.consent_at = ParseFeedTime(consent).value_or(0);
    auto bad = Check(c, consent, now_ms);
    if (bad.empty()) {
      auto [it, fresh] = seen.emplace(std::pair{c.channel, c.address}, c.line);
      if (!fresh) {
        bad.emplace_back("address",
                         "already on line " + std::to_string(it->second));
      }
    }
    for (auto& [name, why] : bad)
      out.errors.push_back({FeedFormat::kCsv, c.line, name, why});
    if (bad.empty()) out.rows.push_back(std::move(c));
  }
  return out;
}

core::Result<ContactsSummary> ImportContacts(Database& db,
                                             const ParsedContacts& contacts,
                                             int64_t now_ms) {
  ContactsSummary summary;
  summary.rejected = contacts.errors;
  for (const Contact& c : contacts.rows) {
    auto known = FindUser(db, c.channel, c.address);
    if (!known.ok()) return known.status();
    // New people get consent and notices on; someone already known gets
    // them only if they never decided, so an opt-out stays an opt-out.
    Statement& up = db.Cached(
        "INSERT INTO users(channel, external_id, chat_id, name,"
        " consent_version, consent_at, notify, created_at)"
        " VALUES(?1, ?2, ?2, ?3, ?4, ?5, 1, ?6)"
        " ON CONFLICT(channel, external_id) DO UPDATE SET"
        "   name = CASE WHEN users.name = '' THEN excluded.name"
        "     ELSE users.name END,"
        "   notify = CASE WHEN users.consent_at IS NULL THEN 1"
        "     ELSE users.notify END,"
        "   consent_version = coalesce(users.consent_version,"
        "     excluded.consent_version),"
        "   consent_at = coalesce(users.consent_at, excluded.consent_at)");
    up.Bind(1, c.channel)
        .Bind(2, c.address)
        .Bind(3, c.name)
        .Bind(4, kFrontDeskConsent)
        .Bind(5, c.consent_at)
        .Bind(6, now_ms);
    if (auto s = up.Run(); !s.ok()) return s;
    const bool created = !known->has_value();
    const int64_t user_id = created ? db.LastInsertRowId() : (*known)->id;
    ++(created ? summary.inserted : summary.existing);
    if (auto s2 = SaveIfMissing(db, user_id, "comune", c.comune, now_ms);
        !s2.ok())
      return s2;
    if (auto s2 =
            SaveIfMissing(db, user_id, "birth_year", c.birth_year, now_ms);
        !s2.ok())
      return s2;
    for (const auto& topic : c.topics) {
      Statement& t = db.Cached(
          "INSERT INTO user_topics(user_id, topic) VALUES(?1, ?2)"
          " ON CONFLICT DO NOTHING");
      t.Bind(1, user_id).Bind(2, topic);
      if (auto s2 = t.Run(); !s2.ok()) return s2;
    }
  }
  return summary;
}

}  // namespace sportello::storage
