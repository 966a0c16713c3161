// The headers every answer carries for browsers: what a page may load and
// run (Content-Security-Policy), that nothing is cached (answers carry
// personal data), no Referer, no MIME sniffing, no framing, and HSTS when
// the browser came over TLS.
//
// Pages keep their script and style inline and are served with a fresh
// nonce on those elements, so the policy needs no 'unsafe-inline': an
// injected <script>, event handler attribute or style attribute does not
// run. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "bot/web/config.h"
#include "bot/web/handler.h"

namespace sportello::http {

// A random nonce (128 bits, base64), new for every page served.
std::string NewNonce();

// `html` with nonce="…" on each <script> and <style> element, and the
// policy that lets exactly those run.
struct NoncedPage {
  std::string html;
  std::string policy;
};
NoncedPage WithNonce(std::string_view html, std::string_view nonce);

// Adds the headers above to `out` (answer to `r`), keeping any it already
// sets (a page's own policy).
void AddBrowserHeaders(const Request& r, const WebConfig& config,
                       Response& out);

}  // namespace sportello::http
