#include <doctest/doctest.h>

#include <set>
#include <string>

#include "bot/channels/outbound.h"
#include "bot/core/utf8.h"

using sportello::channels::FitToChannel;
namespace core = sportello::core;
namespace utf8 = sportello::core::utf8;

namespace {

constexpr char kEllipsis[] = "\xE2\x80\xA6";

core::OutboundMessage Text(core::Channel channel, std::string text,
                           size_t buttons = 0) {
  core::OutboundMessage msg;
  msg.channel = channel;
  msg.chat_id = channel == core::Channel::kTelegram ? "77" : "393331234567";
  msg.text = std::move(text);
  for (size_t i = 0; i < buttons; ++i) {
    msg.buttons.push_back(
        {"opt:" + std::to_string(i + 1), "Opzione " + std::to_string(i + 1)});
  }
  return msg;
}

// A text of `words` words: "parola1 parola2 ...".
std::string Words(size_t words) {
  std::string text;
  for (size_t i = 0; i < words; ++i)
    text += (i ? " parola" : "parola") + std::to_string(i);
  return text;
}

// Joining the parts back gives the original words in order.
std::string Rejoin(const std::vector<core::OutboundMessage>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p.text;
  return out;
}

}  // namespace

TEST_CASE("a short message fits as it is") {
  for (const auto channel :
       {core::Channel::kTelegram, core::Channel::kWhatsApp}) {
    const auto parts =
        FitToChannel(Text(channel, "Ciao! Come posso aiutarti?", 2));
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].text == "Ciao! Come posso aiutarti?");
    CHECK(parts[0].buttons.size() == 2);
    CHECK(parts[0].chat_id == Text(channel, "").chat_id);
  }
}

TEST_CASE("web and terminal messages pass through unchanged") {
  for (const auto channel : {core::Channel::kWeb, core::Channel::kTerminal}) {
    auto msg = Text(channel, std::string(10000, 'x'), 15);
    const auto parts = FitToChannel(msg);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].text == msg.text);
    CHECK(parts[0].buttons.size() == 15);
  }
}

TEST_CASE(
    "a 10000 character text splits at word boundaries into parts of at most "
    "4096") {
  const std::string text = Words(1100);  // 10,989 characters
  REQUIRE(text.size() > 10000);
  for (const auto channel :
       {core::Channel::kTelegram, core::Channel::kWhatsApp}) {
    const auto parts = FitToChannel(Text(channel, text));
    REQUIRE(parts.size() == 3);
    for (const auto& p : parts) {
      CHECK(utf8::Units(p.text) <= 4096);
      CHECK(p.text.front() != ' ');
      CHECK(p.text.back() != ' ');
      CHECK(p.buttons.empty());
    }
    CHECK(Rejoin(parts) == text);
  }
}

TEST_CASE("the buttons of a split telegram text stay on the last part") {
  const auto parts =
      FitToChannel(Text(core::Channel::kTelegram, Words(1100), 2));
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].buttons.empty());
  CHECK(parts[1].buttons.empty());
  CHECK(parts[2].buttons.size() == 2);
}

TEST_CASE("splitting prefers paragraph breaks") {
  const std::string first(3000, 'a');
  const std::string second(3000, 'b');
  const auto parts =
      FitToChannel(Text(core::Channel::kTelegram, first + "\n\n" + second));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].text == first);
  CHECK(parts[1].text == second);
}

TEST_CASE("a text without spaces is cut between characters") {
  const auto parts =
      FitToChannel(Text(core::Channel::kTelegram, std::string(5000, 'x')));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].text.size() == 4096);
  CHECK(parts[1].text.size() == 904);
}

TEST_CASE("an emoji at the split boundary is never cut and counts two units") {
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, two UTF-16 units
  SUBCASE("emoji straddling the limit") {
    const std::string text = std::string(4095, 'a') + emoji + "bbb";
    const auto parts = FitToChannel(Text(core::Channel::kTelegram, text));
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].text == std::string(4095, 'a'));
    CHECK(parts[1].text == emoji + "bbb");
  }
  SUBCASE("a text of emoji only") {
    std::string text;
    for (int i = 0; i < 3000; ++i) text += emoji;
    const auto parts = FitToChannel(Text(core::Channel::kWhatsApp, text));
    REQUIRE(parts.size() == 2);
    for (const auto& p : parts) {
      CHECK(utf8::IsValid(p.text));
      CHECK(utf8::Units(p.text) <= 4096);
    }
    CHECK(parts[0].text.size() + parts[1].text.size() == text.size());
  }
  SUBCASE("accented letters at the limit") {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "\xC3\xA8";  // è
    const auto parts = FitToChannel(Text(core::Channel::kTelegram, text));
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].text.size() == 2 * 4096);
    CHECK(utf8::IsValid(parts[1].text));
  }
}

TEST_CASE(
    "an empty text without buttons fits into nothing and with buttons gets a "
    "placeholder") {
  CHECK(FitToChannel(Text(core::Channel::kTelegram, "")).empty());
  CHECK(FitToChannel(Text(core::Channel::kWhatsApp, "  \n ")).empty());
  for (const auto channel :
       {core::Channel::kTelegram, core::Channel::kWhatsApp}) {
    const auto parts = FitToChannel(Text(channel, "", 2));
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].text == kEllipsis);
    CHECK(parts[0].buttons.size() == 2);
  }
}

TEST_CASE(
    "telegram callback data over 64 bytes is cut at a character boundary") {
  auto msg = Text(core::Channel::kTelegram, "Scegli");
  msg.buttons.push_back({std::string(63, 'x') + "\xC3\xA8" + "tail", "Vai"});
  msg.buttons.push_back({std::string(64, 'y'), "Esatto"});
  msg.buttons.push_back({"", "Senza id"});
  const auto parts = FitToChannel(msg);
  REQUIRE(parts.size() == 1);
  REQUIRE(parts[0].buttons.size() == 3);
  CHECK(parts[0].buttons[0].id == std::string(63, 'x'));
  CHECK(parts[0].buttons[1].id == std::string(64, 'y'));
  CHECK(parts[0].buttons[2].id == "Senza id");
}

TEST_CASE("telegram keeps many buttons and cuts only very long titles") {
  auto msg = Text(core::Channel::kTelegram, "Scegli", 11);
  msg.buttons[0].title = std::string(100, 't');
  const auto parts = FitToChannel(msg);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].buttons.size() == 11);
  CHECK(utf8::Units(parts[0].buttons[0].title) == 64);
  CHECK(parts[0].buttons[1].title == "Opzione 2");
}

TEST_CASE("a telegram callback answer text is cut to 200 characters") {
  core::OutboundMessage answer;
  answer.channel = core::Channel::kTelegram;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  answer.callback_query_id = "q1";
  answer.text = std::string(300, 'a');
  const auto parts = FitToChannel(answer);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].kind == core::OutboundKind::kCallbackAnswer);
  CHECK(parts[0].callback_query_id == "q1");
  CHECK(utf8::Units(parts[0].text) == 200);
}

TEST_CASE("a whatsapp callback answer fits into nothing") {
  core::OutboundMessage answer;
  answer.channel = core::Channel::kWhatsApp;
  answer.kind = core::OutboundKind::kCallbackAnswer;
  CHECK(FitToChannel(answer).empty());
}

TEST_CASE("a template is passed to whatsapp and sent as text to telegram") {
  core::OutboundMessage tmpl;
  tmpl.kind = core::OutboundKind::kTemplate;
  tmpl.template_name = "promemoria_colloquio";
  tmpl.template_params = {"Giulia", "lunedì 10:30"};
  tmpl.text = "Promemoria: colloquio lunedì 10:30";
  tmpl.channel = core::Channel::kWhatsApp;
  auto parts = FitToChannel(tmpl);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].kind == core::OutboundKind::kTemplate);
  CHECK(parts[0].template_language == "it");
  CHECK(parts[0].template_params.size() == 2);

  tmpl.channel = core::Channel::kTelegram;
  parts = FitToChannel(tmpl);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].kind == core::OutboundKind::kText);
  CHECK(parts[0].text == tmpl.text);
}

TEST_CASE("whatsapp three buttons stay reply buttons and four become a list") {
  auto three = FitToChannel(Text(core::Channel::kWhatsApp, "Scegli", 3));
  REQUIRE(three.size() == 1);
  CHECK(three[0].buttons.size() == 3);
  auto four = FitToChannel(Text(core::Channel::kWhatsApp, "Scegli", 4));
  REQUIRE(four.size() == 1);
  CHECK(four[0].buttons.size() == 4);
  auto ten = FitToChannel(Text(core::Channel::kWhatsApp, "Scegli", 10));
  REQUIRE(ten.size() == 1);
  CHECK(ten[0].buttons.size() == 10);
}

TEST_CASE("whatsapp eleven options become numbered text without buttons") {
  const auto parts =
      FitToChannel(Text(core::Channel::kWhatsApp, "Scegli un corso:", 11));
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].buttons.empty());
  CHECK(parts[0].text.rfind("Scegli un corso:\n\n1. Opzione 1\n2. Opzione 2\n",
                            0) == 0);
  CHECK(parts[0].text.ends_with("\n11. Opzione 11"));
}

TEST_CASE(
    "whatsapp button titles over 20 and row titles over 24 end in an "
    "ellipsis") {
  const std::string title24 = "Cameriere di sala a Bari";  // 24 characters
  REQUIRE(utf8::Units(title24) == 24);
  auto msg = Text(core::Channel::kWhatsApp, "Scegli", 2);
  msg.buttons[0].title = title24;
  msg.buttons[1].title = "Esattamente venti car";  // 21
  auto parts = FitToChannel(msg);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].buttons[0].title ==
        std::string("Cameriere di sala a") + kEllipsis);
  CHECK(utf8::Units(parts[0].buttons[0].title) == 20);
  CHECK(utf8::Units(parts[0].buttons[1].title) == 20);

  msg = Text(core::Channel::kWhatsApp, "Scegli", 5);
  msg.buttons[0].title = title24;
  msg.buttons[1].title = title24 + "!";
  parts = FitToChannel(msg);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].buttons[0].title == title24);
  CHECK(utf8::Units(parts[0].buttons[1].title) <= 24);
  CHECK(parts[0].buttons[1].title.ends_with(kEllipsis));
}

TEST_CASE("duplicate whatsapp titles are made unique within the limit") {
  auto msg = Text(core::Channel::kWhatsApp, "Scegli", 3);
  msg.buttons[0].title = "Operatore sportello Bari";
  msg.buttons[1].title = "Operatore sportello Bari";
  msg.buttons[2].title =
      "Operatore sportello Bari centro";  // same after truncation
  const auto parts = FitToChannel(msg);
  REQUIRE(parts.size() == 1);
  std::set<std::string> titles;
  for (const auto& b : parts[0].buttons) {
    CHECK(utf8::Units(b.title) <= 20);
    titles.insert(b.title);
  }
  CHECK(titles.size() == 3);
  CHECK(parts[0].buttons[1].title.ends_with(" 2"));
  CHECK(parts[0].buttons[2].title.ends_with(" 3"));
}

TEST_CASE("whatsapp button ids are cut to the api limits") {
  auto msg = Text(core::Channel::kWhatsApp, "Scegli", 2);
  msg.buttons[0].id = std::string(300, 'i');
  auto parts = FitToChannel(msg);
  CHECK(parts[0].buttons[0].id.size() == 256);
  msg = Text(core::Channel::kWhatsApp, "Scegli", 4);
  msg.buttons[0].id = std::string(300, 'i');
  parts = FitToChannel(msg);
  CHECK(parts[0].buttons[0].id.size() == 200);
}

TEST_CASE(
    "a whatsapp body over 1024 with buttons goes first as text then the last "
    "paragraph with the buttons") {
  const std::string intro = Words(150);  // ~1,300 characters
  const std::string question = "Ti interessa?";
  const auto parts = FitToChannel(
      Text(core::Channel::kWhatsApp, intro + "\n\n" + question, 2));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].buttons.empty());
  CHECK(parts[1].buttons.size() == 2);
  CHECK(parts[0].text == intro);
  CHECK(parts[1].text == question);
  // The list limit is 4096, so the same text fits in one list message.
  CHECK(
      FitToChannel(Text(core::Channel::kWhatsApp, intro + "\n\n" + question, 5))
          .size() == 1);
}

TEST_CASE(
    "a whatsapp body over 1024 without breaks still ends in a valid "
    "interactive") {
  const auto parts =
      FitToChannel(Text(core::Channel::kWhatsApp, std::string(3000, 'z'), 1));
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].buttons.size() == 1);
  CHECK(utf8::Units(parts[1].text) <= 1024);
  CHECK(parts[0].text.size() + parts[1].text.size() == 3000);
}
