#pragma once
// Placing councils on a hex map: reads a HexJSON file ({"layout":"odd-r",
// "hexes":{"E06000001":{"q":8,"r":19,...},...}}, keyed by ONS code, as the
// layouts in ../shared/data/hexmaps/) and gives each council of the card
// whose ONS code is there its {q, r}. Councils with no ONS code, or one the
// map lacks, are left off the map and named in the result.
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"

namespace declared::import {

struct HexmapPlacement {
    std::size_t placed = 0;
    std::vector<std::string> unplaced;  // "Name (ONS code)" of each council not placed
};

// Throws ImportFailure naming the file (and what is wrong) when the text is
// not HexJSON in the odd-r layout with integer q and r; the card is then
// unchanged.
HexmapPlacement place_on_hexmap(Card& card, std::string_view hexjson, const std::string& file);

}  // namespace declared::import
