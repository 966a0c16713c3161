// The console's rules, whoever asks: the HTTP API only applies them.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "bot/domain/console.h"

namespace sportello::console {
namespace {

using storage::ConversationMode;

storage::Conversation Conv(ConversationMode mode,
                           std::optional<std::string> holder = std::nullopt) {
  storage::Conversation c;
  c.mode = mode;
  c.assigned_to = std::move(holder);
  return c;
}

const Staff kAnna{"anna", false};
const Staff kBruno{"bruno", false};
const Staff kAdmin{"capo", true};

TEST_CASE("only the counsellor who holds a conversation may reply in it") {
  const auto held = Conv(ConversationMode::kHuman, "anna");
  CHECK(MayReply(held, kAnna) == Refusal::kAllowed);
  CHECK(MayReply(held, kBruno) == Refusal::kNotTakenOver);
  CHECK(MayReply(held, kAdmin) == Refusal::kNotTakenOver);
  CHECK(MayReply(Conv(ConversationMode::kWaitingForHuman), kAnna) ==
        Refusal::kNotTakenOver);
  CHECK(MayReply(Conv(ConversationMode::kBot), kAnna) ==
        Refusal::kNotTakenOver);
}

TEST_CASE(
    "the holder, an admin, or anyone for a waiting person may hand back") {
  const auto held = Conv(ConversationMode::kHuman, "anna");
  CHECK(MayRelease(held, kAnna) == Refusal::kAllowed);
  CHECK(MayRelease(held, kBruno) == Refusal::kHeldByOther);
  CHECK(MayRelease(held, kAdmin) == Refusal::kAllowed);
  CHECK(MayRelease(Conv(ConversationMode::kWaitingForHuman), kBruno) ==
        Refusal::kAllowed);
  CHECK(MayRelease(Conv(ConversationMode::kBot), kAdmin) ==
        Refusal::kBotHoldsIt);
}

TEST_CASE("booking for a person is refused only while another holds them") {
  CHECK(MayBookFor(Conv(ConversationMode::kHuman, "anna"), kBruno) ==
        Refusal::kHeldByOther);
  CHECK(MayBookFor(Conv(ConversationMode::kHuman, "anna"), kAnna) ==
        Refusal::kAllowed);
  CHECK(MayBookFor(Conv(ConversationMode::kWaitingForHuman), kBruno) ==
        Refusal::kAllowed);
  CHECK(MayBookFor(Conv(ConversationMode::kBot), kBruno) == Refusal::kAllowed);
}

TEST_CASE("a transfer is refused only while another counsellor holds them") {
  CHECK(MayTransfer(Conv(ConversationMode::kHuman, "anna"), kBruno) ==
        Refusal::kHeldByOther);
  CHECK(MayTransfer(Conv(ConversationMode::kHuman, "anna"), kAnna) ==
        Refusal::kAllowed);
  CHECK(MayTransfer(Conv(ConversationMode::kHuman, "anna"), kAdmin) ==
        Refusal::kAllowed);
  CHECK(MayTransfer(Conv(ConversationMode::kWaitingForHuman), kBruno) ==
        Refusal::kAllowed);
  CHECK(MayTransfer(Conv(ConversationMode::kBot), kBruno) == Refusal::kAllowed);
}

TEST_CASE("every refusal has a reason to show, and allowing has none") {
  CHECK(RefusalText(Refusal::kAllowed).empty());
  for (auto r :
       {Refusal::kHeldByOther, Refusal::kNotTakenOver, Refusal::kBotHoldsIt}) {
    CAPTURE(static_cast<int>(r));
    CHECK_FALSE(RefusalText(r).empty());
  }
}

}  // namespace
}  // namespace sportello::console

namespace sportello::console {
namespace {

TEST_CASE("a person is shown by the best name known, else a stable pseudonym") {
  CHECK(DisplayName("Marta", "marta_tg", "telegram", 7) == "Marta");
  CHECK(DisplayName("", "Giulia", "telegram", 7) == "Giulia");
  CHECK(DisplayName("  ", "", "whatsapp", 7).starts_with("WhatsApp #"));
  const std::string web = DisplayName("", "", "web", 12);
  CHECK(web.size() == std::string("Web #1234").size());
  CHECK(web.starts_with("Web #"));
  CHECK(DisplayName("", "", "web", 12) == web);  // stable
  CHECK(DisplayName("", "", "web", 13) != web);
}

}  // namespace
}  // namespace sportello::console
