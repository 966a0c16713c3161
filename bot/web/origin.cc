#include "bot/web/origin.h"

#include <cctype>

#include "bot/web/auth.h"

namespace sportello::http {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string HeaderOf(const Request& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// host[:port] without the scheme's default port; "" when it is not a plain
// host name, IPv4 or bracketed IPv6 address with an optional port.
std::string Authority(std::string_view scheme, std::string_view authority) {
  if (authority.empty()) return "";
  for (char c : authority) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == ':' || c == '[' ||
          c == ']' || c == '_')) {
      return "";
    }
  }
  std::string host = Lower(authority);
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (host.ends_with(default_port) && host.find(']') == std::string::npos)
    host.resize(host.size() - default_port.size());
  else if (host.ends_with("]" + default_port))
    host.resize(host.size() - default_port.size());
  return host;
}

bool CarriesSessionCookie(const Request& r) {
  return HeaderOf(r, "cookie").find(std::string(kSessionCookie) + "=") !=
         std::string::npos;
}

bool StateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" ||
         method == "DELETE";
}

}  // namespace

std::optional<std::string> NormalizeOrigin(std::string_view url) {
  auto origin = OriginOfUrl(url);
  if (!origin) return std::nullopt;
  const std::string_view rest = url.substr(url.find("://") + 3);
  const size_t end = rest.find_first_of("/?#");
  if (end != std::string_view::npos && rest.substr(end) != "/")
    return std::nullopt;
  return origin;
}

std::optional<std::string> OriginOfUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  const std::string scheme = Lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  const size_t end = rest.find_first_of("/?#");
  const std::string authority = Authority(
      scheme,
      rest.substr(0, end == std::string_view::npos ? rest.size() : end));
  if (authority.empty()) return std::nullopt;
  return scheme + "://" + authority;
}

bool OverTls(const Request& r, const WebConfig& config) {
  if (!config.public_origin.empty())
    return config.public_origin.starts_with("https://");
  return Lower(HeaderOf(r, "x-forwarded-proto")) == "https";
}

std::string OwnOrigin(const Request& r, const WebConfig& config) {
  if (!config.public_origin.empty()) return config.public_origin;
  const std::string scheme = OverTls(r, config) ? "https" : "http";
  const std::string host = Authority(scheme, HeaderOf(r, "host"));
  return host.empty() ? std::string() : scheme + "://" + host;
}

std::optional<std::string> CrossOriginRefusal(const Request& r,
                                              const WebConfig& config) {
  if (!StateChanging(r.method)) return std::nullopt;
  if (HeaderOf(r, "authorization").starts_with("Bearer ")) return std::nullopt;
  std::optional<std::string> from;
  bool named = false;
  if (auto origin = r.headers.find("origin"); origin != r.headers.end()) {
    named = true;
    from = NormalizeOrigin(origin->second);
  } else if (auto referer = r.headers.find("referer");
             referer != r.headers.end()) {
    named = true;
    from = OriginOfUrl(referer->second);
  }
  if (!named) {
    // Only a session cookie is what a browser adds on its own; without
    // one there is nothing to abuse (and the answer is the 401).
    if (r.path == "/api/login" || !CarriesSessionCookie(r)) return std::nullopt;
    return "a request without Origin needs an Authorization: Bearer token";
  }
  const std::string own = OwnOrigin(r, config);
  if (from && !own.empty() && *from == own) return std::nullopt;
  return "cross-origin request refused";
}

}  // namespace sportello::http
