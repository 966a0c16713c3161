#include "tests/fakes/whatsapp_webhooks.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>
#include <set>
#include <utility>

namespace sportello::fakes::wa {
namespace {

using nlohmann::json;

std::string Timestamp(int64_t t) {
  return std::to_string(t == 0 ? static_cast<int64_t>(std::time(nullptr)) : t);
}

json Base(std::string_view wa_id, std::string_view wamid, std::string_view type,
          int64_t timestamp) {
  return {{"from", wa_id},
          {"id", wamid},
          {"timestamp", Timestamp(timestamp)},
          {"type", type}};
}

void AddContext(json& message, std::string_view wa_id_of_business,
                std::string_view context_wamid) {
  if (context_wamid.empty()) return;
  message["context"] = {{"from", wa_id_of_business}, {"id", context_wamid}};
}

}  // namespace

json Text(std::string_view wa_id, std::string_view wamid, std::string_view body,
          int64_t timestamp) {
  json message = Base(wa_id, wamid, "text", timestamp);
  message["text"] = {{"body", body}};
  return message;
}

json ButtonReply(std::string_view wa_id, std::string_view wamid,
                 std::string_view button_id, std::string_view title,
                 std::string_view context_wamid, int64_t timestamp) {
  json message = Base(wa_id, wamid, "interactive", timestamp);
  AddContext(message, Business().display_phone_number, context_wamid);
  message["interactive"] = {
      {"type", "button_reply"},
      {"button_reply", {{"id", button_id}, {"title", title}}}};
  return message;
}

json ListReply(std::string_view wa_id, std::string_view wamid,
               std::string_view row_id, std::string_view title,
               std::string_view description, std::string_view context_wamid,
               int64_t timestamp) {
  json message = Base(wa_id, wamid, "interactive", timestamp);
  AddContext(message, Business().display_phone_number, context_wamid);
  json reply = {{"id", row_id}, {"title", title}};
  if (!description.empty()) reply["description"] = description;
  message["interactive"] = {{"type", "list_reply"},
                            {"list_reply", std::move(reply)}};
  return message;
}

json Location(std::string_view wa_id, std::string_view wamid, double latitude,
              double longitude, std::string_view name, std::string_view address,
              int64_t timestamp) {
  json message = Base(wa_id, wamid, "location", timestamp);
  json location = {{"latitude", latitude}, {"longitude", longitude}};
  if (!name.empty()) location["name"] = name;
  if (!address.empty()) location["address"] = address;
  message["location"] = std::move(location);
  return message;
}

json OtherMessage(std::string_view wa_id, std::string_view wamid,
                  std::string_view type, json content, int64_t timestamp) {
  json message = Base(wa_id, wamid, type, timestamp);
  message[std::string(type)] = std::move(content);
  return message;
}

json Status(std::string_view wamid, std::string_view recipient_wa_id,
            std::string_view status, int64_t timestamp, int error_code) {
  json s = {{"id", wamid},
            {"status", status},
            {"timestamp", Timestamp(timestamp)},
            {"recipient_id", recipient_wa_id}};
  if (status == "sent" || status == "delivered") {
    s["conversation"] = {{"id", "CONVERSATION_ID_1"},
                         {"origin", {{"type", "service"}}}};
    s["pricing"] = {
        {"billable", false}, {"pricing_model", "PMP"}, {"category", "service"}};
  }
  if (status == "failed") {
    const int code = error_code == 0 ? 131026 : error_code;
    s["errors"] = {{{"code", code},
                    {"title", "Message undeliverable."},
                    {"message", "Message undeliverable."},
                    {"error_data", {{"details", "Message Undeliverable."}}},
                    {"href",
                     "https://developers.facebook.com/docs/whatsapp/cloud-api/"
                     "support/error-codes/"}}};
  }
  return s;
}

json Payload(const Business& business, const std::vector<json>& messages,
             const std::vector<json>& statuses, std::string_view profile_name) {
  json value = {{"messaging_product", "whatsapp"},
                {"metadata",
                 {{"display_phone_number", business.display_phone_number},
                  {"phone_number_id", business.phone_number_id}}}};
  if (!messages.empty()) {
    json contacts = json::array();
    std::set<std::string> seen;
    for (const json& m : messages) {
      const std::string from = m.value("from", "");
      if (seen.insert(from).second) {
        contacts.push_back(
            {{"profile", {{"name", profile_name}}}, {"wa_id", from}});
      }
    }
    value["contacts"] = std::move(contacts);
    value["messages"] = messages;
  }
  if (!statuses.empty()) value["statuses"] = statuses;
  return {{"object", "whatsapp_business_account"},
          {"entry",
           {{{"id", business.waba_id},
             {"changes",
              {{{"value", std::move(value)}, {"field", "messages"}}}}}}}};
}

json OtherFieldPayload(const Business& business, std::string_view field) {
  return {{"object", "whatsapp_business_account"},
          {"entry",
           {{{"id", business.waba_id},
             {"time", std::time(nullptr)},
             {"changes",
              {{{"value",
                 {{"phone_number", business.display_phone_number},
                  {"event", "VERIFIED_ACCOUNT"}}},
                {"field", field}}}}}}}};
}

std::string Sign(std::string_view body, std::string_view app_secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest,
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace sportello::fakes::wa
