// Builders of realistic WhatsApp Cloud API webhook payloads (what Meta POSTs
// to /webhook/whatsapp), and their X-Hub-Signature-256 signature.
//
//   fakes::wa::Business biz;  // phone_number_id "109876543210"
//   const std::string body = fakes::wa::Payload(biz,
//   {fakes::wa::Text("393331234567",
//       "wamid.A1", "ciao cerco lavoro")}).dump();
//   http.Post("/webhook/whatsapp", body, {{fakes::wa::kSignatureHeader,
//       fakes::wa::Sign(body, app_secret)}});
//
// Ids, phone numbers and timestamps are strings, as Meta sends them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sportello::fakes::wa {

inline constexpr const char* kSignatureHeader = "X-Hub-Signature-256";

// The receiving business number.
struct Business {
  std::string waba_id = "102290129340398";
  std::string phone_number_id = "109876543210";
  std::string display_phone_number = "15550783881";
};

// --- Elements of value.messages[]. `timestamp` 0 means now.
nlohmann::json Text(std::string_view wa_id, std::string_view wamid,
                    std::string_view body, int64_t timestamp = 0);
// A tap on an interactive reply button; `context_wamid` is our message that
// held the button ("" to omit context).
nlohmann::json ButtonReply(std::string_view wa_id, std::string_view wamid,
                           std::string_view button_id, std::string_view title,
                           std::string_view context_wamid = "",
                           int64_t timestamp = 0);
nlohmann::json ListReply(std::string_view wa_id, std::string_view wamid,
                         std::string_view row_id, std::string_view title,
                         std::string_view description = "",
                         std::string_view context_wamid = "",
                         int64_t timestamp = 0);
nlohmann::json Location(std::string_view wa_id, std::string_view wamid,
                        double latitude, double longitude,
                        std::string_view name = "",
                        std::string_view address = "", int64_t timestamp = 0);
// Any other type (image, sticker, reaction...) with its object as Meta sends
// it.
nlohmann::json OtherMessage(std::string_view wa_id, std::string_view wamid,
                            std::string_view type, nlohmann::json content,
                            int64_t timestamp = 0);

// --- Elements of value.statuses[]: "sent", "delivered", "read", "failed",
// "played". `failed` carries errors[{code: error_code, title, message,
// error_data.details, href}] (131026 when error_code is 0).
nlohmann::json Status(std::string_view wamid, std::string_view recipient_wa_id,
                      std::string_view status, int64_t timestamp = 0,
                      int error_code = 0);

// --- The whole payload: one entry, one change (field "messages") whose value
// holds metadata, contacts (one per distinct sender, profile name
// `profile_name`) and the given messages and statuses (omitted when empty).
nlohmann::json Payload(const Business& business,
                       const std::vector<nlohmann::json>& messages,
                       const std::vector<nlohmann::json>& statuses = {},
                       std::string_view profile_name = "Giulia");

// A payload of another field (e.g. "account_update"), which we ignore.
nlohmann::json OtherFieldPayload(const Business& business,
                                 std::string_view field);

// "sha256=" + lowercase hex HMAC-SHA256(body, app_secret).
std::string Sign(std::string_view body, std::string_view app_secret);

}  // namespace sportello::fakes::wa
