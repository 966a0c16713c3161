#include "storage/vacancy_import.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "bot/core/numbers.h"
#include "bot/core/rome_time.h"
#include "bot/core/utf8.h"

namespace sportello::storage {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

struct FieldSpec {
  const char* name;
  bool required;
  size_t max_chars;  // 0: no text limit (dates, flags)
  bool multiline;
};

constexpr std::array<FieldSpec, 13> kFields = {{
    {"external_id", true, 100, false},
    {"title", true, 200, false},
    {"employer", true, 200, false},
    {"comune", true, 100, false},
    {"province", false, 0, false},
    {"sector", false, 100, false},
    {"contract", true, 0, false},
    {"description", false, 5000, true},
    {"requirements", false, 5000, true},
    {"how_to_apply", true, 1000, true},
    {"partner", false, 0, false},
    {"published_at", false, 0, false},
    {"expires_at", true, 0, false},
}};

const FieldSpec* Spec(std::string_view name) {
  for (const auto& f : kFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

std::string KnownFields() {
  std::string s;
  for (const auto& f : kFields)
    s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string_view SkipBom(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  return s;
}

// Checks a text field; "" when fine, else what is wrong.
std::string TextProblem(std::string_view value, const FieldSpec& spec) {
  if (!core::utf8::IsValid(value)) return "not valid UTF-8";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool allowed_space =
        spec.multiline && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 && !allowed_space) || c == 0x7F)
      return "contains a control character";
  }
  if (spec.max_chars > 0 && core::utf8::CodePoints(value) > spec.max_chars) {
    return "longer than " + std::to_string(spec.max_chars) + " characters";
  }
  return "";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> Contract(std::string_view value) {
  std::string kind = Lower(value);
  std::replace(kind.begin(), kind.end(), '-', '_');
  std::replace(kind.begin(), kind.end(), ' ', '_');
  if (IsContractKind(kind)) return kind;
  return std::nullopt;
}

std::optional<bool> Flag(std::string_view value) {
  const std::string v = Lower(value);
  if (v.empty() || v == "false" || v == "0" || v == "no") return false;
  if (v == "true" || v == "1" || v == "si" || v == "s\xC3\xAC" || v == "yes")
    return true;
  return std::nullopt;
}

// Digits at s[pos, pos+n) as a number; -1 if any is not a digit.
// REQUIRES: n <= 4.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  return static_cast<int>(
      core::ParseInt(s.substr(pos, n), 0, 9999).value_or(-1));
}

struct ParsedDate {
  std::chrono::year_month_day date;
  bool has_time = false;
  int hour = 0, minute = 0, second = 0;
  std::optional<int> offset_minutes;  // east of UTC; nullopt: Rome time
};

std::optional<ParsedDate> ParseDate(std::string_view s) {
  ParsedDate d;
  int y = 0, m = 0, day = 0;
  size_t rest = 0;
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    y = Digits(s, 0, 4), m = Digits(s, 5, 2), day = Digits(s, 8, 2);
    rest = 10;
  } else if (s.size() == 10 && s[2] == '/' && s[5] == '/') {
    day = Digits(s, 0, 2), m = Digits(s, 3, 2), y = Digits(s, 6, 4);
    rest = 10;
  } else {
    return std::nullopt;
  }
  if (y < 2000 || m < 1 || day < 1) return std::nullopt;
  d.date = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
           std::chrono::day{static_cast<unsigned>(day)};
  if (!d.date.ok() || y > 2200) return std::nullopt;
  if (rest == s.size()) return d;
  if (s[rest] != 'T' && s[rest] != ' ') return std::nullopt;
  d.has_time = true;
  d.hour = Digits(s, rest + 1, 2);
  if (rest + 3 >= s.size() || s[rest + 3] != ':') return std::nullopt;
  d.minute = Digits(s, rest + 4, 2);
  size_t pos = rest + 6;
  if (pos < s.size() && s[pos] == ':') {
    d.second = Digits(s, pos + 1, 2);
    pos += 3;
  }
  if (d.hour < 0 || d.hour > 23 || d.minute < 0 || d.minute > 59 ||
      d.second < 0 || d.second > 59) {
    return std::nullopt;
  }
  const std::string_view zone = s.substr(std::min(pos, s.size()));
  if (zone.empty()) return d;
  if (zone == "Z") {
    d.offset_minutes = 0;
    return d;
  }
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
      zone[3] != ':') {
    return std::nullopt;
  }
  const int oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
  if (oh < 0 || oh > 14 || om < 0 || om > 59) return std::nullopt;
  d.offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  return d;
}

// Unix ms for `d`; a bare date is the start of that day in Rome, or with
// `end_of_day` the start of the next one.
int64_t ToMillis(const ParsedDate& d, bool end_of_day) {
  using namespace std::chrono;
  if (!d.has_time) {
    const year_month_day day =
        end_of_day ? year_month_day(sys_days(d.date) + days(1)) : d.date;
    return core::ToMillis(core::FromRome(day, 0, 0));
  }
  if (!d.offset_minutes) {
    return core::ToMillis(core::FromRome(d.date, d.hour, d.minute)) +
           d.second * 1000LL;
  }
  const auto t = sys_days(d.date) + hours(d.hour) + minutes(d.minute) +
                 seconds(d.second) - minutes(*d.offset_minutes);
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

const std::string& Get(const Fields& fields, const char* name) {
  static const std::string kEmpty;
  const auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

// Validates one row's fields (already trimmed, names known); appends its
// problems to `errors` and returns the vacancy when there are none.
std::optional<Vacancy> ValidateRow(const Fields& fields, FeedFormat format,
                                   int where, int64_t now_ms,
                                   std::vector<RowError>& errors) {
  const size_t before = errors.size();
  auto fail = [&](const char* field, std::string message) {
    errors.push_back({format, where, field, std::move(message)});
  };
  for (const auto& spec : kFields) {
    const std::string& value = Get(fields, spec.name);
    if (value.empty()) {
      if (spec.required) fail(spec.name, "missing");
      continue;
    }
    if (auto problem = TextProblem(value, spec); !problem.empty())
      fail(spec.name, problem);
  }
  Vacancy v;
  v.external_id = Get(fields, "external_id");
  v.title = Get(fields, "title");
  v.employer = Get(fields, "employer");
  v.comune = Get(fields, "comune");
  v.sector = Get(fields, "sector");
  v.description = Get(fields, "description");
  v.requirements = Get(fields, "requirements");
  v.how_to_apply = Get(fields, "how_to_apply");
  if (const std::string& p = Get(fields, "province"); !p.empty()) {
    std::string code = p;
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (code.size() != 2 || !std::all_of(code.begin(), code.end(), [](char c) {
          return c >= 'A' && c <= 'Z';
        })) {
      fail("province", "'" + p + "' is not a two-letter code like BA");
    }
    v.province = code;
  }
  if (const std::string& c = Get(fields, "contract"); !c.empty()) {
    if (auto kind = Contract(c)) {
      v.contract = *kind;
    } else {
      fail("contract",
           "'" + c +
               "' is not one of full_time, part_time, tirocinio, stagionale, "
               "apprendistato");
    }
  }
  if (auto flag = Flag(Get(fields, "partner"))) {
    v.partner = *flag;
  } else {
    fail("partner", "'" + Get(fields, "partner") + "' is not true or false");
  }
  v.published_at = now_ms;
  bool dates_ok = true;
  for (const char* name : {"published_at", "expires_at"}) {
    const std::string& value = Get(fields, name);
    if (value.empty()) continue;
    const auto date = ParseDate(value);
    if (!date) {
      fail(name, "'" + value + "' is not a date like 2026-12-31 or 31/12/2026");
      dates_ok = false;
      continue;
    }
    const bool expiry = std::string_view(name) == "expires_at";
    (expiry ? v.expires_at : v.published_at) = ToMillis(*date, expiry);
  }
  // Without a publication date, expiry is judged at import (ImportFeed).
  if (dates_ok && v.expires_at != 0 && !Get(fields, "published_at").empty() &&
      v.expires_at <= v.published_at) {
    fail("expires_at", "'" + Get(fields, "expires_at") +
                           "' is not after the publication date");
  }
  if (errors.size() != before) return std::nullopt;
  return v;
}

// Adds a validated row, or an error when its external_id came earlier.
void Accept(ParsedFeed& feed, std::map<std::string, int, std::less<>>& seen,
            int where, const Fields& fields, std::optional<Vacancy> v) {
  if (!v) return;
  const auto [it, fresh] = seen.emplace(v->external_id, where);
  if (!fresh) {
    const char* unit = feed.format == FeedFormat::kCsv ? "line " : "index ";
    feed.errors.push_back({feed.format, where, "external_id",
                           "'" + v->external_id + "' already used at " + unit +
                               std::to_string(it->second)});
    return;
  }
  feed.rows.push_back(
      {where, std::move(*v), !Get(fields, "published_at").empty()});
}

}  // namespace

int RejectedRows(const std::vector<RowError>& errors) {
  std::vector<int> rows;
  for (const auto& e : errors) rows.push_back(e.where);
  std::sort(rows.begin(), rows.end());
  return static_cast<int>(std::unique(rows.begin(), rows.end()) - rows.begin());
}

std::string ToString(const RowError& e) {
  std::string s = e.format == FeedFormat::kCsv ? "line " : "index ";
  s += std::to_string(e.where) + ": ";
  if (!e.field.empty()) s += e.field + ": ";
  return s + e.message;
}

core::Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  text = SkipBom(text);
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  int line = 1;
  bool in_record = false;  // something (even an empty field) was read
  size_t i = 0;
  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
  };
  auto end_record = [&] {
    if (in_record) {
      end_field();
      records.push_back(std::move(record));
    }
    record = CsvRecord{};
    in_record = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (!in_record) record.line = line;
    if (c == '"' && field.empty()) {
      // A quoted field: up to the quote not followed by another quote.
      const int start_line = line;
      in_record = true;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          return core::Status::InvalidArgument("csv: line " +
                                               std::to_string(start_line) +
                                               ": quoted field never closes");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' &&
          text[i] != '\r') {
        return core::Status::InvalidArgument("csv: line " +
                                             std::to_string(line) +
                                             ": text after a closing quote");
      }
      continue;
    }
    if (c == ',') {
      in_record = true;
      end_field();
      ++i;
    } else if (c == '\r' || c == '\n') {
      end_record();
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++line;
    } else {
      in_record = true;
      field += c;
      ++i;
    }
  }
  end_record();
  return records;
}

core::Result<ParsedFeed> ParseVacancyCsv(std::string_view text,
                                         int64_t now_ms) {
  auto records = ParseCsv(text);
  if (!records.ok()) return records.status();
  if (records->empty())
    return core::Status::InvalidArgument("csv: no header row");
  const CsvRecord& header = records->front();
  std::vector<std::string> columns;
  for (const auto& raw : header.fields) {
    const std::string name = Lower(Trim(raw));
    if (!Spec(name)) {
      return core::Status::InvalidArgument(
          "csv: line " + std::to_string(header.line) + ": unknown column '" +
          std::string(raw) + "' (known: " + KnownFields() + ")");
    }
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
      return core::Status::InvalidArgument(
          "csv: line " + std::to_string(header.line) + ": column '" + name +
          "' appears twice");
    }
    columns.push_back(name);
  }
  for (const auto& spec : kFields) {
    if (spec.required &&
        std::find(columns.begin(), columns.end(), spec.name) == columns.end()) {
      return core::Status::InvalidArgument(
          "csv: line " + std::to_string(header.line) + ": missing column '" +
          spec.name + "'");
    }
  }
  ParsedFeed feed;
  feed.format = FeedFormat::kCsv;
  std::map<std::string, int, std::less<>> seen;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() != columns.size()) {
      feed.errors.push_back({FeedFormat::kCsv, rec.line, "",
                             "has " + std::to_string(rec.fields.size()) +
                                 " fields, the header has " +
                                 std::to_string(columns.size())});
      continue;
    }
    Fields fields;
    for (size_t c = 0; c < columns.size(); ++c)
      fields[columns[c]] = Trim(rec.fields[c]);
    auto v = ValidateRow(fields, feed.format, rec.line, now_ms, feed.errors);
    Accept(feed, seen, rec.line, fields, std::move(v));
  }
  return feed;
}

core::Result<ParsedFeed> ParseVacancyJson(std::string_view text,
                                          int64_t now_ms) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return core::Status::InvalidArgument(std::string("json: ") + e.what());
  }
  if (!doc.is_array())
    return core::Status::InvalidArgument(
        "json: expected an array of vacancies");
  ParsedFeed feed;
  feed.format = FeedFormat::kJson;
  std::map<std::string, int, std::less<>> seen;
  for (size_t i = 0; i < doc.size(); ++i) {
    const int where = static_cast<int>(i);
    const auto& item = doc[i];
    if (!item.is_object()) {
      feed.errors.push_back({FeedFormat::kJson, where, "", "not an object"});
      continue;
    }
    Fields fields;
    const size_t before = feed.errors.size();
    for (const auto& [key, value] : item.items()) {
      if (!Spec(key)) {
        feed.errors.push_back({FeedFormat::kJson, where, key, "unknown field"});
      } else if (value.is_string()) {
        fields[key] = Trim(value.get_ref<const std::string&>());
      } else if (value.is_boolean()) {
        fields[key] = value.get<bool>() ? "true" : "false";
      } else if (!value.is_null()) {
        feed.errors.push_back({FeedFormat::kJson, where, key, "expected text"});
      }
    }
    auto v = ValidateRow(fields, feed.format, where, now_ms, feed.errors);
    if (feed.errors.size() != before) continue;
    Accept(feed, seen, where, fields, std::move(v));
  }
  return feed;
}

core::Result<ParsedFeed> ParseVacancyFeed(std::string_view text,
                                          int64_t now_ms) {
  const std::string_view body = SkipBom(text);
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos &&
      (body[first] == '[' || body[first] == '{')) {
    return ParseVacancyJson(body, now_ms);
  }
  return ParseVacancyCsv(text, now_ms);
}

core::Result<ImportSummary> ImportFeed(Database& db, const ParsedFeed& feed,
                                       int64_t now_ms) {
  ImportSummary summary;
  summary.rejected = feed.errors;
  for (const FeedRow& row : feed.rows) {
    Vacancy v = row.vacancy;
    auto stored = FindVacancyByExternalId(db, v.external_id);
    if (!stored.ok()) return stored.status();
    if (!row.published_given)
      v.published_at = *stored ? (*stored)->published_at : now_ms;
    if (v.expires_at <= now_ms && !*stored) {
      summary.rejected.push_back(
          {feed.format, row.where, "expires_at", "already expired"});
      continue;
    }
    auto outcome = UpsertVacancy(db, v, now_ms);
    if (!outcome.ok()) {
      if (outcome.status().code() != core::Status::Code::kInvalidArgument)
        return outcome.status();
      summary.rejected.push_back(
          {feed.format, row.where, "", outcome.status().message()});
      continue;
    }
    switch (*outcome) {
      case UpsertOutcome::kInserted:
        ++summary.inserted;
        break;
      case UpsertOutcome::kUpdated:
        ++summary.updated;
        break;
      case UpsertOutcome::kUnchanged:
        ++summary.unchanged;
        break;
    }
  }
  std::stable_sort(
      summary.rejected.begin(), summary.rejected.end(),
      [](const RowError& a, const RowError& b) { return a.where < b.where; });
  return summary;
}

std::optional<int64_t> ParseFeedTime(std::string_view text) {
  const auto d = ParseDate(text);
  if (!d) return std::nullopt;
  return ToMillis(*d, false);
}

}  // namespace sportello::storage
