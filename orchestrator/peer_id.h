#pragma once

// An agent's connection as the ROUTER socket names it: the routing id ZeroMQ gives the peer
// (opaque bytes). A reconnecting agent gets a new one; its name says who it is.

#include <string>

namespace labsweep::orchestrator {

using PeerId = std::string;

}  // namespace labsweep::orchestrator
