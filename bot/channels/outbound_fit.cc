// FitToChannel: reshaping an OutboundMessage into calls within the limits of
// each channel (see outbound.h for the rules).
#include <set>
#include <string>
#include <utility>

#include "bot/channels/outbound.h"
#include "bot/core/utf8.h"

namespace sportello::channels {
namespace {

using core::Button;
using core::OutboundMessage;
using Messages = std::vector<OutboundMessage>;

constexpr size_t kMaxTextUnits = 4096;  // Telegram and WhatsApp text
constexpr size_t kTelegramCallbackDataBytes = 64;
constexpr size_t kTelegramButtonTitleUnits = 64;  // undocumented; a sane cap
constexpr size_t kTelegramCallbackAnswerUnits = 200;
constexpr size_t kWhatsAppMaxReplyButtons = 3;
constexpr size_t kWhatsAppMaxListRows = 10;
constexpr size_t kWhatsAppButtonBodyUnits = 1024;
constexpr size_t kWhatsAppButtonTitleUnits = 20;
constexpr size_t kWhatsAppButtonIdBytes = 256;
constexpr size_t kWhatsAppRowTitleUnits = 24;
constexpr size_t kWhatsAppRowIdBytes = 200;
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

OutboundMessage TextLike(const OutboundMessage& msg, std::string text) {
  OutboundMessage part;
  part.channel = msg.channel;
  part.chat_id = msg.chat_id;
  part.account = msg.account;
  part.kind = core::OutboundKind::kText;
  part.text = std::move(text);
  return part;
}

// Plain text parts of `text`, none carrying buttons.
void AppendTextParts(const OutboundMessage& msg, std::string_view text,
                     Messages& out) {
  for (std::string& part : core::utf8::Split(text, kMaxTextUnits)) {
    out.push_back(TextLike(msg, std::move(part)));
  }
}

std::string CutBytes(std::string_view s, size_t max_bytes) {
  return std::string(s.substr(0, core::utf8::PrefixWithinBytes(s, max_bytes)));
}

// Titles cut to `max_units` with "…", then made unique with " 2", " 3"...
std::vector<std::string> FitTitles(const std::vector<Button>& buttons,
                                   size_t max_units) {
  std::vector<std::string> titles;
  std::set<std::string, std::less<>> seen;
  for (const Button& button : buttons) {
    const std::string_view base =
        button.title.empty() ? kEllipsis : std::string_view(button.title);
    std::string title = core::utf8::Truncate(base, max_units);
    for (int n = 2; seen.contains(title); ++n) {
      const std::string suffix = " " + std::to_string(n);
      title = core::utf8::Truncate(base, max_units - suffix.size()) + suffix;
    }
    seen.insert(title);
    titles.push_back(std::move(title));
  }
  return titles;
}

Messages FitTelegramText(const OutboundMessage& msg) {
  Messages out;
  AppendTextParts(msg, msg.text, out);
  if (msg.buttons.empty()) return out;
  if (out.empty()) out.push_back(TextLike(msg, std::string(kEllipsis)));
  std::vector<Button>& buttons = out.back().buttons;
  for (const Button& button : msg.buttons) {
    const std::string_view title =
        button.title.empty() ? kEllipsis : std::string_view(button.title);
    std::string id =
        CutBytes(button.id.empty() ? title : std::string_view(button.id),
                 kTelegramCallbackDataBytes);
    buttons.push_back({std::move(id),
                       core::utf8::Truncate(title, kTelegramButtonTitleUnits)});
  }
  return out;
}

Messages FitTelegram(const OutboundMessage& msg) {
  switch (msg.kind) {
    case core::OutboundKind::kCallbackAnswer: {
      OutboundMessage answer = msg;
      answer.text =
          core::utf8::Truncate(msg.text, kTelegramCallbackAnswerUnits);
      answer.buttons.clear();
      return {answer};
    }
    case core::OutboundKind::kTemplate:
    case core::OutboundKind::kText:
      return FitTelegramText(msg);
  }
  return {};
}

// The text with the options as numbered lines, for more options than a list
// holds.
std::string NumberedText(const OutboundMessage& msg) {
  std::string text = msg.text;
  if (!text.empty()) text += "\n\n";
  for (size_t i = 0; i < msg.buttons.size(); ++i) {
    if (i > 0) text += "\n";
    text += std::to_string(i + 1) + ". " + msg.buttons[i].title;
  }
  return text;
}

Messages FitWhatsAppText(const OutboundMessage& msg) {
  Messages out;
  const size_t count = msg.buttons.size();
  if (count == 0) {
    AppendTextParts(msg, msg.text, out);
    return out;
  }
  if (count > kWhatsAppMaxListRows) {
    AppendTextParts(msg, NumberedText(msg), out);
    return out;
  }
  const bool reply_buttons = count <= kWhatsAppMaxReplyButtons;
  const size_t body_units =
      reply_buttons ? kWhatsAppButtonBodyUnits : kMaxTextUnits;
  const size_t title_units =
      reply_buttons ? kWhatsAppButtonTitleUnits : kWhatsAppRowTitleUnits;
  const size_t id_bytes =
      reply_buttons ? kWhatsAppButtonIdBytes : kWhatsAppRowIdBytes;

  core::utf8::HeadTail split = core::utf8::SplitTail(msg.text, body_units);
  AppendTextParts(msg, split.head, out);
  OutboundMessage interactive = TextLike(
      msg, split.tail.empty() ? std::string(kEllipsis) : std::move(split.tail));
  std::vector<std::string> titles = FitTitles(msg.buttons, title_units);
  for (size_t i = 0; i < count; ++i) {
    interactive.buttons.push_back(
        {CutBytes(msg.buttons[i].id, id_bytes), std::move(titles[i])});
  }
  out.push_back(std::move(interactive));
  return out;
}

Messages FitWhatsApp(const OutboundMessage& msg) {
  switch (msg.kind) {
    case core::OutboundKind::kCallbackAnswer:
      return {};
    case core::OutboundKind::kTemplate: {
      OutboundMessage fitted = msg;
      fitted.buttons
          .clear();  // a template's buttons are part of the approved template
      if (fitted.template_language.empty()) fitted.template_language = "it";
      return {fitted};
    }
    case core::OutboundKind::kText:
      return FitWhatsAppText(msg);
  }
  return {};
}

}  // namespace

std::vector<core::OutboundMessage> FitToChannel(
    const core::OutboundMessage& msg) {
  switch (msg.channel) {
    case core::Channel::kTelegram:
      return FitTelegram(msg);
    case core::Channel::kWhatsApp:
      return FitWhatsApp(msg);
    case core::Channel::kWeb:
    case core::Channel::kTerminal:
      break;
  }
  return {msg};
}

}  // namespace sportello::channels
