#include "sweeps/search/owen_scramble.h"

#include "sweeps/sampler.h"

namespace labsweep::sweeps {

uint64_t owen_scramble(uint64_t x, uint64_t key) {
  // Owen's scrambling permutes the two halves of every dyadic interval independently. The
  // intervals are the nodes of a binary tree; a node at depth d is named by the d leading digits
  // of the points inside it behind a 1, so that nodes of different depths never share a name,
  // and its coin is a hash of that name. Hash-based variants that flip bits of the reversed
  // integer with a few multiplications (Laine and Karras) only approximate this; 64 hashes per
  // coordinate are cheap next to a trial.
  uint64_t flips = 0;
  for (int depth = 0; depth < 64; ++depth) {
    uint64_t node = depth == 0 ? 1 : (uint64_t{1} << depth) | (x >> (64 - depth));
    uint64_t coin = mix64(key ^ mix64(node)) >> 63;
    flips |= coin << (63 - depth);
  }
  return x ^ flips;
}

}  // namespace labsweep::sweeps
