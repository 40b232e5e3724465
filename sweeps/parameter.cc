#include "sweeps/parameter.h"

namespace labsweep::sweeps {

std::string Parameter::name() const {
  std::string out;
  for (const std::string& part : path) {
    if (!out.empty()) out += '.';
    out += part;
  }
  return out;
}

}  // namespace labsweep::sweeps
