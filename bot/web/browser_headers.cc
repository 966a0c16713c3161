#include "bot/web/browser_headers.h"

#include <array>
#include <cctype>
#include <random>

#include "bot/web/origin.h"

namespace sportello::http {
namespace {

// A year, the usual HSTS lifetime. No includeSubDomains: other services of
// the same administration may live on sibling names without TLS.
constexpr const char* kHsts = "max-age=31536000";

// JSON and text answers are never pages: they may load nothing at all.
constexpr const char* kDataPolicy =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'";

bool Has(const Response& out, std::string_view name) {
  for (const auto& [k, v] : out.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(k[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return true;
  }
  return false;
}

void Set(Response& out, const char* name, std::string value) {
  if (!Has(out, name)) out.headers.emplace_back(name, std::move(value));
}

std::string Replace(std::string_view text, std::string_view from,
                    std::string_view to) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t at = text.find(from, pos);
    if (at == std::string_view::npos) break;
    out.append(text.substr(pos, at - pos));
    out.append(to);
    pos = at + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

std::string NewNonce() {
  static constexpr char kBase64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  thread_local std::random_device device;
  std::array<unsigned, 4> words{};
  for (auto& w : words) w = device();
  std::string out;
  unsigned bits = 0;
  int have = 0;
  for (unsigned w : words) {
    for (int byte = 0; byte < 4; ++byte) {
      bits = (bits << 8) | ((w >> (8 * byte)) & 0xff);
      have += 8;
      while (have >= 6) {
        have -= 6;
        out += kBase64[(bits >> have) & 0x3f];
      }
    }
  }
  if (have > 0) out += kBase64[(bits << (6 - have)) & 0x3f];
  return out;
}

NoncedPage WithNonce(std::string_view html, std::string_view nonce) {
  const std::string attr = " nonce=\"" + std::string(nonce) + "\">";
  std::string page = Replace(html, "<script>", "<script" + attr);
  page = Replace(page, "<style>", "<style" + attr);
  const std::string n = "'nonce-" + std::string(nonce) + "'";
  return {std::move(page),
          "default-src 'self'; script-src 'self' " + n + "; style-src 'self' " +
              n +
              "; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
              "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"};
}

void AddBrowserHeaders(const Request& r, const WebConfig& config,
                       Response& out) {
  Set(out, "Content-Security-Policy", kDataPolicy);
  Set(out, "Cache-Control", "no-store");
  Set(out, "Referrer-Policy", "no-referrer");
  Set(out, "X-Content-Type-Options", "nosniff");
  Set(out, "X-Frame-Options", "DENY");
  if (OverTls(r, config)) Set(out, "Strict-Transport-Security", kHsts);
}

}  // namespace sportello::http
