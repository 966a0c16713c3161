// Builders of realistic Telegram Update JSON, shaped like the ones the Bot
// API delivers (private chats: chat.id == from.id). For webhook POSTs
// (body = update.dump()) and for FakeTelegram::QueueUpdate.
//
//   auto update = fakes::tg::TextMessage(1001, 555000111, "ciao cerco lavoro");
//   http.Post("/webhook/telegram", update.dump(), {{kTelegramSecretHeader,
//   secret}});
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sportello::fakes::tg {

inline constexpr const char* kSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

// The person on the other side. Ids fit 52 bits; use large ones in tests.
struct Person {
  int64_t id = 555000111;
  std::string first_name = "Giulia";
  std::string language_code = "it";  // empty: omitted
};

// {"update_id", "message": {message_id, from, chat(private), date, text}}.
// `message_id` 0 means update_id; `date` 0 means now.
nlohmann::json TextMessage(int64_t update_id, const Person& from,
                           std::string_view text, int64_t message_id = 0,
                           int64_t date = 0);
// Shorthand: a person with id `chat_id`.
nlohmann::json TextMessage(int64_t update_id, int64_t chat_id,
                           std::string_view text);

// A tap on an inline button: callback_query{id, from, chat_instance,
// message{the bot's message with the keyboard}, data}. `query_id` "" means
// "cbq-<update_id>".
nlohmann::json CallbackQuery(int64_t update_id, const Person& from,
                             std::string_view data, std::string query_id = "",
                             int64_t bot_message_id = 42);

// my_chat_member in a private chat: "kicked" when the person blocks the bot,
// "member" when they unblock it.
nlohmann::json MyChatMember(int64_t update_id, const Person& from,
                            std::string_view new_status);

// edited_message: the person edited an earlier text.
nlohmann::json EditedMessage(int64_t update_id, const Person& from,
                             std::string_view text, int64_t message_id);

// channel_post: no `from`, chat.type "channel", sender_chat set.
nlohmann::json ChannelPost(int64_t update_id, int64_t channel_id,
                           std::string_view text);

// A text in a group: chat.type "group", chat.id negative, from the person.
nlohmann::json GroupMessage(int64_t update_id, const Person& from,
                            int64_t group_id, std::string_view text);

// message.location {latitude, longitude}.
nlohmann::json LocationMessage(int64_t update_id, const Person& from,
                               double latitude, double longitude);

// message.contact; `own` sets contact.user_id = from.id (the sender's own
// number, shared through the request_contact button).
nlohmann::json ContactMessage(int64_t update_id, const Person& from,
                              std::string_view phone, bool own = true);

}  // namespace sportello::fakes::tg
