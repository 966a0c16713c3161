#include "tests/fakes/fake_whatsapp.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tests/fakes/whatsapp_wire.h"

namespace sportello::fakes {
namespace {

using nlohmann::json;

std::string WithoutPlus(std::string_view to) {
  if (!to.empty() && to[0] == '+') to.remove_prefix(1);
  return std::string(to);
}

}  // namespace

json GraphError(int code, std::string_view message, std::string_view details) {
  json error = {{"message", message},
                {"type", "OAuthException"},
                {"code", code},
                {"fbtrace_id", "AbCdEfFakeTrace"}};
  if (!details.empty())
    error["error_data"] = {{"messaging_product", "whatsapp"},
                           {"details", details}};
  return json{{"error", error}};
}

FakeWhatsApp::FakeWhatsApp() : FakeWhatsApp(Options()) {}

FakeWhatsApp::FakeWhatsApp(Options options) : options_(std::move(options)) {
  const std::string pattern = "/" + options_.version + R"(/([^/]+)/messages)";
  server_.http().Post(
      pattern, [this](const httplib::Request& req, httplib::Response& res) {
        RecordedCall call;
        call.method = "messages";
        call.path = req.path;
        call.raw_body = req.body;
        call.at = std::chrono::steady_clock::now();
        json parsed;
        const Answer answer =
            Handle(req.matches[1], req.get_header_value("Authorization"),
                   req.body, &parsed);
        call.body = std::move(parsed);
        call.status = answer.http_status;
        call.response = answer.body;
        recorder_.Record(std::move(call));
        res.status = answer.http_status;
        res.set_content(answer.body.dump(), "application/json");
      });
  auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    res.status = 400;
    res.set_content(
        GraphError(100, "Unknown path components: " + req.path, "").dump(),
        "application/json");
  };
  server_.http().Post(".*", unknown);
  server_.http().Get(".*", unknown);
  server_.Start();
}

FakeWhatsApp::Answer FakeWhatsApp::Handle(const std::string& phone_number_id,
                                          const std::string& authorization,
                                          const std::string& raw_body,
                                          json* parsed) {
  if (authorization != "Bearer " + options_.access_token) {
    return {
        401,
        GraphError(
            190, "Invalid OAuth access token - Cannot parse access token", "")};
  }
  if (phone_number_id != options_.phone_number_id &&
      std::find(options_.other_numbers.begin(), options_.other_numbers.end(),
                phone_number_id) == options_.other_numbers.end()) {
    return {400, GraphError(100,
                            "Unsupported post request. Object with ID '" +
                                phone_number_id +
                                "' does not exist, cannot be loaded due to "
                                "missing permissions, "
                                "or does not support this operation.",
                            "")};
  }
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded()) {
    return {400, GraphError(100, "(#100) Invalid parameter",
                            "request body: not JSON")};
  }
  *parsed = body;
  if (const std::string problem = CheckWhatsAppMessage(body);
      !problem.empty()) {
    return {400, GraphError(100, "(#100) Invalid parameter", problem)};
  }
  const std::string to = WithoutPlus(body["to"].get<std::string>());
  uint64_t wamid_number = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = scripted_.begin(); it != scripted_.end(); ++it) {
      if (!it->to.empty() && it->to != to) continue;
      const int code = it->code;
      if (--it->remaining <= 0) scripted_.erase(it);
      return ScriptedError(code);
    }
    wamid_number = next_wamid_++;
  }
  char wamid[64];
  std::snprintf(wamid, sizeof wamid, "wamid.HBgMFAKE%012llu",
                static_cast<unsigned long long>(wamid_number));
  return {200, json{{"messaging_product", "whatsapp"},
                    {"contacts", {{{"input", body["to"]}, {"wa_id", to}}}},
                    {"messages", {{{"id", wamid}}}}}};
}

FakeWhatsApp::Answer FakeWhatsApp::ScriptedError(int code) {
  switch (code) {
    case 130429:
      return {400,
              GraphError(code, "(#130429) Rate limit hit",
                         "Cloud API message throughput has been reached.")};
    case 131056:
      return {
          400,
          GraphError(
              code,
              "(#131056) (Business Account, Consumer Account) pair rate limit "
              "hit",
              "Too many messages sent from the sender phone number to the same "
              "recipient phone number in a short period of time.")};
    case 131026:
      return {400, GraphError(code, "(#131026) Message Undeliverable",
                              "Unable to deliver message.")};
    case 131047:
      return {
          400,
          GraphError(
              code, "(#131047) Re-engagement message",
              "Message failed to send because more than 24 hours have passed "
              "since the customer last replied to this number.")};
    case 131048:
      return {400, GraphError(code, "(#131048) Spam rate limit hit",
                              "Message failed to send because there are "
                              "restrictions on how many "
                              "messages can be sent from this phone number.")};
    case 500:
      return {500,
              GraphError(131000, "(#131000) Something went wrong",
                         "Message failed to send due to an unknown error.")};
    default:
      return {400,
              GraphError(code, "(#" + std::to_string(code) + ") Scripted error",
                         "scripted")};
  }
}

void FakeWhatsApp::FailNext(int code, int count, std::string to) {
  std::lock_guard<std::mutex> lock(mu_);
  scripted_.push_back({code, count, WithoutPlus(to)});
}

std::vector<json> FakeWhatsApp::Accepted(std::string_view to) const {
  std::vector<json> out;
  const std::string want = WithoutPlus(to);
  for (const RecordedCall& call : recorder_.Calls()) {
    if (call.status != 200) continue;
    if (!want.empty() && WithoutPlus(call.body.value("to", "")) != want)
      continue;
    out.push_back(call.body);
  }
  return out;
}

}  // namespace sportello::fakes
