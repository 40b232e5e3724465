#pragma once

// A network namespace joined to this one by a veth pair, for tests of links that are not
// loopback: 10.77.N.1/30 here, 10.77.N.2/30 there. Needs root and iproute2; ok() says whether
// it was made, why() why not. Removed (with the pair) when the object goes away, also when the
// test fails.

#include <string>
#include <vector>

namespace labsweep::testing {

class NetnsLink {
 public:
  NetnsLink();
  ~NetnsLink();
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  // This side's address.
  const std::string& here() const { return here_; }
  // The namespace's address.
  const std::string& there() const { return there_; }
  // The namespace's name.
  const std::string& name() const { return name_; }
  // The prefix that runs a command in the namespace.
  std::vector<std::string> exec_there() const { return {"/usr/sbin/ip", "netns", "exec", name_}; }

 private:
  bool ip(std::vector<std::string> args);

  std::string name_;
  std::string here_;
  std::string there_;
  std::string host_end_;
  bool ok_ = false;
  std::string why_;
};

}  // namespace labsweep::testing
