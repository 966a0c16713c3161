// What a flow sees of one turn of conversation, and what it answers. Flows
// never touch the network or the clock: they read the turn, may change the
// conversation (mode, flow, step, slots) and return replies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"
#include "bot/domain/centre.h"
#include "intents/engine.h"
#include "storage/conversations.h"
#include "storage/database.h"
#include "storage/users.h"

namespace sportello::flows {

struct Turn {
  const core::InboundMessage& in;
  const intents::Analysis& analysis;  // empty intent for button presses
  storage::User& user;
  storage::Conversation& conversation;
  std::string lang;  // "it" / "en": the language to answer in
  int64_t now_ms = 0;
  storage::Database& db;  // inside the turn's transaction
  // What the bot tells about the person's centre (conversation.centre_id):
  // bot/flows/centre.h. Moving the conversation to another centre updates
  // it, so the rest of the turn speaks for the new one.
  CentreConfig& centre;
  // Set by a flow whose database step failed for now (a deadlock with a
  // turn of another conversation, a lost connection: kUnavailable). The
  // turn is then rolled back and runs again later, rather than answered
  // with an apology for something that would work in a moment.
  core::Status retry;
};

// For a flow's failure path: marks the turn to be run again when `why` is
// a passing failure (kUnavailable). Returns whether it was.
inline bool RetryLater(Turn& turn, const core::Status& why) {
  if (why.code() != core::Status::Code::kUnavailable) return false;
  turn.retry = why;
  return true;
}

struct Reply {
  std::string text;
  std::vector<core::Button> buttons;
};

}  // namespace sportello::flows
