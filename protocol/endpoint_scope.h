#pragma once

// Whether an agent endpoint stays on this machine (docs/security.md): links that do are allowed
// in plaintext, all others must use CURVE. Only explicit loopback addresses count; a host name,
// an interface name or a wildcard (0.0.0.0, *) is treated as reaching the network.

#include <string_view>

namespace labsweep::protocol {

// True for ipc:// and inproc://, tcp://127.x.y.z:PORT, tcp://localhost:PORT and
// tcp://[::1]:PORT.
bool is_loopback_endpoint(std::string_view endpoint);

// True for a host that names this machine's loopback interface: 127.x.y.z, localhost, ::1 (also
// in brackets). The HTTP API's address is checked with it.
bool is_loopback_host(std::string_view host);

// True for an endpoint of a transport that crosses machines (tcp, tipc, vmci, ws, wss, udp, pgm,
// epgm, norm) that is not loopback. An unknown scheme is neither: connecting to it fails.
bool is_network_endpoint(std::string_view endpoint);

}  // namespace labsweep::protocol
