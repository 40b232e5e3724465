#include "tests/integration/netns_link.h"

#include <unistd.h>

#include "tests/support/subprocess.h"

namespace labsweep::testing {

NetnsLink::NetnsLink() : name_("labsweep-h5-" + std::to_string(::getpid())) {
  int subnet = static_cast<int>(::getpid() % 60) * 4;
  here_ = "10.77." + std::to_string(subnet / 4 % 250) + ".1";
  there_ = "10.77." + std::to_string(subnet / 4 % 250) + ".2";
  std::string host_end = "lsh5h" + std::to_string(::getpid() % 100000);
  std::string ns_end = "lsh5n" + std::to_string(::getpid() % 100000);
  if (::geteuid() != 0) {
    why_ = "needs root for ip netns (running as uid " + std::to_string(::geteuid()) + ")";
    return;
  }
  if (::access("/usr/sbin/ip", X_OK) != 0) {
    why_ = "no /usr/sbin/ip (iproute2)";
    return;
  }
  ok_ = ip({"netns", "add", name_}) &&
        ip({"link", "add", host_end, "type", "veth", "peer", "name", ns_end}) &&
        ip({"link", "set", ns_end, "netns", name_}) &&
        ip({"addr", "add", here_ + "/30", "dev", host_end}) &&
        ip({"link", "set", host_end, "up"}) &&
        ip({"-n", name_, "addr", "add", there_ + "/30", "dev", ns_end}) &&
        ip({"-n", name_, "link", "set", ns_end, "up"}) &&
        ip({"-n", name_, "link", "set", "lo", "up"});
  host_end_ = host_end;
}

NetnsLink::~NetnsLink() {
  if (host_end_.empty()) return;         // nothing was made
  (void)ip({"link", "del", host_end_});  // takes its peer with it
  (void)ip({"netns", "del", name_});
}

bool NetnsLink::ip(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/sbin/ip");
  ProcessResult result = run_process(args);
  if (result.exit_code != 0 && why_.empty())
    why_ = "cannot make a network namespace with a veth pair: ip " + args[1] + ": " + result.err;
  return result.exit_code == 0;
}

}  // namespace labsweep::testing
