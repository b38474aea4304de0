#pragma once
// A plausible hex map for a synthetic night: each region's councils in a
// cluster around where the region sits on England's hex maps (odd-r, rows
// counted northwards as in ../shared/data/hexmaps), nearest free cell first.
// Deterministic: the same councils in the same order get the same cells.
#include <vector>

#include "model/card.hpp"

namespace declared::generate {

void lay_out_hexes(std::vector<Council>& councils);

}  // namespace declared::generate
