#include "tests/fakes/telegram_updates.h"

#include <ctime>
#include <utility>

namespace sportello::fakes::tg {
namespace {

using nlohmann::json;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

json User(const Person& p) {
  json user = {{"id", p.id}, {"is_bot", false}, {"first_name", p.first_name}};
  if (!p.language_code.empty()) user["language_code"] = p.language_code;
  return user;
}

json PrivateChat(const Person& p) {
  return {{"id", p.id}, {"first_name", p.first_name}, {"type", "private"}};
}

json Message(const Person& from, int64_t message_id, int64_t date) {
  return {{"message_id", message_id},
          {"from", User(from)},
          {"chat", PrivateChat(from)},
          {"date", date == 0 ? Now() : date}};
}

json ChatMember(json user, std::string_view status) {
  json member = {{"user", std::move(user)}, {"status", status}};
  if (status == "kicked") member["until_date"] = 0;
  return member;
}

json BotUser() {
  return {{"id", 123456},
          {"is_bot", true},
          {"first_name", "Sportello"},
          {"username", "sportello_test_bot"}};
}

}  // namespace

json TextMessage(int64_t update_id, const Person& from, std::string_view text,
                 int64_t message_id, int64_t date) {
  json message = Message(from, message_id == 0 ? update_id : message_id, date);
  message["text"] = text;
  return {{"update_id", update_id}, {"message", std::move(message)}};
}

json TextMessage(int64_t update_id, int64_t chat_id, std::string_view text) {
  Person p;
  p.id = chat_id;
  return TextMessage(update_id, p, text);
}

json CallbackQuery(int64_t update_id, const Person& from, std::string_view data,
                   std::string query_id, int64_t bot_message_id) {
  if (query_id.empty()) query_id = "cbq-" + std::to_string(update_id);
  json message = {{"message_id", bot_message_id},
                  {"from", BotUser()},
                  {"chat", PrivateChat(from)},
                  {"date", Now() - 60},
                  {"text", "Scegli un'opzione"}};
  return {{"update_id", update_id},
          {"callback_query",
           {{"id", query_id},
            {"from", User(from)},
            {"message", std::move(message)},
            {"chat_instance", "-4242424242424242424"},
            {"data", data}}}};
}

json MyChatMember(int64_t update_id, const Person& from,
                  std::string_view new_status) {
  json old_member =
      ChatMember(BotUser(), new_status == "kicked" ? "member" : "kicked");
  json new_member = ChatMember(BotUser(), new_status);
  return {{"update_id", update_id},
          {"my_chat_member",
           {{"chat", PrivateChat(from)},
            {"from", User(from)},
            {"date", Now()},
            {"old_chat_member", std::move(old_member)},
            {"new_chat_member", std::move(new_member)}}}};
}

json EditedMessage(int64_t update_id, const Person& from, std::string_view text,
                   int64_t message_id) {
  json message = Message(from, message_id, Now() - 30);
  message["text"] = text;
  message["edit_date"] = Now();
  return {{"update_id", update_id}, {"edited_message", std::move(message)}};
}

json ChannelPost(int64_t update_id, int64_t channel_id, std::string_view text) {
  const json chat = {{"id", channel_id},
                     {"title", "Notizie Centro Impiego"},
                     {"type", "channel"}};
  return {{"update_id", update_id},
          {"channel_post",
           {{"message_id", update_id},
            {"sender_chat", chat},
            {"chat", chat},
            {"date", Now()},
            {"text", text}}}};
}

json GroupMessage(int64_t update_id, const Person& from, int64_t group_id,
                  std::string_view text) {
  return {
      {"update_id", update_id},
      {"message",
       {{"message_id", update_id},
        {"from", User(from)},
        {"chat",
         {{"id", group_id}, {"title", "Giovani al lavoro"}, {"type", "group"}}},
        {"date", Now()},
        {"text", text}}}};
}

json LocationMessage(int64_t update_id, const Person& from, double latitude,
                     double longitude) {
  json message = Message(from, update_id, 0);
  message["location"] = {{"latitude", latitude}, {"longitude", longitude}};
  return {{"update_id", update_id}, {"message", std::move(message)}};
}

json ContactMessage(int64_t update_id, const Person& from,
                    std::string_view phone, bool own) {
  json message = Message(from, update_id, 0);
  message["contact"] = {{"phone_number", phone},
                        {"first_name", from.first_name}};
  if (own) message["contact"]["user_id"] = from.id;
  return {{"update_id", update_id}, {"message", std::move(message)}};
}

}  // namespace sportello::fakes::tg
