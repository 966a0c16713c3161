#include "storage/pg_connection.h"

#include <cstring>
#include <utility>

namespace sportello::storage::pg {

namespace {

constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};

std::string_view Scheme(std::string_view uri) {
  for (auto s : kSchemes) {
    if (uri.substr(0, s.size()) == s) return s;
  }
  return {};
}

// libpq's messages end with a newline; one line reads better in a log.
std::string OneLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// The password as libpq reads it from the URI (percent-decoded), or "".
std::string PasswordOf(const std::string& uri) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (options == nullptr) return "";
  std::string password;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) {
      password = o->val;
    }
  }
  PQconninfoFree(options);
  return password;
}

}  // namespace

bool IsPostgresUri(std::string_view uri) { return !Scheme(uri).empty(); }

std::string RedactUri(std::string_view uri) {
  const std::string_view scheme = Scheme(uri);
  if (scheme.empty()) return "postgresql://***";
  std::string_view rest = uri.substr(scheme.size());
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos
                              ? std::string_view()
                              : rest.substr(authority_end);
  std::string out(scheme);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view user = authority.substr(0, at);
    if (const size_t colon = user.find(':'); colon != std::string_view::npos) {
      out += std::string(user.substr(0, colon)) + ":***";
    } else {
      out += user;
    }
    out += authority.substr(at);
  } else {
    out += authority;
  }
  // A password may also come as a query parameter.
  std::string t(tail);
  for (size_t p = t.find("password="); p != std::string::npos;
       p = t.find("password=", p + 1)) {
    if (p > 0 && t[p - 1] != '?' && t[p - 1] != '&') continue;
    const size_t start = p + std::strlen("password=");
    const size_t end = t.find_first_of("&#", start);
    t.replace(start, (end == std::string::npos ? t.size() : end) - start,
              "***");
  }
  return out + t;
}

core::Result<std::unique_ptr<Connection>> Connection::Open(
    const std::string& uri, std::chrono::seconds timeout) {
  const std::string redacted = RedactUri(uri);
  if (!IsPostgresUri(uri)) {
    return core::Status::InvalidArgument(
        "not a PostgreSQL URI (postgresql://user@host:port/dbname): " +
        redacted);
  }
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(uri.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? OneLine(parse_error) : "";
    if (parse_error != nullptr) PQfreemem(parse_error);
    return core::Status::InvalidArgument("bad PostgreSQL URI " + redacted +
                                         (why.empty() ? "" : ": " + why));
  }
  PQconninfoFree(parsed);

  // Ours first: the URI's own settings, expanded from dbname, come after
  // and win.
  const std::string seconds = std::to_string(timeout.count());
  const char* keywords[] = {"connect_timeout", "application_name", "dbname",
                            nullptr};
  const char* values[] = {seconds.c_str(), "sportello", uri.c_str(), nullptr};
  std::unique_ptr<Connection> conn(
      new Connection(PQconnectdbParams(keywords, values, /*expand_dbname=*/1),
                     PasswordOf(uri), redacted));
  if (conn->conn_ == nullptr) {
    return core::Status::Unavailable("PostgreSQL " + redacted +
                                     ": out of memory");
  }
  if (PQstatus(conn->conn_.get()) != CONNECTION_OK) {
    return core::Status::Unavailable(
        "cannot connect to PostgreSQL " + redacted + ": " +
        conn->Scrub(OneLine(PQerrorMessage(conn->conn_.get()))));
  }
  // libpq prints the server's notices ("already exists, skipping") on
  // stderr by default: they are expected, and not ours to show.
  PQsetNoticeProcessor(
      conn->conn_.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

Connection::Connection(PGconn* conn, std::string password, std::string redacted)
    : conn_(conn),
      password_(std::move(password)),
      redacted_(std::move(redacted)) {}

std::string Connection::Scrub(std::string message) const {
  if (password_.empty()) return message;
  for (size_t p = message.find(password_); p != std::string::npos;
       p = message.find(password_, p + 3)) {
    message.replace(p, password_.size(), "***");
  }
  return message;
}

std::string Connection::ErrorMessage(const PGresult* result) const {
  return Scrub(OneLine(result != nullptr ? PQresultErrorMessage(result)
                                         : PQerrorMessage(conn_.get())));
}

bool Connection::Reconnect() {
  PQreset(conn_.get());
  return PQstatus(conn_.get()) == CONNECTION_OK;
}

int Connection::ServerVersion() const { return PQserverVersion(conn_.get()); }

bool Connection::Ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

}  // namespace sportello::storage::pg
