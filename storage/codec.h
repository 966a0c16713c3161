// The JSON forms in which updates and outbound messages are stored (inbox
// payload, outbox payload). Decoding validates: a row written by an older
// build or edited by hand gives a Status, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/core/message.h"
#include "bot/core/status.h"

namespace sportello {

std::string EncodeInbound(
    const core::InboundMessage& m);  // without raw: it has its own column
core::Result<core::InboundMessage> DecodeInbound(std::string_view payload);

std::string EncodeStatusUpdate(const core::StatusUpdate& s);
core::Result<core::StatusUpdate> DecodeStatusUpdate(std::string_view payload);

std::string EncodeMembership(const core::MembershipChange& m);
core::Result<core::MembershipChange> DecodeMembership(std::string_view payload);

std::string EncodeOutbound(const core::OutboundMessage& m);
core::Result<core::OutboundMessage> DecodeOutbound(std::string_view payload);

std::string EncodeButtons(const std::vector<core::Button>& buttons);
std::vector<core::Button> DecodeButtons(
    std::string_view json);  // [] on anything odd

}  // namespace sportello
