// Where the console is served from, and whether a request comes from there:
// the defence against another site making a signed-in counsellor's browser
// act (take a conversation over, send a message, cancel an event). The
// session cookie's SameSite=Strict already stops that in current browsers;
// this does not rest on it.
//
// The console's own origin is SPORTELLO_PUBLIC_URL when set (behind a proxy
// that rewrites Host), else the request's Host with "https" when the proxy
// in front says so (X-Forwarded-Proto: https) and "http" otherwise.
// Pure functions of the request and the configuration; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bot/web/config.h"
#include "bot/web/handler.h"

namespace sportello::http {

// "scheme://host[:port]" of an http or https URL with at most "/" after the
// authority, as browsers write it in Origin: scheme and host lowercased, the
// default port dropped. nullopt for anything else (a path, userinfo, a
// query, another scheme, "null").
std::optional<std::string> NormalizeOrigin(std::string_view url);

// The origin part of a full URL (a Referer); nullopt when it has none.
std::optional<std::string> OriginOfUrl(std::string_view url);

// Whether the browser reached us over TLS: the configured public URL is
// https, or the proxy says so.
bool OverTls(const Request& r, const WebConfig& config);

// The console's own origin for this request (see above).
std::string OwnOrigin(const Request& r, const WebConfig& config);

// nullopt when `r` may go on; else why it is refused. Only methods that
// change state are checked, and only those a browser could be made to send
// with the session cookie: a request with `Authorization: Bearer` carries
// its credential itself and passes. Otherwise Origin (or, without it, the
// Referer's origin) must be the console's own. With neither, a request with
// the session cookie is refused too, because browsers send Origin on every
// cross-site POST and on our own fetches, so only a non-browser client omits
// both, and those sign in with a Bearer token; POST /api/login, which holds
// no session yet and which scripts call bare, is the exception.
std::optional<std::string> CrossOriginRefusal(const Request& r,
                                              const WebConfig& config);

}  // namespace sportello::http
