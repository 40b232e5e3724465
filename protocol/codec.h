#pragma once

// The wire encoding of messages: one MessagePack map per frame, {"v": version, "t": type, ...}
// (docs/protocol.md). Decoding never throws and never trusts the frame: a malformed, unknown
// or wrong-version frame is an error that says why, for the caller to log and drop.

#include <string>
#include <string_view>

#include "base/status.h"
#include "protocol/messages.h"

namespace labsweep::protocol {

// Frames larger than this are refused before they are parsed.
inline constexpr size_t kMaxFrameBytes = 16 << 20;

std::string encode(const Message& message);
Result<Message> decode(std::string_view frame);

}  // namespace labsweep::protocol
